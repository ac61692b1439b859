// mount: with no arguments lists the mounted filesystems ("SRC on DIR type TYPE");
// `mount [-t TYPE] SRC DIR` mounts one (TYPE defaults to ext2).
import { mount, sysinfo, SysInfo } from '../libc/index.js';
import type { MountRecord } from '../../abi/sysinfo.js';
import { run, complain, reasonOf, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('mount', () => {
    const args = parseArgs(argv.slice(1), { flags: 'v', options: 'to', long: { types: 't', options: 'o' } });
    if (args.operands.length === 0) {
      const mounts = sysinfo(SysInfo.MOUNTS) as unknown as MountRecord[];
      const type = args.options.get('t');
      for (const m of mounts) if (type === undefined || m.fstype === type) stdout.line(`${m.source} on ${m.target} type ${m.fstype} (${m.options})`);
      return 0;
    }
    if (args.operands.length !== 2) throw new UsageError('usage: mount [-t TYPE] SOURCE DIRECTORY');
    const [source, target] = args.operands as [string, string];
    const type = args.options.get('t') ?? 'ext2';
    try {
      mount(source, target, type);
    } catch (e) {
      complain('mount', `${target}: cannot mount ${source} (${type}): ${reasonOf(e)}`);
      return 1;
    }
    return 0;
  });
}

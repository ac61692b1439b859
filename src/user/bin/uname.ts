// uname: prints system information. With no option, the preset the system booted as
// (monolithic, microkernel, hybrid, ...). -s kernel name, -r release, -m machine,
// -p preset, -n node name, -o operating system, -a all but -o.
import { uname } from '../libc/index.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { NODE_NAME } from './hostname.js';

export function main(argv: string[]): number {
  return run('uname', () => {
    const args = parseArgs(argv.slice(1), { flags: 'asnrmpvoi', long: { all: 'a', 'kernel-name': 's', 'kernel-release': 'r', machine: 'm', 'nodename': 'n' } });
    const u = uname();
    const f = args.flags;
    if (f.size === 0) { stdout.line(u.preset); return 0; }
    const all = f.has('a');
    const fields: string[] = [];
    if (all || f.has('s')) fields.push(u.sysname);
    if (all || f.has('n')) fields.push(NODE_NAME);
    if (all || f.has('r')) fields.push(u.release);
    if (all || f.has('p') || f.has('v')) fields.push(u.preset);
    if (all || f.has('m') || f.has('i')) fields.push(u.machine);
    if (f.has('o')) fields.push('kernelkit');
    stdout.line(fields.join(' '));
    return 0;
  });
}

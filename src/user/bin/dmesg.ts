// dmesg: the kernel log, one line per record with the time since boot in seconds.
import { sysinfo, SysInfo } from '../libc/index.js';
import type { LogRecord } from '../../abi/sysinfo.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('dmesg', () => {
    const args = parseArgs(argv.slice(1), { flags: 't', long: { 'notime': 't' } });
    const log = sysinfo(SysInfo.DMESG) as unknown as LogRecord[];
    for (const r of log) {
      stdout.line(args.flags.has('t') ? r.line : `[${(r.ms / 1000).toFixed(6).padStart(12)}] ${r.line}`);
    }
    return 0;
  });
}

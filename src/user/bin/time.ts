// time: runs a command and reports, on stderr, its real (wall) time and the user and
// system CPU time the kernel counted for it and everything it started (the times
// syscall's children's times, before and after; see src/kernel/proc/times.ts).
//   time [-p] COMMAND [ARG]...
// The report is bash's ("real\t0m0.012s") or, with -p, POSIX's ("real 0.01").
import { clockGettime, times, write, CLOCK } from '../libc/index.js';
import { run, UsageError, HelpRequest } from '../util/io.js';
import { runCommand } from '../util/command.js';

export function main(argv: string[], env: Record<string, string>): number {
  return run('time', () => {
    let args = argv.slice(1);
    let posix = false;
    while (args[0] !== undefined && args[0].startsWith('-')) {
      const a = args[0];
      if (a === '--') { args = args.slice(1); break; }
      if (a === '--help') throw new HelpRequest();
      if (a === '-p' || a === '--portability') { posix = true; args = args.slice(1); continue; }
      throw new UsageError(a.startsWith('--') ? `unrecognized option '${a}'` : `invalid option -- '${a.slice(1)}'`);
    }
    if (args.length === 0) throw new UsageError('missing command');
    const before = times();
    const start = clockGettime(CLOCK.MONOTONIC);
    const status = runCommand('time', args, env);
    const realMs = (clockGettime(CLOCK.MONOTONIC) - start) / 1e6;
    const after = times();
    const userMs = after.childUserMs - before.childUserMs;
    const systemMs = after.childSystemMs - before.childSystemMs;
    write(2, posix
      ? `real ${(realMs / 1000).toFixed(2)}\nuser ${(userMs / 1000).toFixed(2)}\nsys ${(systemMs / 1000).toFixed(2)}\n`
      : `\nreal\t${minutes(realMs)}\nuser\t${minutes(userMs)}\nsys\t${minutes(systemMs)}\n`);
    return status;
  });
}

// bash's form: 0m1.234s
function minutes(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  const m = Math.floor(s / 60);
  return `${m}m${(s - m * 60).toFixed(3)}s`;
}

// touch: sets the access and modification times of files to now, creating them if
// they do not exist. -c: do not create. -m / -a: only that time.
import { open, close, utimens, O, UTIME_NOW, UTIME_OMIT, SysError, Errno } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('touch', () => {
    const args = parseArgs(argv.slice(1), { flags: 'cam', long: { 'no-create': 'c' } });
    if (args.operands.length === 0) throw new UsageError('missing file operand');
    const onlyA = args.flags.has('a') && !args.flags.has('m');
    const onlyM = args.flags.has('m') && !args.flags.has('a');
    let status = 0;
    for (const p of args.operands) {
      try {
        try {
          utimens(p, onlyM ? UTIME_OMIT : UTIME_NOW, onlyA ? UTIME_OMIT : UTIME_NOW);
        } catch (e) {
          if (!(e instanceof SysError && e.errno === Errno.ENOENT)) throw e;
          if (args.flags.has('c')) continue;
          close(open(p, O.WRONLY | O.CREAT, 0o644));
        }
      } catch (e) {
        complain('touch', `cannot touch '${p}': ${reasonOf(e)}`);
        status = 1;
      }
    }
    return status;
  });
}

// which: the file each NAME would run as, found in PATH. -a lists every match.
// Exits 1 when some NAME was not found.
import { stat, isReg } from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { findCommand } from '../util/command.js';

export function main(argv: string[], env: Record<string, string>): number {
  return run('which', () => {
    const args = parseArgs(argv.slice(1), { flags: 'a', long: { all: 'a' } });
    if (args.operands.length === 0) throw new UsageError('missing operand');
    const path = env['PATH'] ?? '/bin';
    let status = 0;
    for (const name of args.operands) {
      const found: string[] = [];
      if (name.includes('/') || !args.flags.has('a')) {
        const f = findCommand(name, path);
        if (f !== null) { try { if (isReg(stat(f).mode)) found.push(f); } catch { /* not there */ } }
      } else {
        for (const dir of path.split(':')) {
          const p = `${dir === '' ? '.' : dir}/${name}`;
          try { if (isReg(stat(p).mode)) found.push(p); } catch { /* next */ }
        }
      }
      if (found.length === 0) status = 1;
      for (const f of found) stdout.line(f);
    }
    return status;
  });
}

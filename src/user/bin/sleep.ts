// sleep: waits for the sum of its arguments, each a number of seconds (fractions
// allowed) with an optional suffix s, m, h or d.
import { nanosleep } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export function main(argv: string[]): number {
  return run('sleep', () => {
    checkHandOptions(argv.slice(1), []);
    const ops = argv.slice(1);
    if (ops.length === 0) throw new UsageError('missing operand');
    let seconds = 0;
    for (const a of ops) {
      const m = /^(\d*\.?\d+|\d+\.)([smhd]?)$/.exec(a);
      if (m === null) throw new UsageError(`invalid time interval '${a}'`);
      seconds += Number(m[1]) * (UNIT[m[2] as string] ?? 1);
    }
    if (seconds > 0) nanosleep(Math.round(seconds * 1e9));
    return 0;
  });
}

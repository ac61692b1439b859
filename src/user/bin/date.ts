// date: the time in UTC (the system keeps no time zone). date [-u] [-d @SECONDS]
// [+FORMAT]; the default format is "%a %b %e %H:%M:%S %Z %Y". -d @N shows the time
// N seconds after the epoch instead of now; -I prints the ISO date, -R RFC 5322.
import { clockGettime, CLOCK } from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { strftime } from '../util/strftime.js';

export function main(argv: string[]): number {
  return run('date', () => {
    const args = parseArgs(argv.slice(1), { flags: 'uIR', options: 'd', long: { utc: 'u', universal: 'u', date: 'd', 'iso-8601': 'I', 'rfc-email': 'R' } });
    let ns = clockGettime(CLOCK.REALTIME);
    const when = args.options.get('d');
    if (when !== undefined) {
      const m = /^@(-?\d+)(?:\.(\d{1,9}))?$/.exec(when.trim());
      if (m === null) throw new UsageError(`invalid date '${when}'`);
      const frac = Number((m[2] ?? '').padEnd(9, '0'));
      ns = Number(m[1]) * 1e9 + (m[1]?.startsWith('-') ? -frac : frac);
    }
    let format = '%a %b %e %H:%M:%S %Z %Y';
    if (args.flags.has('I')) format = '%F';
    if (args.flags.has('R')) format = '%a, %d %b %Y %H:%M:%S %z';
    for (const op of args.operands) {
      if (!op.startsWith('+')) throw new UsageError(`invalid date '${op}'`);
      format = op.slice(1);
    }
    if (args.operands.length > 1) throw new UsageError(`extra operand '${args.operands[1]}'`);
    stdout.line(strftime(format, ns));
    return 0;
  });
}

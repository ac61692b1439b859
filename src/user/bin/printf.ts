// printf: formats its arguments (see util/printf.ts for the conversions).
import { write } from '../libc/index.js';
import { run, complain, UsageError, HelpRequest } from '../util/io.js';
import { formatPrintf } from '../util/printf.js';

export function main(argv: string[]): number {
  return run('printf', () => {
    if (argv.length === 2 && argv[1] === '--help') throw new HelpRequest();
    const args = argv.slice(1);
    if (args[0] === '--') args.shift();
    const format = args.shift();
    if (format === undefined) throw new UsageError('missing operand');
    const r = formatPrintf(format, args);
    write(1, r.text);
    if (r.badNumber !== null) { complain('printf', `'${r.badNumber}': expected a numeric value`); return 1; }
    return 0;
  });
}

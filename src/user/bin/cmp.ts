// cmp: compares two files byte by byte. Prints where they first differ ("A B differ:
// char N, line M", the C locale's wording) and exits 1, or exits 0 when equal; -s prints nothing, -l lists
// every differing byte (offset, then both bytes in octal). A file that ends first is
// reported on stderr as "EOF on NAME". Status 2 on trouble.
import { run, stdout, complain, errorText, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { readInput } from '../util/bytes.js';

export function main(argv: string[]): number {
  return run('cmp', () => {
    const args = parseArgs(argv.slice(1), { flags: 'sl', long: { silent: 's', quiet: 's', verbose: 'l' } });
    const [a = '', b = '-'] = args.operands;
    if (args.operands.length === 0) throw new UsageError('missing operand');
    if (args.operands.length > 2) throw new UsageError(`extra operand '${args.operands[2]}'`);
    let x: Uint8Array;
    let y: Uint8Array;
    try { x = readInput(a); } catch (e) { complain('cmp', errorText(e, a)); return 2; }
    try { y = readInput(b); } catch (e) { complain('cmp', errorText(e, b)); return 2; }
    const n = Math.min(x.length, y.length);
    let line = 1;
    let differ = false;
    for (let i = 0; i < n; i++) {
      if (x[i] !== y[i]) {
        differ = true;
        if (args.flags.has('s')) return 1;
        if (!args.flags.has('l')) { stdout.line(`${a} ${b} differ: char ${i + 1}, line ${line}`); return 1; }
        stdout.line(`${String(i + 1).padStart(String(Math.max(x.length, y.length)).length)} ${(x[i] as number).toString(8).padStart(3)} ${(y[i] as number).toString(8).padStart(3)}`);
      }
      if (x[i] === 10) line++;
    }
    if (x.length !== y.length) {
      if (!args.flags.has('s')) {
        const shorter = x.length < y.length ? a : b;
        const whole = n > 0 && x[n - 1] === 10;
        complain('cmp', n === 0 ? `EOF on ${shorter} which is empty` : `EOF on ${shorter} after byte ${n}, ${whole ? '' : 'in '}line ${whole ? line - 1 : line}`);
      }
      return 1;
    }
    return differ ? 1 : 0;
  });
}

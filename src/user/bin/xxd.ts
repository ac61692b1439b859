// xxd: a hex dump, 16 bytes a line as "OFFSET: 2-byte groups  text"; -p prints
// plain hex, 30 bytes a line; -c N bytes per line, -g N bytes per group, -u upper
// case hex.
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { readInput } from '../util/bytes.js';
import { printableOrDot, hex } from '../util/dump.js';

export function main(argv: string[]): number {
  return run('xxd', () => {
    const args = parseArgs(argv.slice(1), { flags: 'pu', options: 'cg', long: { ps: 'p', postscript: 'p', plain: 'p', cols: 'c', groupsize: 'g' } });
    if (args.operands.length > 2) throw new UsageError(`extra operand '${args.operands[2]}'`);
    const plain = args.flags.has('p');
    const cols = args.options.has('c') ? parseCount(args.options.get('c') as string, 'columns') : plain ? 30 : 16;
    const group = args.options.has('g') ? parseCount(args.options.get('g') as string, 'group size') : 2;
    const data = readInput(args.operands[0] ?? '-');
    const h = (b: number): string => (args.flags.has('u') ? hex(b, 2).toUpperCase() : hex(b, 2));
    for (let at = 0; at < data.length; at += cols) {
      const chunk = data.subarray(at, at + cols);
      if (plain) { stdout.line(Array.from(chunk, h).join('')); continue; }
      let groups = '';
      for (let i = 0; i < cols; i++) {
        if (group > 0 && i > 0 && i % group === 0) groups += ' ';
        groups += i < chunk.length ? h(chunk[i] as number) : '  ';
      }
      stdout.line(`${hex(at, 8)}: ${groups}  ${Array.from(chunk, printableOrDot).join('')}`);
    }
    return 0;
  });
}

// hexdump: -C, the canonical form: "OFFSET  16 hex bytes in two groups of 8  |text|",
// repeated lines as "*" (unless -v), and the length as the last offset. Without -C,
// 2-byte little-endian words in hex, 8 a line (a short last line padded with blanks).
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { readConcatenated } from '../util/bytes.js';
import { dumpLines, printableOrDot, hex } from '../util/dump.js';

export function main(argv: string[]): number {
  return run('hexdump', () => {
    const args = parseArgs(argv.slice(1), { flags: 'Cv', long: { canonical: 'C' } });
    const { data, failed } = readConcatenated('hexdump', args.operands);
    const status = failed ? 1 : 0;
    if (data.length === 0) return status;
    const canonical = args.flags.has('C');
    const lines = dumpLines(data, 16, args.flags.has('v'), (chunk, start) => {
      if (!canonical) {
        let s = hex(start, 7);
        for (let i = 0; i < chunk.length; i += 2) s += ' ' + hex((chunk[i] as number) | ((chunk[i + 1] ?? 0) << 8), 4);
        return s.padEnd(7 + 8 * 5); // a short last line keeps the full width, as util-linux hexdump
      }
      let bytes = '';
      for (let i = 0; i < 16; i++) bytes += (i === 8 ? ' ' : '') + (i < chunk.length ? hex(chunk[i] as number, 2) + ' ' : '   ');
      return `${hex(start, 8)}  ${bytes} |${Array.from(chunk, printableOrDot).join('')}|`;
    });
    for (const line of lines) stdout.line(line);
    stdout.line(hex(data.length, canonical ? 8 : 7));
    return status;
  });
}

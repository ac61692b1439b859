// nl: numbers lines. -b a numbers all lines, -b t (default) non-empty ones, -b n none;
// -w N width (6), -s SEP separator (tab), -v N first number, -i N increment,
// -n ln|rn|rz alignment. An unnumbered line gets blanks as wide as number and separator.
import { run, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { readTexts, textLines, ByteOutput } from '../util/bytes.js';

export function main(argv: string[]): number {
  return run('nl', () => {
    const args = parseArgs(argv.slice(1), {
      options: 'bwsvin',
      long: { 'body-numbering': 'b', 'number-width': 'w', 'number-separator': 's', 'starting-line-number': 'v', 'line-increment': 'i', 'number-format': 'n' },
    });
    const style = args.options.get('b') ?? 't';
    if (!['a', 't', 'n'].includes(style)) throw new UsageError(`invalid body numbering style: '${style}'`);
    const width = parseCount(args.options.get('w') ?? '6', 'line number field width');
    if (width === 0) throw new UsageError("invalid line number field width: '0'");
    const sep = args.options.get('s') ?? '\t';
    const startText = args.options.get('v') ?? '1';
    if (!/^-?\d+$/.test(startText)) throw new UsageError(`invalid starting line number: '${startText}'`);
    const increment = parseCount(args.options.get('i') ?? '1', 'line number increment');
    const format = args.options.get('n') ?? 'rn';
    if (!['ln', 'rn', 'rz'].includes(format)) throw new UsageError(`invalid line numbering format: '${format}'`);
    const number = (n: number): string => {
      const s = String(n);
      if (format === 'ln') return s.padEnd(width);
      if (format === 'rn') return s.padStart(width);
      return n < 0 ? '-' + String(-n).padStart(width - 1, '0') : s.padStart(width, '0');
    };
    const { texts, failed } = readTexts('nl', args.operands);
    const out = new ByteOutput();
    let n = Number(startText);
    for (const text of texts) {
      for (const line of textLines(text)) {
        const numbered = style === 'a' || (style === 't' && line !== '');
        if (numbered) { out.write(number(n) + sep + line + '\n'); n += increment; } else out.write(' '.repeat(width + sep.length) + line + '\n');
      }
    }
    out.flush();
    return failed ? 1 : 0;
  });
}

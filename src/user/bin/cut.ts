// cut: selects parts of each line. -b LIST bytes, -c LIST characters (bytes here, as
// in the C locale), -f LIST fields separated by -d DELIM (default tab); -s drops lines
// without a delimiter, --complement selects the rest. A LIST is N, N-M, N-, -M
// separated by commas; the parts are written in input order.
import { run, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { readTexts, textLines, ByteOutput } from '../util/bytes.js';

type Range = [number, number];

/** Parses a cut LIST into ranges (1-based, inclusive; Infinity for "N-"). */
export function parseList(list: string): Range[] {
  const ranges: Range[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (m === null || (m[1] === '' && m[3] === '')) throw new UsageError(part === '' || part === '-' ? 'invalid range with no endpoint: -' : `invalid field value '${part}'`);
    const lo = m[1] === '' ? 1 : Number(m[1]);
    const hi = m[2] === '' ? lo : m[3] === '' ? Infinity : Number(m[3]);
    if (lo === 0 || hi === 0) throw new UsageError('fields and positions are numbered from 1');
    if (hi < lo) throw new UsageError('invalid decreasing range');
    ranges.push([lo, hi]);
  }
  return ranges;
}

export function main(argv: string[]): number {
  return run('cut', () => {
    const args = parseArgs(argv.slice(1), {
      flags: 'snz', options: 'bcfd',
      long: { bytes: 'b', characters: 'c', fields: 'f', delimiter: 'd', 'only-delimited': 's', complement: 'C' },
    });
    const modes = ['b', 'c', 'f'].filter((m) => args.options.has(m));
    if (modes.length === 0) throw new UsageError('you must specify a list of bytes, characters, or fields');
    if (modes.length > 1) throw new UsageError('only one type of list may be specified');
    const mode = modes[0] as string;
    const ranges = parseList(args.options.get(mode) as string);
    const complement = args.flags.has('C');
    const selected = (n: number): boolean => ranges.some(([lo, hi]) => n >= lo && n <= hi) !== complement;
    const delim = args.options.get('d') ?? '\t';
    if (delim.length !== 1) throw new UsageError('the delimiter must be a single character');
    if (mode !== 'f' && args.options.has('d')) throw new UsageError('an input delimiter may be specified only when operating on fields');
    const { texts, failed } = readTexts('cut', args.operands);
    const out = new ByteOutput();
    for (const text of texts) {
      for (const line of textLines(text)) {
        if (mode !== 'f') {
          let s = '';
          for (let i = 0; i < line.length; i++) if (selected(i + 1)) s += line[i];
          out.write(s + '\n');
          continue;
        }
        if (!line.includes(delim)) {
          if (!args.flags.has('s')) out.write(line + '\n');
          continue;
        }
        out.write(line.split(delim).filter((_, i) => selected(i + 1)).join(delim) + '\n');
      }
    }
    out.flush();
    return failed ? 1 : 0;
  });
}

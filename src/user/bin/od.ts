// od: dumps files in octal and other formats, 16 bytes a line. -t TYPE with TYPE
// o2 (the default), x2 (-x), d2 (-d), o1 (-b), x1, u1, d1, c (-c, characters with
// C escapes); -A o|x|d|n the offset radix (n: none); -v shows repeated lines instead
// of "*"; -j N skips N bytes and -N N reads at most N.
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { readConcatenated } from '../util/bytes.js';
import { dumpLines } from '../util/dump.js';

const escapes: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

interface Format { size: number; width: number; text: (v: number) => string }

function formatOf(type: string): Format {
  if (type === 'c') {
    return { size: 1, width: 4, text: (b) => escapes[b] ?? (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b.toString(8).padStart(3, '0')) };
  }
  const m = /^([oxdu])([1248]?)$/.exec(type);
  if (m === null || m[2] === '8') throw new UsageError(`invalid type string '${type}'`);
  const size = m[2] === '' ? 4 : Number(m[2]);
  const bits = size * 8;
  const kind = m[1] as string;
  const max = 2 ** bits - 1;
  if (kind === 'o') { const w = max.toString(8).length; return { size, width: w + 1, text: (v) => v.toString(8).padStart(w, '0') }; }
  if (kind === 'x') { const w = max.toString(16).length; return { size, width: w + 1, text: (v) => v.toString(16).padStart(w, '0') }; }
  if (kind === 'u') return { size, width: String(max).length + 1, text: (v) => String(v) };
  const signed = (v: number): number => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);
  return { size, width: String(-(2 ** (bits - 1))).length + 1, text: (v) => String(signed(v)) };
}

export function main(argv: string[]): number {
  return run('od', () => {
    const args = parseArgs(argv.slice(1), { flags: 'bcdxov', options: 'AtjN', long: { 'address-radix': 'A', format: 't', 'output-duplicates': 'v', 'skip-bytes': 'j', 'read-bytes': 'N' } });
    const radix = args.options.get('A') ?? 'o';
    if (!['o', 'x', 'd', 'n'].includes(radix)) throw new UsageError(`invalid output address radix '${radix}'; it must be one character from [doxn]`);
    let type = args.options.get('t') ?? 'o2';
    for (const [flag, t] of [['b', 'o1'], ['c', 'c'], ['d', 'u2'], ['x', 'x2'], ['o', 'o2']] as const) if (args.flags.has(flag)) type = t;
    const format = formatOf(type);
    const input = readConcatenated('od', args.operands);
    let data = input.data;
    const skip = parseCount(args.options.get('j') ?? '0', 'skip');
    const limit = args.options.has('N') ? parseCount(args.options.get('N') as string, 'count') : Infinity;
    data = data.subarray(skip, limit === Infinity ? undefined : skip + limit);
    const offset = (n: number): string => (radix === 'o' ? n.toString(8).padStart(7, '0') : radix === 'x' ? n.toString(16).padStart(6, '0') : radix === 'd' ? String(n).padStart(7, '0') : '');
    const lines = dumpLines(data, 16, args.flags.has('v'), (chunk, start) => {
      let s = offset(skip + start);
      for (let i = 0; i < chunk.length; i += format.size) {
        let v = 0;
        for (let k = format.size - 1; k >= 0; k--) v = v * 256 + (chunk[i + k] ?? 0);
        s += format.text(v).padStart(format.width);
      }
      return s;
    });
    for (const line of lines) stdout.line(line);
    if (radix !== 'n') stdout.line(offset(skip + data.length));
    return input.failed ? 1 : 0;
  });
}

// fold: wraps lines to -w WIDTH columns (80). A tab moves to the next multiple of 8,
// a backspace back one column, a carriage return to column 0; -b counts bytes
// instead; -s breaks after the last blank that fits when there is one.
import { run } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { readTexts, ByteOutput } from '../util/bytes.js';

function advance(column: number, c: string, bytes: boolean): number {
  if (bytes) return column + 1;
  if (c === '\t') return column + 8 - (column % 8);
  if (c === '\b') return column > 0 ? column - 1 : 0;
  if (c === '\r') return 0;
  return column + 1;
}

/** Folds one text as GNU fold does (the text keeps its newlines). */
export function foldText(text: string, width: number, bytes: boolean, spaces: boolean): string {
  let out = '';
  let line = '';
  let column = 0;
  for (const c of text) {
    if (c === '\n') { out += line + '\n'; line = ''; column = 0; continue; }
    for (;;) {
      const next = advance(column, c, bytes);
      if (next <= width) { column = next; line += c; break; }
      // The character does not fit: break the line before it.
      let cut = -1;
      if (spaces) for (let k = line.length - 1; k >= 0; k--) if (line[k] === ' ' || line[k] === '\t') { cut = k; break; }
      if (cut >= 0) {
        out += line.slice(0, cut + 1) + '\n';
        line = line.slice(cut + 1);
        column = 0;
        for (const d of line) column = advance(column, d, bytes);
        continue;
      }
      if (line === '') { line = c; column = next; break; }
      out += line + '\n';
      line = '';
      column = 0;
    }
  }
  return out + line;
}

export function main(argv: string[]): number {
  return run('fold', () => {
    // "fold -20" is "fold -w 20".
    const raw = argv.slice(1).map((a) => (/^-\d+$/.test(a) ? `-w${a.slice(1)}` : a));
    const args = parseArgs(raw, { flags: 'bs', options: 'w', long: { bytes: 'b', spaces: 's', width: 'w' } });
    const width = parseCount(args.options.get('w') ?? '80', 'number of columns');
    const { texts, failed } = readTexts('fold', args.operands);
    const out = new ByteOutput();
    for (const text of texts) out.write(foldText(text, Math.max(1, width), args.flags.has('b'), args.flags.has('s')));
    out.flush();
    return failed ? 1 : 0;
  });
}

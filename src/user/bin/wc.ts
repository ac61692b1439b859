// wc: counts lines, words and bytes (-l -w -c; -m characters). With several files a
// total line follows. Columns are as wide as the largest count needs (at least 7
// when reading a pipe or the terminal); a single count of a single input is
// printed bare, so `echo hi | wc -c` prints "3".
import { open, close, readView, fstat, isReg, O } from '../libc/index.js';
import { run, complain, errorText, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

interface Counts { lines: number; words: number; chars: number; bytes: number }

// Counts only what was asked for: `wc -c` of a pipe reads it and adds up lengths,
// `wc -l` finds newlines with indexOf; words need the byte-by-byte scan.
function count(fd: number, want: { lines: boolean; words: boolean; chars: boolean }): Counts {
  const c: Counts = { lines: 0, words: 0, chars: 0, bytes: 0 };
  let inWord = false;
  for (;;) {
    const chunk = readView(fd); // valid until the next syscall
    if (chunk.length === 0) break;
    c.bytes += chunk.length;
    if (want.words) {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === 10) c.lines++;
        const space = b === 32 || (b >= 9 && b <= 13);
        if (space) inWord = false;
        else if (!inWord) { inWord = true; c.words++; }
      }
    } else if (want.lines) {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) c.lines++;
    }
    if (want.chars) {
      // Characters are code points: count the bytes that do not continue a UTF-8 sequence.
      for (let i = 0; i < chunk.length; i++) if ((chunk[i]! & 0xc0) !== 0x80) c.chars++;
    }
  }
  return c;
}

export function main(argv: string[]): number {
  return run('wc', () => {
    const args = parseArgs(argv.slice(1), { flags: 'lwcm', long: { lines: 'l', words: 'w', bytes: 'c', chars: 'm' } });
    let fields = (['l', 'w', 'm', 'c'] as const).filter((f) => args.flags.has(f));
    if (fields.length === 0) fields = ['l', 'w', 'c'];
    const files = args.operands.length > 0 ? args.operands : ['-'];
    const results: { name: string | null; c: Counts }[] = [];
    let status = 0;
    let sawNonRegular = false;
    for (const f of files) {
      let fd = 0;
      try {
        if (f !== '-') fd = open(f, O.RDONLY);
        if (!isReg(fstat(fd).mode)) sawNonRegular = true;
        results.push({ name: args.operands.length > 0 ? f : null, c: count(fd, { lines: fields.includes('l'), words: fields.includes('w'), chars: fields.includes('m') }) });
      } catch (e) {
        complain('wc', errorText(e, f));
        status = 1;
      } finally {
        if (fd !== 0) close(fd);
      }
    }
    const total: Counts = { lines: 0, words: 0, chars: 0, bytes: 0 };
    for (const r of results) {
      total.lines += r.c.lines; total.words += r.c.words; total.chars += r.c.chars; total.bytes += r.c.bytes;
    }
    if (results.length > 1) results.push({ name: 'total', c: total });
    const value = (c: Counts, f: 'l' | 'w' | 'm' | 'c'): number => (f === 'l' ? c.lines : f === 'w' ? c.words : f === 'm' ? c.chars : c.bytes);
    let width = 1;
    if (!(fields.length === 1 && files.length === 1)) {
      // As GNU wc: as wide as the total byte count, which no other count exceeds.
      width = Math.max(...fields.map((f) => String(value(total, f)).length), String(total.bytes).length);
      if (sawNonRegular) width = Math.max(width, 7);
    }
    for (const r of results) {
      const cols = fields.map((f) => String(value(r.c, f)).padStart(width));
      stdout.line(cols.join(' ') + (r.name !== null ? ` ${r.name}` : ''));
    }
    return status;
  });
}

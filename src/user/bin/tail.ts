// tail: the last lines (-n N, default 10) or bytes (-c N) of each file; "+N" starts
// at line (or byte) N instead. -f: keep printing what is appended (until killed).
import { open, close, read, write, O, sleepMs } from '../libc/index.js';
import { run, complain, errorText, stdout, UsageError, readToEnd } from '../util/io.js';
import { parseArgs } from '../util/args.js';

function lastLines(all: Uint8Array, n: number): Uint8Array {
  if (n === 0) return all.subarray(all.length);
  let end = all.length;
  if (end > 0 && all[end - 1] === 10) end--;
  let start = end;
  let seen = 0;
  while (start > 0) {
    if (all[start - 1] === 10) { seen++; if (seen === n) break; }
    start--;
  }
  return all.subarray(start);
}

function fromLine(all: Uint8Array, n: number): Uint8Array {
  let at = 0;
  for (let line = 1; line < n && at < all.length; at++) if (all[at] === 10) line++;
  return all.subarray(at);
}

export function main(argv: string[]): number {
  return run('tail', () => {
    // "tail -5" and "tail +5" are "tail -n 5" and "tail -n +5" (but "-n +5" is left alone).
    const raw = argv.slice(1).map((a, i, all) => (/^[-+]\d+$/.test(a) && !/^-[nc]$/.test(all[i - 1] ?? '') ? `-n${a}` : a)).map((a) => a.replace(/^-n-/, '-n'));
    const args = parseArgs(raw, { flags: 'qvf', options: 'nc', long: { lines: 'n', bytes: 'c', follow: 'f' } });
    const bytesMode = args.options.has('c');
    const text = args.options.get(bytesMode ? 'c' : 'n') ?? '10';
    if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`invalid number of ${bytesMode ? 'bytes' : 'lines'}: '${text}'`);
    const fromStart = text.startsWith('+');
    const n = Math.abs(Number(text));
    const files = args.operands.length > 0 ? args.operands : ['-'];
    const headers = args.flags.has('v') || (files.length > 1 && !args.flags.has('q'));
    let status = 0;
    let followFd = -1;
    files.forEach((f, index) => {
      let fd = 0;
      try {
        if (f !== '-') fd = open(f, O.RDONLY);
        if (headers) stdout.write(`${index > 0 ? '\n' : ''}==> ${f === '-' ? 'standard input' : f} <==\n`);
        stdout.flush();
        const all = readToEnd(fd);
        let part: Uint8Array;
        if (bytesMode) part = fromStart ? all.subarray(Math.max(0, n - 1)) : all.subarray(Math.max(0, all.length - n));
        else part = fromStart ? fromLine(all, n) : lastLines(all, n);
        write(1, part);
        if (args.flags.has('f') && index === files.length - 1 && f !== '-') { followFd = fd; fd = 0; }
      } catch (e) {
        complain('tail', errorText(e, f));
        status = 1;
      } finally {
        if (fd !== 0) close(fd);
      }
    });
    if (followFd >= 0) {
      for (;;) {
        const chunk = read(followFd, 65536);
        if (chunk.length > 0) write(1, chunk);
        else sleepMs(200);
      }
    }
    return status;
  });
}

// head: the first lines (-n N, default 10) or bytes (-c N) of each file. A negative
// count (-n -N) means all but the last N. With several files each gets a
// "==> NAME <==" header.
import { open, close, read, write, O } from '../libc/index.js';
import { run, complain, errorText, stdout, UsageError, readToEnd } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('head', () => {
    // "head -5" is "head -n 5".
    const raw = argv.slice(1).map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
    const args = parseArgs(raw, { flags: 'qv', options: 'nc', long: { lines: 'n', bytes: 'c', quiet: 'q', verbose: 'v' } });
    const bytesMode = args.options.has('c');
    const text = args.options.get(bytesMode ? 'c' : 'n') ?? '10';
    if (!/^-?\d+$/.test(text)) throw new UsageError(`invalid number of ${bytesMode ? 'bytes' : 'lines'}: '${text}'`);
    const n = Number(text);
    const files = args.operands.length > 0 ? args.operands : ['-'];
    const headers = args.flags.has('v') || (files.length > 1 && !args.flags.has('q'));
    let status = 0;
    files.forEach((f, index) => {
      let fd = 0;
      try {
        if (f !== '-') fd = open(f, O.RDONLY);
        if (headers) stdout.write(`${index > 0 ? '\n' : ''}==> ${f === '-' ? 'standard input' : f} <==\n`);
        stdout.flush();
        if (n < 0) {
          const all = readToEnd(fd);
          if (bytesMode) { write(1, all.subarray(0, Math.max(0, all.length + n))); return; }
          let cut = all.length;
          for (let k = 0; k < -n && cut > 0; k++) {
            const prev = all.lastIndexOf(10, cut - 2);
            cut = prev < 0 ? 0 : prev + 1;
          }
          if (-n > 0 && all.length > 0 && all[all.length - 1] !== 10 && cut === all.length) cut = all.lastIndexOf(10) + 1;
          write(1, all.subarray(0, cut));
          return;
        }
        let left = n;
        while (left > 0) {
          const chunk = read(fd, 65536);
          if (chunk.length === 0) break;
          if (bytesMode) {
            const part = chunk.subarray(0, left);
            left -= part.length;
            write(1, part);
            continue;
          }
          let end = 0;
          while (end < chunk.length && left > 0) {
            if (chunk[end] === 10) left--;
            end++;
          }
          write(1, chunk.subarray(0, end));
        }
      } catch (e) {
        complain('head', errorText(e, f));
        status = 1;
      } finally {
        if (fd !== 0) close(fd);
      }
    });
    return status;
  });
}

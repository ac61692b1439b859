// cat: copies files (or stdin, or '-') to stdout in order. -n numbers lines.
import { open, close, readView, write, O, SysError, Errno, isDir, fstat } from '../libc/index.js';
import { run, complain, errorText, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('cat', () => {
    const args = parseArgs(argv.slice(1), { flags: 'nu', long: { number: 'n' } });
    const number = args.flags.has('n');
    const files = args.operands.length > 0 ? args.operands : ['-'];
    let status = 0;
    let lineNo = 0;
    let atLineStart = true;
    const decoder = new TextDecoder();
    const copy = (fd: number): void => {
      for (;;) {
        // A view of user memory: written back out in place, or decoded, before the next call.
        const chunk = readView(fd);
        if (chunk.length === 0) return;
        if (!number) { write(1, chunk); continue; }
        let text = '';
        for (const ch of decoder.decode(chunk, { stream: true })) {
          if (atLineStart) { text += `${String(++lineNo).padStart(6)}\t`; atLineStart = false; }
          text += ch;
          if (ch === '\n') atLineStart = true;
        }
        stdout.write(text);
        stdout.flush();
      }
    };
    for (const f of files) {
      if (f === '-') { copy(0); continue; }
      let fd: number;
      try {
        fd = open(f, O.RDONLY);
      } catch (e) {
        complain('cat', errorText(e, f));
        status = 1;
        continue;
      }
      try {
        if (isDir(fstat(fd).mode)) throw new SysError(Errno.EISDIR, 'read');
        copy(fd);
      } catch (e) {
        if (e instanceof SysError && e.errno === Errno.EPIPE) throw e;
        complain('cat', errorText(e, f));
        status = 1;
      } finally {
        close(fd);
      }
    }
    return status;
  });
}

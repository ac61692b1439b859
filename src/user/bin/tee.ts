// tee: copies stdin to stdout and to each file. -a: append instead of truncating.
import { open, close, read, write, O, SysError, Errno } from '../libc/index.js';
import { run, complain, errorText } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('tee', () => {
    const args = parseArgs(argv.slice(1), { flags: 'ai', long: { append: 'a' } });
    const flags = O.WRONLY | O.CREAT | (args.flags.has('a') ? O.APPEND : O.TRUNC);
    let status = 0;
    const outs: { fd: number; name: string }[] = [{ fd: 1, name: 'standard output' }];
    for (const f of args.operands) {
      try { outs.push({ fd: open(f, flags, 0o644), name: f }); } catch (e) { complain('tee', errorText(e, f)); status = 1; }
    }
    try {
      for (;;) {
        const chunk = read(0, 65536);
        if (chunk.length === 0) break;
        for (const o of outs.slice()) {
          try {
            write(o.fd, chunk);
          } catch (e) {
            if (o.fd === 1 && e instanceof SysError && e.errno === Errno.EPIPE) throw e;
            complain('tee', errorText(e, o.name));
            status = 1;
            outs.splice(outs.indexOf(o), 1);
          }
        }
      }
    } finally {
      for (const o of outs) if (o.fd !== 1) close(o.fd);
    }
    return status;
  });
}

// wget: an HTTP/1.1 client that writes what it fetches to a file. `wget [-O FILE] [-q]
// URL` with URL http://HOST[:PORT]/PATH (HOST a dotted quad or a name in /etc/hosts).
// The file is the URL's last path segment (index.html for a directory) unless -O
// names it; -O - writes to stdout. The body ends at Content-Length, at the end of a
// chunked encoding, or at the end of the connection when neither is given. Exits 0
// only when the whole body arrived; like GNU wget, 4 for a network failure (a body
// cut short included), 8 for an error status from the server, 1 for anything else.
import * as libc from '../libc/index.js';
import { AF, SOCK, inet, O, SysError } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { resolveHost } from '../util/hosts.js';

class NetworkFailure extends Error {}

export function main(argv: string[]): number {
  return run('wget', () => {
    const args = parseArgs(argv.slice(1), { flags: 'q', options: 'O' });
    if (args.operands.length !== 1) throw new UsageError('one URL');
    const quiet = args.flags.has('q');
    const url = /^http:\/\/([^/:]+)(?::(\d+))?(\/[^\s#]*)?$/.exec(args.operands[0]!);
    if (url === null) throw new UsageError(`${args.operands[0]}: not an http:// URL`);
    const host = url[1]!, port = Number(url[2] ?? 80), path = url[3] ?? '/';
    if (port < 1 || port > 65535) throw new UsageError(`invalid port: ${url[2]}`);
    const last = path.split('?')[0]!.split('/').pop()!;
    const output = args.options.get('O') ?? (last === '' ? 'index.html' : decodeURIComponent(last));
    try {
      return fetch(host, port, path, output, quiet);
    } catch (e) {
      if (e instanceof NetworkFailure) { libc.eprint(`wget: ${e.message}\n`); return 4; }
      if (e instanceof SysError) { libc.eprint(`wget: ${host}:${port}: ${e.message}\n`); return 4; }
      throw e;
    }
  });
}

function fetch(host: string, port: number, path: string, output: string, quiet: boolean): number {
  const fd = libc.socket(AF.INET, SOCK.STREAM);
  try {
    libc.connect(fd, inet(resolveHost(host), port));
    const request = `GET ${path} HTTP/1.1\r\nHost: ${host}${port === 80 ? '' : `:${port}`}\r\nUser-Agent: kernelkit-wget\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
    const bytes = new TextEncoder().encode(request);
    for (let done = 0; done < bytes.length;) done += libc.send(fd, bytes.subarray(done));
    const reader = new Reader(fd);
    const statusLine = reader.line();
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine ?? '');
    if (m === null) throw new NetworkFailure(`bad status line from ${host}: ${JSON.stringify(statusLine ?? '')}`);
    const headers = new Map<string, string>();
    for (let l = reader.line(); l !== undefined && l !== ''; l = reader.line()) {
      const i = l.indexOf(':');
      if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
    }
    const status = Number(m[1]);
    if (!quiet) libc.eprint(`HTTP request sent, awaiting response... ${status} ${m[2]}\n`);
    if (status < 200 || status >= 300) { libc.eprint(`wget: server said ${status} ${m[2]}\n`); return 8; }
    const out = output === '-' ? 1 : libc.open(output, O.WRONLY | O.CREAT | O.TRUNC, 0o644);
    let got = 0;
    try {
      const write = (b: Uint8Array): void => { got += b.length; for (let done = 0; done < b.length;) done += libc.write(out, b.subarray(done)); };
      const length = headers.get('content-length');
      if ((headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) {
        for (;;) {
          const size = parseInt(reader.line() ?? '', 16);
          if (!Number.isFinite(size) || size < 0) throw new NetworkFailure('bad chunk size');
          if (size === 0) break;
          write(reader.exactly(size));
          if (reader.line() !== '') throw new NetworkFailure('bad chunk end');
        }
      } else if (length !== undefined) {
        const n = Number(length);
        if (!Number.isSafeInteger(n) || n < 0) throw new NetworkFailure(`bad Content-Length ${length}`);
        for (let left = n; left > 0;) { const b = reader.some(left); if (b.length === 0) throw new NetworkFailure(`connection closed after ${n - left} of ${n} bytes`); write(b); left -= b.length; }
      } else {
        for (let b = reader.some(65536); b.length > 0; b = reader.some(65536)) write(b);
      }
    } finally { if (out !== 1) libc.close(out); }
    if (!quiet) libc.eprint(`'${output}' saved [${got}]\n`);
    return 0;
  } finally { libc.close(fd); }
}

/** Buffered reading from the socket: lines (CRLF) for the head, bytes for the body. */
class Reader {
  private buf = new Uint8Array(0);
  private at = 0;
  constructor(private readonly fd: number) {}

  private fill(): boolean {
    const more = libc.recv(this.fd, 65536);
    if (more.length === 0) return false;
    const rest = this.buf.subarray(this.at);
    const next = new Uint8Array(rest.length + more.length);
    next.set(rest); next.set(more, rest.length);
    this.buf = next; this.at = 0;
    return true;
  }

  line(): string | undefined {
    for (;;) {
      for (let i = this.at; i + 1 < this.buf.length; i++) {
        if (this.buf[i] === 13 && this.buf[i + 1] === 10) {
          const s = new TextDecoder().decode(this.buf.subarray(this.at, i));
          this.at = i + 2;
          return s;
        }
      }
      if (this.buf.length - this.at > 65536) throw new NetworkFailure('header line too long');
      if (!this.fill()) return undefined;
    }
  }

  /** Up to `max` bytes (at least one unless the stream ended). */
  some(max: number): Uint8Array {
    if (this.at >= this.buf.length && !this.fill()) return new Uint8Array(0);
    const n = Math.min(max, this.buf.length - this.at);
    const out = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  exactly(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let got = 0; got < n;) {
      const b = this.some(n - got);
      if (b.length === 0) throw new NetworkFailure('connection closed inside a chunk');
      out.set(b, got); got += b.length;
    }
    return out;
  }
}

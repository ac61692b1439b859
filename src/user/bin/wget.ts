// wget: fetches a URL over HTTP/1.1 and writes the body to a file.
//   wget [-q] [-O FILE] [-T SECS] URL
// http:// only (no TLS). The file is the URL's last path segment (index.html for a
// directory), or FILE (`-O -`: standard output); an existing name gets `.1`, `.2`, …
// as GNU wget does. The body's end is known from Content-Length, from chunked
// transfer coding, or (neither given) from the server closing the connection. Up to
// 20 redirects (301, 302, 303, 307, 308) are followed.
//
// Exits 0 only when the whole body arrived and was written; otherwise GNU wget's
// codes: 1 generic, 2 usage, 3 the file could not be written, 4 network failure
// (refused, reset, no answer within -T seconds, default 60), 7 protocol error (a
// malformed answer, a body shorter than announced), 8 the server answered an error
// (4xx, 5xx). A partial body is left in the file, as GNU wget leaves it.
import * as libc from '../libc/index.js';
import { AF, SOCK, inet, SysError, O } from '../libc/index.js';
import { POLL } from '../../abi/syscalls.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { resolveHost } from '../util/hosts.js';

class Failure extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

interface Url { host: string; port: number; path: string; text: string }

const HEAD_LIMIT = 64 * 1024;
const enc = new TextEncoder();
const dec = new TextDecoder();

function parseUrl(text: string, base?: Url): Url {
  let t = text;
  if (base !== undefined && t.startsWith('/')) t = `http://${base.host}:${base.port}${t}`;
  const m = /^http:\/\/([^/:?#]+)(?::(\d+))?([^#]*)/i.exec(t);
  if (m === null) throw new Failure(1, `${text}: unsupported or malformed URL (http:// only)`);
  const port = m[2] === undefined ? 80 : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw new Failure(1, `${text}: bad port`);
  let path = m[3] === '' ? '/' : m[3]!;
  if (!path.startsWith('/')) path = '/' + path;
  return { host: m[1]!, port, path, text: t };
}

/** A socket reader with a buffer and a deadline per wait. */
class Conn {
  private buf = new Uint8Array(0);
  private eof = false;
  constructor(readonly fd: number, private readonly timeoutMs: number) {}

  private fill(): boolean {
    if (this.eof) return false;
    const fds = [{ fd: this.fd, events: POLL.IN, revents: 0 }];
    if (libc.poll(fds, this.timeoutMs) === 0) throw new Failure(4, `no data for ${this.timeoutMs / 1000} s`);
    let data: Uint8Array;
    try { data = libc.recv(this.fd, 65536); } catch (e) {
      throw new Failure(4, `read error: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (data.length === 0) { this.eof = true; return false; }
    const next = new Uint8Array(this.buf.length + data.length);
    next.set(this.buf, 0);
    next.set(data, this.buf.length);
    this.buf = next;
    return true;
  }

  /** The bytes up to (not including) `\r\n\r\n`; undefined at end of stream. */
  head(): string | undefined {
    for (;;) {
      for (let i = 0; i + 3 < this.buf.length; i++) {
        if (this.buf[i] === 13 && this.buf[i + 1] === 10 && this.buf[i + 2] === 13 && this.buf[i + 3] === 10) {
          const text = dec.decode(this.buf.subarray(0, i));
          this.buf = this.buf.subarray(i + 4);
          return text;
        }
      }
      if (this.buf.length > HEAD_LIMIT) throw new Failure(7, 'response head too large');
      if (!this.fill()) return undefined;
    }
  }

  line(): string {
    for (;;) {
      const i = this.buf.indexOf(10);
      if (i >= 0) { const text = dec.decode(this.buf.subarray(0, i)).replace(/\r$/, ''); this.buf = this.buf.subarray(i + 1); return text; }
      if (this.buf.length > 4096) throw new Failure(7, 'malformed chunk size line');
      if (!this.fill()) throw new Failure(7, 'connection closed inside a chunked body');
    }
  }

  /** Up to `max` bytes (at least one unless the stream ended: then empty). */
  some(max: number): Uint8Array {
    if (this.buf.length === 0 && !this.fill()) return new Uint8Array(0);
    const n = Math.min(max, this.buf.length);
    const out = this.buf.slice(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

function connect(url: Url, timeoutMs: number, say: (s: string) => void): Conn {
  let addr: string;
  try { addr = resolveHost(url.host); } catch (e) { throw new Failure(4, e instanceof Error ? e.message : String(e)); }
  say(`Connecting to ${url.host} (${addr}):${url.port}... `);
  const fd = libc.socket(AF.INET, SOCK.STREAM);
  try { libc.connect(fd, inet(addr, url.port)); } catch (e) {
    libc.close(fd);
    throw new Failure(4, `failed: ${e instanceof SysError ? e.message.replace(/^.*: /, '') : String(e)}.`);
  }
  say('connected.\n');
  return new Conn(fd, timeoutMs);
}

function outputName(url: Url): string {
  const last = decodeURIComponent(url.path.split('?')[0]!.split('/').pop() ?? '');
  let name = last === '' || last === '.' || last === '..' ? 'index.html' : last;
  name = name.replace(/\0/g, '');
  let candidate = name;
  for (let i = 1; ; i++) {
    try { libc.lstat(candidate); } catch { return candidate; }
    candidate = `${name}.${i}`;
  }
}

export function main(argv: string[]): number {
  let quiet = false;
  const say = (s: string): void => { if (!quiet) libc.eprint(s); };
  return run('wget', () => {
    const args = parseArgs(argv.slice(1), { flags: 'q', options: 'OT', long: { quiet: 'q', 'output-document': 'O', timeout: 'T' } });
    quiet = args.flags.has('q');
    if (args.operands.length !== 1) throw new UsageError(args.operands.length === 0 ? 'missing URL' : 'one URL at a time');
    const timeoutMs = (args.options.has('T') ? parseCount(args.options.get('T')!, 'timeout') : 60) * 1000;
    try {
      let url = parseUrl(args.operands[0]!);
      for (let redirects = 0; ; redirects++) {
        const conn = connect(url, timeoutMs, say);
        try {
          const request = `GET ${url.path} HTTP/1.1\r\nHost: ${url.host}${url.port === 80 ? '' : ':' + url.port}\r\nUser-Agent: kernelkit-wget\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
          try { libc.write(conn.fd, enc.encode(request)); } catch (e) { throw new Failure(4, `write error: ${e instanceof Error ? e.message : String(e)}`); }
          say('HTTP request sent, awaiting response... ');
          const head = conn.head();
          if (head === undefined) throw new Failure(7, 'no response (connection closed)');
          const lines = head.split('\r\n');
          const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
          if (status === null) throw new Failure(7, `malformed status line '${lines[0]?.slice(0, 80)}'`);
          const code = Number(status[1]);
          say(`${code} ${status[2] ?? ''}\n`);
          const headers = new Map<string, string>();
          for (const line of lines.slice(1)) {
            const colon = line.indexOf(':');
            if (colon <= 0) throw new Failure(7, 'malformed header line');
            headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
          }
          if ([301, 302, 303, 307, 308].includes(code) && headers.has('location')) {
            if (redirects >= 20) throw new Failure(7, '20 redirections exceeded');
            url = parseUrl(headers.get('location')!, url);
            say(`Location: ${url.text} [following]\n`);
            continue;
          }
          if (code >= 400) throw new Failure(8, `ERROR ${code}: ${status[2] ?? ''}.`);
          if (code < 200 || code >= 300) throw new Failure(7, `unexpected status ${code}`);
          return receive(conn, url, headers, args.options.get('O'), say);
        } finally {
          libc.close(conn.fd);
        }
      }
    } catch (e) {
      if (e instanceof Failure) { libc.eprint(`wget: ${e.message}\n`); return e.code; }
      throw e;
    }
  });
}

function receive(conn: Conn, url: Url, headers: Map<string, string>, outOption: string | undefined, say: (s: string) => void): number {
  const chunked = (headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked');
  const lengthText = headers.get('content-length');
  let length: number | undefined;
  if (!chunked && lengthText !== undefined) {
    if (!/^\d+$/.test(lengthText)) throw new Failure(7, `bad Content-Length '${lengthText}'`);
    length = Number(lengthText);
  }
  say(`Length: ${length ?? 'unspecified'}${headers.has('content-type') ? ` [${headers.get('content-type')}]` : ''}\n`);
  const name = outOption ?? outputName(url);
  let out: number;
  if (name === '-') out = 1;
  else {
    try { out = libc.open(name, O.WRONLY | O.CREAT | O.TRUNC, 0o644); } catch (e) { throw new Failure(3, `${name}: ${e instanceof Error ? e.message.replace(/^.*: /, '') : String(e)}`); }
    say(`Saving to: '${name}'\n`);
  }
  let got = 0;
  const put = (b: Uint8Array): void => {
    try { libc.write(out, b); } catch (e) { throw new Failure(3, `write to ${name}: ${e instanceof Error ? e.message.replace(/^.*: /, '') : String(e)}`); }
    got += b.length;
  };
  try {
    if (chunked) {
      for (;;) {
        const sizeLine = conn.line();
        const m = /^([0-9a-fA-F]+)(;.*)?$/.exec(sizeLine.trim());
        if (m === null) throw new Failure(7, `malformed chunk size '${sizeLine.slice(0, 40)}'`);
        let left = parseInt(m[1]!, 16);
        if (left === 0) break;
        while (left > 0) {
          const b = conn.some(left);
          if (b.length === 0) throw new Failure(7, `connection closed after ${got} bytes, inside a chunk`);
          put(b);
          left -= b.length;
        }
        if (conn.line() !== '') throw new Failure(7, 'chunk not followed by CRLF');
      }
      // Trailers up to the empty line.
      while (conn.line() !== '') { /* ignored */ }
    } else if (length !== undefined) {
      while (got < length) {
        const b = conn.some(length - got);
        if (b.length === 0) throw new Failure(7, `connection closed at byte ${got} of ${length}`);
        put(b);
      }
    } else {
      for (;;) {
        const b = conn.some(65536);
        if (b.length === 0) break;
        put(b);
      }
    }
  } finally {
    if (out !== 1) libc.close(out);
  }
  if (name !== '-') say(`'${name}' saved [${got}${length !== undefined ? '/' + length : ''}]\n`);
  return 0;
}

// httpd: a static file server speaking HTTP/1.1 with keep-alive.
//   httpd [-q] [-p PORT] [-b ADDR] [-t SECS] [-c N] [DIR]
// Serves the files under DIR (default /srv) on ADDR:PORT (default 0.0.0.0:80; a port
// below 1024 needs root) until it is killed. GET and HEAD; a directory is served as
// its index.html or, without one, a listing. One process, one poll loop over the
// listening socket and every connection (non-blocking sockets), so a slow client
// delays nobody. Each request is logged to stderr unless -q.
//
// Limits, so no client can take the server's memory or hold it for ever: a request's
// head (request line and headers) at most 16 KiB (431), at most -c connections at once
// (default 64; more are answered 503 and closed), a connection idle for -t seconds
// (default 30) is closed, request bodies are refused (411/413: nothing here takes one).
// A path is percent-decoded and resolved inside DIR: a `..` segment, a NUL or a
// backslash is 400, so no request names a file outside DIR. Symbolic links inside DIR
// are followed, as python's http.server does: DIR's owner decides what DIR holds.
import * as libc from '../libc/index.js';
import { AF, SOCK, SO, SOL_SOCKET, MSG, SHUT, inet, SysError, Errno } from '../libc/index.js';
import { POLL } from '../../abi/syscalls.js';
import { O } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { resolveHost } from '../util/hosts.js';

const HEAD_LIMIT = 16 * 1024;
const CHUNK = 64 * 1024;
/** How long a closing connection's input is drained after the last answer (Apache's lingering close). */
const LINGER_MS = 2000;

interface Conn {
  fd: number;
  peer: string;
  /** Bytes received and not yet parsed into a request. */
  input: Uint8Array;
  /** What is queued to send: headers and small bodies as bytes, file bodies as a reader. */
  output: Uint8Array[];
  file: { fd: number; left: number } | undefined;
  /** Close once the output is sent. */
  closing: boolean;
  /** Set once the answer is out and the sending side shut: input is read and dropped until then (ms), so the close does not reset a peer still sending. */
  lingerUntil: number | undefined;
  lastActive: number;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', htm: 'text/html; charset=utf-8', txt: 'text/plain; charset=utf-8', css: 'text/css',
  js: 'text/javascript', json: 'application/json', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  svg: 'image/svg+xml', wasm: 'application/wasm', md: 'text/markdown; charset=utf-8', c: 'text/plain; charset=utf-8',
  sh: 'text/plain; charset=utf-8', tar: 'application/x-tar', gz: 'application/gzip', pdf: 'application/pdf',
};

const REASONS: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  411: 'Length Required', 413: 'Content Too Large', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
  503: 'Service Unavailable', 505: 'HTTP Version Not Supported',
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const nowMs = (): number => libc.clockGettime(1) / 1e6;

export function main(argv: string[]): number {
  return run('httpd', () => {
    const args = parseArgs(argv.slice(1), { flags: 'q', options: 'pbtc' });
    if (args.operands.length > 1) throw new UsageError('extra operand');
    const root = (args.operands[0] ?? '/srv').replace(/\/+$/, '') || '/';
    const port = args.options.has('p') ? parseCount(args.options.get('p')!, 'port') : 80;
    if (port < 1 || port > 65535) throw new UsageError(`invalid port: '${args.options.get('p')}'`);
    const idleMs = (args.options.has('t') ? parseCount(args.options.get('t')!, 'timeout') : 30) * 1000;
    const maxConns = args.options.has('c') ? parseCount(args.options.get('c')!, 'connections') : 64;
    const quiet = args.flags.has('q');
    const st = libc.stat(root);
    if (!libc.isDir(st.mode)) throw new UsageError(`${root}: not a directory`);

    const listener = libc.socket(AF.INET, SOCK.STREAM | SOCK.NONBLOCK);
    libc.setsockopt(listener, SOL_SOCKET, SO.REUSEADDR, 1);
    libc.bind(listener, inet(resolveHost(args.options.get('b') ?? '0.0.0.0'), port));
    libc.listen(listener, 128);
    if (!quiet) libc.eprint(`httpd: serving ${root} on port ${port}\n`);
    const log = (c: Conn, line: string, status: number, bytes: number): void => {
      if (!quiet) libc.eprint(`${c.peer} "${line}" ${status} ${bytes}\n`);
    };

    const conns = new Map<number, Conn>();
    for (;;) {
      const fds: libc.PollFd[] = [{ fd: listener, events: POLL.IN, revents: 0 }];
      for (const c of conns.values()) fds.push({ fd: c.fd, events: c.lingerUntil === undefined && (c.output.length > 0 || c.file !== undefined) ? POLL.OUT : POLL.IN, revents: 0 });
      libc.poll(fds, conns.size > 0 ? 1000 : -1);
      const now = nowMs();
      if ((fds[0]!.revents & POLL.IN) !== 0) acceptAll(listener, conns, maxConns, now);
      for (const p of fds.slice(1)) {
        const c = conns.get(p.fd);
        if (c === undefined) continue;
        try {
          if ((p.revents & (POLL.ERR | POLL.NVAL)) !== 0) { drop(conns, c); continue; }
          if (c.lingerUntil !== undefined) {
            // Closing: read and drop what the peer still sends, until it ends or the time is up.
            const gone = (p.revents & (POLL.IN | POLL.HUP)) !== 0 && libc.recv(c.fd, CHUNK, MSG.DONTWAIT).length === 0;
            if (gone || now > c.lingerUntil) drop(conns, c);
            continue;
          }
          if ((p.revents & POLL.OUT) !== 0) {
            flush(c);
            c.lastActive = now;
            // A pipelined request waits for the answer before it: its turn now.
            if (c.output.length === 0 && c.file === undefined && c.input.length > 0) serveRequests(c, root, log);
          }
          else if ((p.revents & (POLL.IN | POLL.HUP)) !== 0) {
            const data = libc.recv(c.fd, CHUNK, MSG.DONTWAIT);
            if (data.length === 0) { drop(conns, c); continue; }
            c.input = concat(c.input, data);
            c.lastActive = now;
            serveRequests(c, root, log);
          }
          if (c.closing && c.output.length === 0 && c.file === undefined) {
            // The answer is out: end our side, then drain (see lingerUntil).
            try { libc.shutdown(c.fd, SHUT.WR); } catch { /* the peer is gone */ }
            c.lingerUntil = now + LINGER_MS;
          } else if (now - c.lastActive > idleMs) drop(conns, c);
        } catch (e) {
          if (e instanceof SysError && e.errno === Errno.EAGAIN) continue;
          // A peer that reset or vanished ends its connection only.
          drop(conns, c);
        }
      }
    }
  });
}

function acceptAll(listener: number, conns: Map<number, Conn>, maxConns: number, now: number): void {
  for (;;) {
    let a: { fd: number; peer: libc.SockAddr };
    try { a = libc.accept(listener, SOCK.NONBLOCK); } catch (e) {
      if (e instanceof SysError && (e.errno === Errno.EAGAIN || e.errno === Errno.ECONNABORTED)) return;
      throw e;
    }
    const c: Conn = { fd: a.fd, peer: libc.showAddr(a.peer), input: new Uint8Array(0), output: [], file: undefined, closing: false, lingerUntil: undefined, lastActive: now };
    const busy = [...conns.values()].filter((x) => !x.closing).length;
    if (busy >= maxConns) {
      // Over the limit: told 503 and closed (lingering, as any close); past twice the
      // limit in all, closed at once.
      if (conns.size >= 2 * maxConns) { libc.close(a.fd); continue; }
      c.output.push(response(503, 'too many connections\n', true));
      c.closing = true;
    }
    conns.set(a.fd, c);
  }
}

function drop(conns: Map<number, Conn>, c: Conn): void {
  conns.delete(c.fd);
  if (c.file !== undefined) { try { libc.close(c.file.fd); } catch { /* closed */ } c.file = undefined; }
  try { libc.close(c.fd); } catch { /* closed */ }
}

/** Sends what is queued until the socket takes no more (EAGAIN ends it for now). */
function flush(c: Conn): void {
  for (;;) {
    if (c.output.length === 0 && c.file !== undefined) {
      const chunk = libc.read(c.file.fd, Math.min(CHUNK, c.file.left));
      c.file.left -= chunk.length;
      if (chunk.length > 0) c.output.push(chunk);
      if (chunk.length === 0 || c.file.left <= 0) { libc.close(c.file.fd); c.file = undefined; }
      if (chunk.length === 0) { c.closing = true; return; } // the file shrank under us: the length sent is wrong, end the connection
    }
    const head = c.output[0];
    if (head === undefined) return;
    const n = libc.send(c.fd, head, MSG.DONTWAIT | MSG.NOSIGNAL);
    if (n < head.length) { c.output[0] = head.subarray(n); return; }
    c.output.shift();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function headEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

/** Parses and answers every whole request in the input (pipelined ones in order). */
function serveRequests(c: Conn, root: string, log: (c: Conn, line: string, status: number, bytes: number) => void): void {
  while (!c.closing && c.file === undefined) {
    const end = headEnd(c.input);
    if (end < 0) {
      if (c.input.length > HEAD_LIMIT) { queueError(c, 431, 'request head too large\n', log, '-'); }
      return;
    }
    if (end > HEAD_LIMIT) { queueError(c, 431, 'request head too large\n', log, '-'); return; }
    const lines = dec.decode(c.input.subarray(0, end)).split('\r\n');
    c.input = c.input.subarray(end + 4);
    const requestLine = lines[0] ?? '';
    const m = /^([A-Z]+) (\S+) HTTP\/(\d)\.(\d)$/.exec(requestLine);
    if (m === null) { queueError(c, 400, 'malformed request line\n', log, requestLine); return; }
    const [, method, target, major, minor] = m as unknown as [string, string, string, string, string];
    if (major !== '1') { queueError(c, 505, 'HTTP/1.x only\n', log, requestLine); return; }
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) { queueError(c, 400, 'malformed header\n', log, requestLine); return; }
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const connection = (headers.get('connection') ?? '').toLowerCase();
    const keepAlive = minor === '0' ? connection === 'keep-alive' : connection !== 'close';
    if (headers.has('transfer-encoding')) { queueError(c, 411, 'request bodies are not taken\n', log, requestLine); return; }
    if (Number(headers.get('content-length') ?? '0') !== 0) { queueError(c, 413, 'request bodies are not taken\n', log, requestLine); return; }
    if (method !== 'GET' && method !== 'HEAD') { queueError(c, 405, 'GET and HEAD only\n', log, requestLine, ['Allow: GET, HEAD']); return; }
    const path = resolveTarget(target);
    if (path === undefined) { queueError(c, 400, 'bad path\n', log, requestLine); return; }
    serveFile(c, root, path, method === 'HEAD', keepAlive, requestLine, log);
  }
}

/** The path a request target names, as segments under the root; undefined if it climbs out or is malformed. */
function resolveTarget(target: string): string[] | undefined {
  const raw = target.split(/[?#]/)[0]!;
  if (!raw.startsWith('/')) return undefined;
  let path: string;
  try { path = decodeURIComponent(raw); } catch { return undefined; }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    parts.push(seg);
  }
  return parts;
}

function serveFile(c: Conn, root: string, parts: string[], head: boolean, keepAlive: boolean, line: string,
  log: (c: Conn, line: string, status: number, bytes: number) => void): void {
  let file = (root === '/' ? '' : root) + '/' + parts.join('/');
  let fd: number;
  try {
    let st = libc.stat(file);
    if (libc.isDir(st.mode)) {
      try { st = libc.stat(file.replace(/\/$/, '') + '/index.html'); file = file.replace(/\/$/, '') + '/index.html'; } catch {
        const body = enc.encode(listing(file, parts));
        c.output.push(enc.encode(headers(200, 'text/html; charset=utf-8', body.length, keepAlive)));
        if (!head) c.output.push(body);
        c.closing = !keepAlive;
        log(c, line, 200, head ? 0 : body.length);
        return;
      }
    }
    if (!libc.isReg(st.mode)) { queueError(c, 403, 'not a regular file\n', log, line); return; }
    fd = libc.open(file, O.RDONLY);
  } catch (e) {
    const status = e instanceof SysError && (e.errno === Errno.EACCES || e.errno === Errno.EPERM) ? 403 : 404;
    queueError(c, status, status === 403 ? 'forbidden\n' : 'not found\n', log, line, [], keepAlive);
    return;
  }
  const size = libc.fstat(fd).size;
  const ext = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  c.output.push(enc.encode(headers(200, TYPES[ext] ?? 'application/octet-stream', size, keepAlive)));
  if (head || size === 0) libc.close(fd);
  else c.file = { fd, left: size };
  c.closing = !keepAlive;
  log(c, line, 200, head ? 0 : size);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function listing(dir: string, parts: string[]): string {
  const names = libc.readdir(dir).map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort();
  const base = '/' + parts.map(encodeURIComponent).join('/') + (parts.length > 0 ? '/' : '');
  const items = names.map((n) => `<li><a href="${escapeHtml(base + encodeURIComponent(n))}">${escapeHtml(n)}</a></li>`);
  const title = escapeHtml('/' + parts.join('/'));
  return `<!doctype html>\n<title>Index of ${title}</title>\n<h1>Index of ${title}</h1>\n<ul>\n${items.join('\n')}\n</ul>\n`;
}

function headers(status: number, type: string, length: number, keepAlive: boolean, extra: string[] = []): string {
  return [`HTTP/1.1 ${status} ${REASONS[status] ?? ''}`, 'Server: kernelkit-httpd', `Content-Type: ${type}`, `Content-Length: ${length}`,
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}`, ...extra, '', ''].join('\r\n');
}

function response(status: number, body: string, close: boolean, extra: string[] = []): Uint8Array {
  const b = enc.encode(body);
  return enc.encode(headers(status, 'text/plain; charset=utf-8', b.length, !close, extra) + body);
}

/** Queues an error answer; errors in the request itself end the connection (its framing is not to be trusted). */
function queueError(c: Conn, status: number, body: string, log: (c: Conn, line: string, status: number, bytes: number) => void,
  line: string, extra: string[] = [], keepAlive = false): void {
  c.output.push(response(status, body, !keepAlive, extra));
  c.closing = !keepAlive;
  if (!keepAlive) c.input = new Uint8Array(0);
  log(c, line, status, body.length);
}

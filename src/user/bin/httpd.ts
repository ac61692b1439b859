// httpd: a static-file HTTP/1.1 server. Serves DIR (default /srv) on PORT (default
// 80, which needs root) until killed: GET and HEAD, keep-alive (HTTP/1.1's default;
// "Connection: close" or HTTP/1.0 ends it), Content-Length on every answer, a
// directory's index.html or else a listing. Up to 64 connections are open at once,
// read with poll: a request is answered as soon as it is whole (the answer itself is
// sent in one go), and a connection idle for 10 s is closed. Request paths are untrusted: they are decoded,
// cut at '?' and refused (403) if any segment is "..", so nothing outside DIR is
// reachable; headers beyond 8 KiB are refused (431).
import * as libc from '../libc/index.js';
import { AF, SOCK, SO, SOL_SOCKET, POLL, CLOCK, inet, isDir, isReg, SysError, O } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';

const IDLE_MS = 10_000;
const MAX_HEADER = 8192;
const encoder = new TextEncoder();

export function main(argv: string[]): number {
  return run('httpd', () => {
    const args = parseArgs(argv.slice(1), { flags: 'q', options: 'p' });
    const port = args.options.has('p') ? parseCount(args.options.get('p')!, 'port') : 80;
    if (port < 1 || port > 65535) throw new UsageError(`invalid port: '${args.options.get('p')}'`);
    if (args.operands.length > 1) throw new UsageError('one DIR at most');
    const root = (args.operands[0] ?? '/srv').replace(/\/+$/, '') || '/';
    if (!isDir(libc.stat(root).mode)) throw new UsageError(`${root}: not a directory`);
    const fd = libc.socket(AF.INET, SOCK.STREAM);
    libc.setsockopt(fd, SOL_SOCKET, SO.REUSEADDR, 1);
    libc.bind(fd, inet('0.0.0.0', port));
    libc.listen(fd, 16);
    if (!args.flags.has('q')) libc.eprint(`httpd: serving ${root} on port ${port}\n`);
    const conns = new Map<number, Conn>();
    for (;;) {
      const fds = [{ fd, events: conns.size < MAX_CONNECTIONS ? POLL.IN : 0, revents: 0 }, ...[...conns.keys()].map((c) => ({ fd: c, events: POLL.IN, revents: 0 }))];
      libc.poll(fds, 1000);
      if ((fds[0]!.revents & POLL.IN) !== 0) {
        try { conns.set(libc.accept(fd).fd, { buffered: new Uint8Array(0), last: nowMs() }); } catch (e) { if (!(e instanceof SysError)) throw e; }
      }
      for (const p of fds.slice(1)) {
        const c = conns.get(p.fd)!;
        let keep = true;
        if (p.revents !== 0) {
          try { keep = serve(p.fd, c, root); } catch (e) {
            // A peer that resets or goes away ends its connection only.
            if (!(e instanceof SysError)) throw e;
            keep = false;
          }
        } else if (nowMs() - c.last > IDLE_MS) keep = false;
        if (!keep) { conns.delete(p.fd); libc.close(p.fd); }
      }
    }
  });
}

const MAX_CONNECTIONS = 64;
interface Conn { buffered: Uint8Array; last: number }
const nowMs = (): number => libc.clockGettime(CLOCK.MONOTONIC) / 1e6;

/** Reads what arrived on a connection and answers every whole request in it; false to close it. */
function serve(fd: number, c: Conn, root: string): boolean {
  const more = libc.recv(fd, 65536);
  if (more.length === 0) return false;
  c.last = nowMs();
  const next = new Uint8Array(c.buffered.length + more.length);
  next.set(c.buffered); next.set(more, c.buffered.length);
  c.buffered = next;
  for (;;) {
    const end = headerEnd(c.buffered);
    if (end < 0) {
      if (c.buffered.length > MAX_HEADER) { respond(fd, 431, 'Request Header Fields Too Large', false); return false; }
      return true;
    }
    const head = new TextDecoder().decode(c.buffered.subarray(0, end));
    c.buffered = c.buffered.slice(end + 4);
    const [requestLine = '', ...headerLines] = head.split('\r\n');
    const headers = new Map(headerLines.map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string]; }));
    const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(requestLine);
    if (m === null) { respond(fd, 400, 'Bad Request', false); return false; }
    const [, method, target, minor] = m;
    const connection = (headers.get('connection') ?? '').toLowerCase();
    const keepAlive = minor === '1' ? connection !== 'close' : connection === 'keep-alive';
    // A request body (none expected) is not read: refuse it and close.
    if (headers.has('content-length') && headers.get('content-length') !== '0') { respond(fd, 413, 'Payload Too Large', false); return false; }
    if (method !== 'GET' && method !== 'HEAD') { respond(fd, 405, 'Method Not Allowed', keepAlive, 'Allow: GET, HEAD\r\n'); if (!keepAlive) return false; continue; }
    answer(fd, root, target!, method === 'HEAD', keepAlive);
    if (!keepAlive) return false;
  }
}

function headerEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  return -1;
}

function respond(fd: number, status: number, reason: string, keepAlive: boolean, extra = '', body = `${status} ${reason}\n`, head = false, type = 'text/plain'): void {
  const bytes = encoder.encode(body);
  sendAll(fd, encoder.encode(`HTTP/1.1 ${status} ${reason}\r\nServer: kernelkit-httpd\r\nContent-Type: ${type}\r\nContent-Length: ${bytes.length}\r\n${extra}Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`));
  if (!head) sendAll(fd, bytes);
}

function sendAll(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length;) done += libc.send(fd, data.subarray(done));
}

/** The file under `root` that `target` names, or an HTTP status for why not. */
function resolve(root: string, target: string): string | number {
  let path: string;
  try { path = decodeURIComponent(target.split('?')[0]!); } catch { return 400; }
  if (!path.startsWith('/') || path.includes('\0')) return 400;
  const segments = path.split('/').filter((s) => s.length > 0 && s !== '.');
  if (segments.includes('..')) return 403;
  return `${root === '/' ? '' : root}/${segments.join('/')}`;
}

function answer(fd: number, root: string, target: string, head: boolean, keepAlive: boolean): void {
  const path = resolve(root, target);
  if (typeof path === 'number') { respond(fd, path, path === 403 ? 'Forbidden' : 'Bad Request', keepAlive, '', undefined, head); return; }
  let st;
  try { st = libc.stat(path); } catch { respond(fd, 404, 'Not Found', keepAlive, '', undefined, head); return; }
  let file = path;
  if (isDir(st.mode)) {
    if (!target.split('?')[0]!.endsWith('/')) { respond(fd, 301, 'Moved Permanently', keepAlive, `Location: ${target.split('?')[0]}/\r\n`, undefined, head); return; }
    try {
      const index = `${path.replace(/\/$/, '')}/index.html`;
      if (isReg(libc.stat(index).mode)) { file = index; st = libc.stat(index); }
    } catch { /* no index: a listing */ }
    if (file === path) {
      const names = libc.readdir(path).map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort();
      const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      const html = `<!doctype html>\n<title>${escape(target)}</title>\n<ul>\n${names.map((n) => `<li><a href="${encodeURIComponent(n)}">${escape(n)}</a></li>`).join('\n')}\n</ul>\n`;
      respond(fd, 200, 'OK', keepAlive, '', html, head, 'text/html');
      return;
    }
  }
  if (!isReg(st.mode)) { respond(fd, 403, 'Forbidden', keepAlive, '', undefined, head); return; }
  let f: number;
  try { f = libc.open(file, O.RDONLY); } catch { respond(fd, 403, 'Forbidden', keepAlive, '', undefined, head); return; }
  try {
    const size = libc.fstat(f).size;
    sendAll(fd, encoder.encode(`HTTP/1.1 200 OK\r\nServer: kernelkit-httpd\r\nContent-Type: ${contentType(file)}\r\nContent-Length: ${size}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`));
    if (head) return;
    for (let sent = 0; sent < size;) {
      const chunk = libc.read(f, 65536);
      if (chunk.length === 0) break; // the file shrank: the client sees a short body
      sendAll(fd, chunk);
      sent += chunk.length;
    }
  } finally { libc.close(f); }
}

function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return ({ html: 'text/html', htm: 'text/html', txt: 'text/plain', css: 'text/css', js: 'text/javascript', json: 'application/json', png: 'image/png', jpg: 'image/jpeg', svg: 'image/svg+xml' } as Record<string, string>)[ext] ?? 'application/octet-stream';
}

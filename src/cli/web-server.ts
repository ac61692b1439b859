// The browser lab's web server: the static site in dist/web/ (scripts/build-web.mjs),
// served on 127.0.0.1 with the cross-origin isolation headers SharedArrayBuffer needs
// on every response (COOP same-origin, COEP require-corp). Paths are resolved beneath
// the site's root; anything else is 404. With `isolation: false` it is a plain static
// server that sets no such headers (what GitHub Pages and the like do): the site's
// service worker then adds them.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../hosts/node/machine.js';

export const SITE = path.join(packageRoot, 'dist/web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.cpio': 'application/octet-stream', '.wasm': 'application/wasm',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
};

export interface Served { server: http.Server; port: number; url: string; close(): Promise<void> }

/** Serves `root` on 127.0.0.1:`port` (0: a free port). */
export async function serveSite(root: string, port: number, isolation: boolean): Promise<Served> {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    if (isolation) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    }
    res.setHeader('Cache-Control', 'no-cache');
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { Allow: 'GET, HEAD' }).end(); return; }
    let rel: string;
    try { rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname); } catch { res.writeHead(400).end('bad path\n'); return; }
    const file = path.resolve(base, '.' + (rel.endsWith('/') ? rel + 'index.html' : rel));
    if (file !== base && !file.startsWith(base + path.sep)) { res.writeHead(404).end('not found\n'); return; }
    // The length sent is the length of the file opened, and the bytes are that file's:
    // a build that replaces it meanwhile (by a rename) does not cut the answer short.
    fs.open(file, 'r', (err, fd) => {
      const missing = (): void => { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n'); };
      if (err !== null) { missing(); return; }
      fs.fstat(fd, (err2, st) => {
        if (err2 !== null || !st.isFile()) { fs.close(fd, () => {}); missing(); return; }
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
        if (req.method === 'HEAD') { fs.close(fd, () => {}); res.end(); return; }
        fs.createReadStream('', { fd, autoClose: true }).pipe(res);
      });
    });
  });
  // Node closes an idle kept-alive connection after 5 s by default, less than a
  // browser keeps one: a request the page sends on it as it closes fails ("Failed to
  // fetch"). Idle connections stay open for as long as a browser keeps them.
  server.keepAliveTimeout = 5 * 60_000;
  server.headersTimeout = server.keepAliveTimeout + 1000;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  const actual = (server.address() as { port: number }).port;
  return {
    server, port: actual, url: `http://127.0.0.1:${actual}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Whether dist/web/ is missing or older than what it is built from. */
export function siteStale(): boolean {
  const built = path.join(SITE, '.built');
  if (!fs.existsSync(built) || !fs.existsSync(path.join(SITE, 'app.js'))) return true;
  const at = fs.statSync(built).mtimeMs;
  const newer = (p: string): boolean => {
    if (!fs.existsSync(p)) return false;
    const st = fs.statSync(p);
    if (!st.isDirectory()) return st.mtimeMs > at;
    return fs.readdirSync(p).some((n) => newer(path.join(p, n)));
  };
  return ['src', 'build/initramfs.cpio', 'scripts/build-web.mjs'].some((p) => newer(path.join(packageRoot, p)));
}

/** Builds dist/web/ (scripts/build-web.mjs); throws with the builder's message when it fails. */
export function buildSite(): void {
  const r = spawnSync(process.execPath, [path.join(packageRoot, 'scripts/build-web.mjs'), '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the web lab failed: ${(r.stderr || r.stdout).trim()}`);
}

// httpd and wget over loopback TCP on every preset: httpd serves a directory, wget
// fetches a file whose SHA-256 (computed by the guest's sha256sum) must equal the
// host's digest of the same bytes; a directory's index, a missing file (exit 8), a
// path that climbs out of the directory (403, exit 8, both plain and %-encoded), two
// requests on one keep-alive connection, and hostile requests (a garbage request line,
// an oversized header) answered with 400 and 431 without stopping the server, and a
// request served while another connection sits idle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { boot, noLeaks, PRESETS } from './harness.js';

const SCRIPT = [
  'mkdir -p /tmp/www/sub',
  'seq 1 150000 > /tmp/www/big.txt',
  'echo hello-index > /tmp/www/sub/index.html',
  'httpd -q -p 8080 /tmp/www &',
  'for i in $(seq 1 100); do ss -lt | grep -q :8080 && break; sleep 0.1; done',
  'wget -q -O /tmp/got http://127.0.0.1:8080/big.txt; echo wget=$?',
  'sha256sum /tmp/got',
  'wget -q -O - http://localhost:8080/sub/',
  'wget -q -O /tmp/x http://127.0.0.1:8080/nope; echo missing=$?',
  "wget -q -O - 'http://127.0.0.1:8080/../../etc/passwd'; echo climb=$?",
  "wget -q -O - 'http://127.0.0.1:8080/sub/%2e%2e/%2e%2e/etc/passwd'; echo climb-encoded=$?",
  "printf 'GET /sub/ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /sub/index.html HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' | nc -w 5 127.0.0.1 8080 > /tmp/two",
  'echo keepalive=$(grep -c "HTTP/1.1 200 OK" /tmp/two)',
  "printf 'BLAH\\r\\n\\r\\n' | nc -w 5 127.0.0.1 8080 | head -1",
  "seq 1 3000 | tr '\\n' x | nc -w 5 127.0.0.1 8080 | head -1",
  'wget -q -O /tmp/again http://127.0.0.1:8080/big.txt; echo still-serving=$?',
  // An idle connection does not hold the server: wget is served while it stays open.
  'nc 127.0.0.1 8080 < /dev/null > /dev/null &',
  'for i in $(seq 1 100); do ss -t | grep ESTAB | grep -q :8080 && break; sleep 0.1; done',
  'wget -q -O /tmp/third http://127.0.0.1:8080/sub/; echo beside-idle=$?',
  'kill -0 %2 && echo idle-still-open',
  'kill %2; kill %1; wait; echo done',
].join('\n');

const expected = createHash('sha256').update(execFileSync('seq', ['1', '150000'])).digest('hex');

for (const preset of PRESETS) {
  test(`httpd serves and wget fetches over loopback on ${preset}`, { timeout: 180_000 }, async () => {
    const r = await boot(preset, ['/bin/sh', '-c', SCRIPT]);
    const out = r.stdout + r.stderr;
    assert.match(r.stdout, /^wget=0$/m, out);
    assert.match(r.stdout, new RegExp(`^${expected}  /tmp/got$`, 'm'), out);
    assert.match(r.stdout, /^hello-index$/m, out);
    assert.match(r.stdout, /^missing=8$/m, out);
    assert.match(r.stdout, /^climb=8$/m, out);
    assert.match(r.stdout, /^climb-encoded=8$/m, out);
    assert.match(r.stderr, /ERROR 403: Forbidden/, out);
    assert.match(r.stdout, /^keepalive=2$/m, out);
    assert.match(r.stdout, /^HTTP\/1\.1 400 Bad Request\r?$/m, out);
    assert.match(r.stdout, /^HTTP\/1\.1 431 Request Header Fields Too Large\r?$/m, out);
    assert.match(r.stdout, /^still-serving=0$/m, out);
    assert.match(r.stdout, /^beside-idle=0$/m, out);
    assert.match(r.stdout, /^idle-still-open$/m, out);
    assert.match(r.stdout, /^done$/m, out);
    assert.equal(noLeaks(r), undefined);
  });
}

// httpd and wget over loopback TCP on every preset: a file the host wrote, served by
// the guest's httpd from a read-only share and fetched by the guest's wget, hashes to
// what Node's crypto computes on the host; keep-alive and pipelined requests are
// answered in order; and, as an attacker would try them, paths that climb out of the
// served directory, an oversized request head and a connection flood are refused,
// while wget reports a short body, a server error and a refused connection with
// GNU wget's exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sh, noLeaks, PRESETS } from './harness.js';

// Waits (bounded) until httpd answers, so the test never races its start.
const UP = 'i=0; until wget -q -O /dev/null http://127.0.0.1:8080/ 2>/dev/null || [ $i -ge 100 ]; do sleep 0.05; i=$((i+1)); done';

for (const p of PRESETS) {
  test(`wget fetches a host file served by httpd, byte for byte; keep-alive and pipelining (${p})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-http-'));
    try {
      const data = randomBytes(2 * 1024 * 1024 + 123);
      fs.writeFileSync(path.join(dir, 'data.bin'), data);
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'a.txt'), 'first\n');
      fs.writeFileSync(path.join(dir, 'sub', 'b.txt'), 'second\n');
      const r = await sh(p, [
        'httpd -q -p 8080 /srv & h=$!',
        UP,
        'cd /tmp && wget -q http://127.0.0.1:8080/data.bin; echo rc=$?',
        'sha256sum data.bin',
        // Two requests written at once on one connection: both answered, in order.
        "printf 'GET /sub/a.txt HTTP/1.1\\r\\nHost: t\\r\\n\\r\\nGET /sub/b.txt HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n' | nc 127.0.0.1 8080 | tr -d '\\r' | grep -v -e '^[A-Z][A-Za-z-]*: ' -e '^HTTP/1.1 200 OK$' -e '^$'",
        'wget -q -O - http://localhost:8080/sub/ | grep -c "<li>"',
        'kill $h; wait $h',
      ].join('\n'), { mounts: [{ host: dir, guest: '/srv', readOnly: true }] });
      const want = createHash('sha256').update(data).digest('hex');
      assert.equal(r.stdout, `rc=0\n${want}  data.bin\nfirst\nsecond\n2\n`, r.stderr);
      assert.equal(noLeaks(r), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`httpd refuses paths out of its directory, oversized heads and floods; wget's exit codes (${p})`, async () => {
    const r = await sh(p, [
      'mkdir /tmp/www && echo inside > /tmp/www/in.txt',
      'httpd -q -c 3 -p 8080 /tmp/www & h=$!',
      UP,
      // Each status line only: the body must never be /etc/passwd.
      "for t in /../etc/passwd /%2e%2e/etc/passwd /sub/../../etc/passwd '/..%2fetc/passwd' 'http://x/etc/passwd'; do printf 'GET %s HTTP/1.1\\r\\n\\r\\n' \"$t\" | nc 127.0.0.1 8080 > /tmp/ans; head -1 /tmp/ans | tr -d '\\r'; grep -c root: /tmp/ans; done",
      // A 20 KiB header: 431, and the connection ends.
      "{ printf 'GET /in.txt HTTP/1.1\\r\\nX: '; head -c 20480 /dev/zero | tr '\\0' a; printf '\\r\\n\\r\\n'; } | nc 127.0.0.1 8080 | head -1 | tr -d '\\r'",
      'printf "POST /in.txt HTTP/1.1\\r\\nContent-Length: 3\\r\\n\\r\\nabc" | nc 127.0.0.1 8080 | head -1 | tr -d "\\r"',
      // Three idle connections fill -c 3; the fourth is told 503. It connects only once the
      // three are established (ss lists their client ends), or on a loaded host it could
      // come first, be served, and hold its keep-alive connection open.
      'j=; for i in 1 2 3; do sleep 5 | nc -N 127.0.0.1 8080 > /dev/null & j="$j $!"; done',
      "i=0; until [ \"$(ss -t | grep -c ' 127.0.0.1:8080$')\" -ge 3 ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i+1)); done",
      'printf "GET /in.txt HTTP/1.1\\r\\n\\r\\n" | nc 127.0.0.1 8080 | head -1 | tr -d "\\r"',
      'wait $j; sleep 0.2',
      'wget -q -O - http://127.0.0.1:8080/in.txt',
      'wget -q -O /dev/null http://127.0.0.1:8080/missing; echo missing=$?',
      'wget -q -O /dev/null http://127.0.0.1:8089/; echo refused=$?',
      'wget -q -O /dev/null https://127.0.0.1/; echo scheme=$?',
      'kill $h; wait $h',
      // A server that announces 100 bytes and sends 5: 7, and the 5 are kept.
      "printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 100\\r\\n\\r\\nshort' | nc -N -l 9000 > /dev/null & n=$!",
      'i=0; while :; do wget -q -O /tmp/part http://127.0.0.1:9000/; rc=$?; [ $rc -ne 4 ] || [ $i -ge 100 ] && break; sleep 0.05; i=$((i+1)); done; echo short=$rc; cat /tmp/part; echo',
      'wait $n',
      // Chunked transfer coding.
      "printf 'HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n6\\r\\n world\\r\\n0\\r\\n\\r\\n' | nc -N -l 9001 > /dev/null & n=$!",
      'i=0; while :; do wget -q -O /tmp/ch http://127.0.0.1:9001/; rc=$?; [ $rc -ne 4 ] || [ $i -ge 100 ] && break; sleep 0.05; i=$((i+1)); done; echo chunked=$rc; cat /tmp/ch; echo',
      'wait $n',
    ].join('\n'));
    const climb = ['HTTP/1.1 403 Forbidden', '0'];
    assert.equal(r.stdout, [
      ...climb, ...climb, ...climb, ...climb, 'HTTP/1.1 400 Bad Request', '0',
      'HTTP/1.1 431 Request Header Fields Too Large',
      'HTTP/1.1 413 Content Too Large',
      'HTTP/1.1 503 Service Unavailable',
      'inside',
      'missing=8', 'refused=4', 'scheme=1',
      'short=7', 'short',
      'chunked=0', 'hello world', '',
    ].join('\n'), r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}

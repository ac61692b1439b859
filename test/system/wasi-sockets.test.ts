// WASI sockets on every preset: a WASI HTTP server written in C (/bin/wasi-httpd,
// built by clang from src/user/c/wasi-httpd.c) serves a host curl through
// `--listen 8080 --net user --forward`, SHA-256 compared, and keeps serving after a
// flood of host connections; and a module compiled here from test/wasi/sock-attack.c
// tries what it should not be able to do with sock_accept/recv/send/shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { PRESETS } from './harness.js';
import { freePort, start, stop, waitFor, sha, sleep } from './net-peers.js';

const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/wasi/sock-attack.c');

// WASI errnos: BADF 8, AGAIN 6, FAULT 21, INVAL 28, NOTCONN 53, NOTSOCK 57, NOTSUP 58, PIPE 64.
const EXPECTED: Record<string, number> = {
  fdstat_listener: 0, listener_type: 6 /* SOCKET_STREAM */, prestat_listener: 0, prestat_listener_tag: 1, dir_after_listener: 1,
  accept_dir: 57, accept_stdin: 57, accept_closed_fd: 8, accept_bad_flags: 28, accept_bad_pointer: 21,
  set_nonblock: 0, accept_nonblocking_empty: 6, recv_listener: 53, send_listener: 53, set_blocking: 0,
  open_file: 0, send_file: 57, recv_file: 57, shutdown_file: 57, accept_file: 57, shutdown_dir: 57,
  ready: 0, accept: 0, fdstat_connection: 0, conn_type: 6, accept_on_connection: 28,
  recv_bad_flags: 58, send_bad_flags: 58, shutdown_how_0: 28, shutdown_how_4: 28,
  recv_iovs_off_memory: 21, recv_buffer_off_memory: 21, recv_huge_iovs_len: 21, recv_result_off_memory: 21,
  send_buffer_off_memory: 21, send_huge_length: 21,
  peek: 0, recv_waitall: 0, send: 0, shutdown_wr: 0, recv_end: 0, send_after_peer_left: 64, close: 0, recv_closed: 8,
};

let built: string | undefined;
function attackModule(): string {
  if (built !== undefined) return built;
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-sock-attack-'));
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-Wall', '-Werror', '-o', path.join(dir, 'sock-attack.wasm'), source]);
  built = dir;
  return dir;
}

for (const preset of PRESETS) {
  test(`WASI sockets (${preset}): a module cannot accept, receive or send on what it was not given; bad flags, iovecs and pointers are errnos and lose no byte`, async () => {
    const dir = attackModule();
    const m = start(['--preset', preset, '--listen', '8080', '--mount', `${dir}:/t:ro`],
      '(until [ -e /tmp/ready ]; do sleep 0.1; done; printf hello | nc -N 127.0.0.1 8080 > /tmp/reply) & /t/sock-attack.wasm; echo status=$?; wait; echo reply=$(cat /tmp/reply)');
    assert.equal(await stop(m), 0, m.err());
    const got: Record<string, number> = {};
    for (const [, name, n] of m.out().matchAll(/^(\w+) (-?\d+)$/gm)) got[name as string] = Number(n);
    assert.deepEqual(got, EXPECTED, m.out());
    assert.match(m.out(), /^peeked hello$/m);
    assert.match(m.out(), /^received 5 hello roflags 0$/m, 'the bytes survived the bad calls before them');
    assert.match(m.out(), /^sent bytes 5$/m);
    assert.match(m.out(), /^end bytes 0$/m, 'the client shut its side down');
    assert.match(m.out(), /^done\nstatus=0$/m, 'the send to a departed peer was EPIPE, not SIGPIPE');
    assert.match(m.out(), /^reply=world$/m, 'the client got the two ciovecs in order');
  });

  test(`WASI sockets (${preset}): wasi-httpd, built by clang from C, serves the host's curl through --listen and --forward; sha256 matches, and it outlives a flood of connections`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kk-wasi-httpd-'));
    const body = randomBytes(4 * 1024 * 1024);
    writeFileSync(path.join(dir, 'big.bin'), body);
    const port = await freePort();
    const m = start(['--preset', preset, '--net', 'user', '--forward', `${port}:8080`, '--listen', '8080', '--mount', `${dir}:/srv:ro`],
      'wasi-httpd /srv & echo started; cat > /dev/null; kill %1; wait; echo server=$?');
    const curl = (target: string, file: string): string => execFileSync('curl', ['-s', '--path-as-is', '--max-time', '60', '-o', file, '-w', '%{http_code}', `http://127.0.0.1:${port}${target}`], { encoding: 'utf8', timeout: 90_000 });
    try {
      await waitFor(m, /^started$/m, 60_000);
      const file = path.join(dir, 'back.bin');
      let code = '';
      // The listener exists once the module has started; until then the guest refuses the gateway's connection.
      for (let i = 0; i < 100 && code !== '200'; i++) {
        try { code = curl('/big.bin', file); } catch { code = ''; }
        if (code !== '200') await sleep(200);
      }
      assert.equal(code, '200', m.err());
      assert.equal(sha(readFileSync(file)), sha(body), 'curl got every byte');
      assert.equal(curl('/../etc/passwd', file), '403');
      assert.equal(curl('/missing', file), '404');

      // A flood: 100 connections that close at once, and 2 that send half a request and wait.
      const flood: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        flood.push(new Promise<void>((r) => {
          const s = net.connect(port, '127.0.0.1', () => s.destroy());
          s.on('error', () => r());
          s.on('close', () => r());
          s.setTimeout(20_000, () => s.destroy());
        }));
      }
      const held = [0, 1].map(() => net.connect(port, '127.0.0.1', function (this: net.Socket) { this.write('GET /big.bin HT'); }));
      for (const s of held) s.on('error', () => {});
      await Promise.all(flood);
      setTimeout(() => { for (const s of held) s.destroy(); }, 15_000).unref();
      code = '';
      for (let i = 0; i < 30 && code !== '200'; i++) {
        try { code = curl('/big.bin', file); } catch { code = ''; }
        if (code !== '200') await sleep(500);
      }
      for (const s of held) s.destroy();
      assert.equal(code, '200', 'still serving after the flood');
      assert.equal(sha(readFileSync(file)), sha(body));
    } finally {
      assert.equal(await stop(m), 0, m.err());
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(m.out(), /^server=143$/m, 'the server ran until it was killed (SIGTERM)');
  });
}

test('--listen: a taken port and a privileged one refuse to start the module (126, the reason on stderr); a bad address is a usage error (2)', async () => {
  const m = start(['--listen', '8080'], 'nc -l 8080 < /dev/null > /dev/null & until ss -lt | grep -q :8080; do sleep 0.1; done; wasi-httpd; echo taken=$?; kill %1');
  assert.equal(await stop(m), 0, m.err());
  assert.match(m.out(), /^taken=126$/m);
  assert.match(m.err(), /^wasi-httpd: cannot listen on 0\.0\.0\.0:8080: Address already in use$/m);
  const user = start(['--listen', '80', '--user', 'user'], 'wasi-httpd; echo low=$?');
  assert.equal(await stop(user), 0, user.err());
  assert.match(user.out(), /^low=126$/m);
  assert.match(user.err(), /^wasi-httpd: cannot listen on 0\.0\.0\.0:80: Operation not permitted$/m, 'an ordinary user cannot take a port below 1024 through --listen either');
  const bad = start(['--listen', '99999'], 'true');
  assert.equal(await stop(bad), 2);
  assert.match(bad.err(), /bad --listen: '99999' is not \[ADDR:\]PORT/);
});

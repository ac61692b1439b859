// The socket tests (bin/nettests) on every preset, and on the first-generation
// transport: AF_UNIX and loopback TCP/UDP sockets behave the same wherever net runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, noLeaks, PRESETS } from './harness.js';

const runs = [...PRESETS.map((p) => [p, undefined] as const), ['microkernel', 'mach'] as const];

for (const [preset, ipc] of runs) {
  test(`nettests pass on ${preset}${ipc === undefined ? '' : ` (${ipc})`}`, { timeout: 120_000 }, async () => {
    const r = await boot(preset, ['/bin/nettests'], ipc === undefined ? {} : { ipc });
    assert.match(r.stdout, /nettests: \d+ passed, 0 failed/, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /FAILED/);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}

// nc moves a file over loopback TCP and a datagram over UDP; ss shows the listener.
const NC_SCRIPT = [
  'seq 1 30000 > /tmp/in',
  // Every wait is bounded: the listeners give up after 10 s without traffic, and the
  // client starts once ss shows the listener (net may still be starting its server).
  'nc -l -w 10 127.0.0.1 5000 > /tmp/out < /dev/null &',
  'for i in $(seq 1 100); do ss -lt | grep -q :5000 && break; sleep 0.1; done',
  'ss -lt',
  'nc -N localhost 5000 < /tmp/in; echo client=$?',
  'wait',
  'cmp /tmp/in /tmp/out && echo tcp-same',
  'nc -u -l -w 3 5001 > /tmp/u < /dev/null &',
  'for i in $(seq 1 100); do ss -lu | grep -q :5001 && break; sleep 0.1; done',
  'echo one-datagram | nc -u -w 1 127.0.0.1 5001',
  'wait',
  'cat /tmp/u',
  'nc 127.0.0.1 1 < /dev/null; echo refused=$?',
].join('\n');

for (const preset of PRESETS) {
  test(`nc over loopback TCP and UDP, and ss, on ${preset}`, { timeout: 120_000 }, async () => {
    const r = await boot(preset, ['/bin/sh', '-c', NC_SCRIPT]);
    assert.match(r.stdout, /^tcp\s+LISTEN\s+0\s+0\s+127\.0\.0\.1:5000\s/m, r.stdout + r.stderr);
    assert.match(r.stdout, /^client=0$/m, r.stdout + r.stderr);
    assert.match(r.stdout, /^tcp-same$/m, r.stdout + r.stderr);
    assert.match(r.stdout, /^one-datagram$/m, r.stdout + r.stderr);
    assert.match(r.stdout, /^refused=1$/m);
    assert.match(r.stderr, /Connection refused/);
    assert.equal(noLeaks(r), undefined);
  });
}

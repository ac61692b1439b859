// Socket calls on the direct path, on every preset: with net in its own server under
// shm (microkernel), a stream's reads are answered by net's thread (the kernel counts
// no trap for most of them); elsewhere, and under mach, each is a trap. Either way every
// byte arrives in order, through a descriptor a child inherited and one dup2'ed over
// halfway (nettests direct_stream); the trace shows the direct calls; and a net crash
// in the middle of a transfer neither hangs a process nor breaks the sockets made after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, boot, sh, noLeaks } from './harness.js';
import { loadPreset } from '../../src/hosts/presets.js';

const runs = [...PRESETS.map((p) => [p, 'shm'] as const), ['microkernel', 'mach'] as const];

for (const [preset, ipc] of runs) {
  const direct = loadPreset(preset).placement['net'] === 'user' && ipc === 'shm';
  test(`a stream over AF_UNIX and TCP: ${direct ? 'net answers the reads directly' : 'a trap each'} (${preset}, ${ipc})`, { timeout: 120_000 }, async () => {
    const r = await boot(preset, ['/bin/nettests', 'direct_stream', 'socketpair', 'poll_sockets', 'nonblocking', 'killed_while_blocked', 'reset_on_unread_close'], { ipc });
    assert.match(r.stdout, /nettests: 6 passed, 0 failed/, r.stdout + r.stderr);
    const m = /^direct_stream: unix (\d+) reads (-?\d+) trapped, tcp (\d+) reads (-?\d+) trapped$/m.exec(r.stdout);
    assert.ok(m !== null, r.stdout);
    for (const [reads, trapped] of [[Number(m[1]), Number(m[2])], [Number(m[3]), Number(m[4])]] as const) {
      assert.ok(reads >= 33, `${reads} reads of 2 MiB in reads of at most 64 KiB`);
      // A read that must wait for data is refused on the page and waits in the kernel's path.
      if (direct) assert.ok(trapped < reads / 2, `${trapped} of ${reads} reads trapped`);
      else assert.ok(trapped >= reads - 2, `${trapped} of ${reads} reads trapped`);
    }
    assert.equal(noLeaks(r), undefined);
  });
}

test('the trace shows socket calls served on the page to net (microkernel)', { timeout: 120_000 }, async () => {
  const r = await sh('microkernel', 'trace -o /tmp/t nettests socketpair > /dev/null; grep -c "process -> net (user, direct page)" /tmp/t; grep "nettests\\] write(\\|net (user, direct" /tmp/t | head -2');
  const [count, call, hop] = r.stdout.trim().split('\n');
  assert.ok(Number(count) >= 2, r.stdout + r.stderr);
  assert.match(call ?? '', /\[pid \d+ nettests\] write\(\d+, 3\) = 3 /);
  assert.match(hop ?? '', /process -> net \(user, direct page\) send\s+registers only, no kernel thread \(3 B by grant, copied once\)/);
  assert.equal(noLeaks(r), undefined);
});

test('net crashes in the middle of a transfer on the direct path: nothing hangs, the transfer ends, new sockets work (microkernel)', { timeout: 120_000 }, async () => {
  const r = await sh('microkernel', [
    'nc -l -w 10 127.0.0.1 5000 > /tmp/out < /dev/null &',
    'for i in $(seq 1 100); do ss -lt | grep -q :5000 && break; sleep 0.1; done',
    '(sleep 0.2; fault net crash) &',
    'seq 1 3000000 | nc -N -w 10 localhost 5000; echo client-done',
    'wait',
    'dmesg | grep -c "net: .*restarting"',
    'nettests socketpair direct_stream',
  ].join('\n'));
  assert.match(r.stdout, /^client-done$/m, r.stdout + r.stderr);
  // The crash took the connection with it: both ends hear EIO (from the kernel's path, the socket being of the dead instance).
  assert.match(r.stderr, /nc: Input\/output error/);
  assert.match(r.stdout, /^1$/m, `one net restart: ${r.stdout}`);
  assert.match(r.stdout, /nettests: 2 passed, 0 failed/, r.stdout + r.stderr);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(noLeaks(r), undefined);
});

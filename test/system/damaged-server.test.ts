// A server corrupted without crashing: a wild write inside vfs's own memory under
// microkernel lands in ramfs pages (programs in /bin) and vfs goes on answering with
// the damaged bytes ("Exec format error" for every program it hit, and nothing told
// the user). The supervisor now runs each user-domain server's self-check every
// selfCheckMs and restarts one that finds damage; vfs refills / from the initramfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks } from './harness.js';

// Digests of /bin, a wild write into vfs, then the files that differ now and after a wait.
const SCRIPT = [
  'cd /bin', 's=$(sha256sum *)', 'fault vfs wild-write > /dev/null', 'ls > /dev/null',
  'echo "now $(echo "$s" | sha256sum -c 2>/dev/null | grep -c FAILED)"',
  'n=0; while [ $n -lt 40 ] && ! dmesg | grep -q "vfs: damaged"; do sleep 0.25; n=$((n+1)); done',
  'sleep 0.5',
  'echo "later $(echo "$s" | sha256sum -c 2>/dev/null | grep -c FAILED)"',
  'dmesg | grep "vfs: damaged"',
  'for f in $(echo "$s" | sha256sum -c 2>/dev/null | grep FAILED | sed "s/:.*//"); do echo "broken $f"; done',
  'echo hi | wc -c',
].join('; ');

test('regression: vfs-wild-write-on-microkernel-leaves-programs-exec-format-error: the self-check finds the damage and the supervisor restarts vfs', async () => {
  const r = await sh('microkernel', SCRIPT);
  assert.equal(r.status, 0, r.stderr);
  const now = Number(/^now (\d+)$/m.exec(r.stdout)?.[1]);
  assert.ok(now >= 1, `the wild write damaged files in /bin: ${r.stdout}`);
  assert.match(r.stdout, /^later 0$/m, 'every file is intact again');
  assert.match(r.stdout, /vfs: damaged \(self-check: \/: ramfs: \d+ bytes at arena offset \d+ changed behind ramfs's back \(a wild write\)\); restarting \(restart 1\)/);
  assert.doesNotMatch(r.stdout, /^broken /m);
  assert.match(r.stdout, /^3$/m);
  assert.equal(noLeaks(r), undefined);
});

test('without the self-check (selfCheckMs 0) the same damage stays: what the check repairs', async () => {
  const r = await sh('microkernel', SCRIPT.replace('n -lt 40', 'n -lt 8'), { params: { selfCheckMs: 0 } });
  assert.equal(r.status, 0, r.stderr);
  const now = Number(/^now (\d+)$/m.exec(r.stdout)?.[1]);
  assert.ok(now >= 1, r.stdout);
  assert.match(r.stdout, new RegExp(`^later ${now}$`, 'm'), 'still damaged after the wait');
  assert.doesNotMatch(r.stdout, /vfs: damaged/);
});

test('no false alarm: files written, rewritten, truncated and removed for a few self-check rounds restart nothing', async () => {
  // ramfs's own writes mark their pages dirty; a check that took them for wild writes would restart vfs here.
  const r = await sh('microkernel', [
    'i=0; while [ $i -lt 60 ]; do seq $i 400 > /tmp/f$((i % 7)); cat /bin/ls > /tmp/b$((i % 3)); : > /tmp/f$(((i + 3) % 7)); rm -f /tmp/b$(((i + 1) % 3)); i=$((i+1)); done',
    'sleep 1.5', 'dmesg | grep -c damaged', 'lsmod | grep "^vfs "',
  ].join('; '));
  assert.match(r.stdout, /^0$/m, r.stdout);
  assert.match(r.stdout, /^vfs +user +running +0$/m);
});

// Path calls on the direct path, on every preset and transport: with vfs in its own
// server under shm, stat and lstat of a path are answered by vfs's thread (the kernel
// counts no trapped syscall for them); elsewhere each is a trap. Either way the
// answers are the same, and permissions are the caller's as they change: a process
// that gives up root (su) cannot remove root's file through the direct path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, sh, noLeaks } from './harness.js';
import { loadPreset } from '../../src/hosts/presets.js';

// The shell's own trapped-syscall count (ps -l), around 300 x 2 stats of a test builtin.
const COUNT = [
  'n() { ps -l | awk -v p=$$ \'$1 == p { print $5 }\'; }',
  'a=$(n); i=0; e=0; m=0',
  'while [ $i -lt 300 ]; do [ -e /etc/motd ] && e=$((e+1)); [ -e /nope ] || m=$((m+1)); i=$((i+1)); done',
  'b=$(n); echo "found $e missing $m trapped $((b - a))"',
].join('\n');

for (const p of PRESETS) {
  for (const ipc of ['shm', 'mach'] as const) {
    if (p === 'monolithic' && ipc !== 'shm') continue;
    test(`stat of a path: ${loadPreset(p).placement['vfs'] === 'user' && ipc === 'shm' ? 'vfs answers it directly' : 'a trap each'} (${p}, ${ipc})`, async () => {
      const direct = loadPreset(p).placement['vfs'] === 'user' && ipc === 'shm';
      const r = await sh(p, COUNT, { ipc });
      const m = /^found (\d+) missing (\d+) trapped (\d+)$/m.exec(r.stdout);
      assert.ok(m !== null, r.stdout + r.stderr);
      assert.equal(m[1], '300');
      assert.equal(m[2], '300');
      const trapped = Number(m[3]);
      // A few syscalls of the loop's own (the counting subshells' pipes and waits) trap either way.
      if (direct) assert.ok(trapped < 60, `${trapped} trapped syscalls for 600 direct stats`);
      else assert.ok(trapped >= 600, `${trapped} trapped syscalls, 600 stats expected among them`);
      assert.equal(noLeaks(r), undefined);
    });
  }

  test(`path calls act with the caller's credentials as they are now (${p})`, async () => {
    const r = await sh(p, [
      'mkdir -m 755 /tmp/rootdir && echo secret > /tmp/rootdir/f && chmod 600 /tmp/rootdir/f',
      // su's child runs as user: no unlink in root's 755 directory, stat allowed, and the file stays.
      "su user -c 'rm -f /tmp/rootdir/f; echo rm=$?; stat -c %s /tmp/rootdir/f; cd /tmp/rootdir && stat -c %U f && rm f; echo rel=$?'",
      'cat /tmp/rootdir/f',
      // Root removes it, relative to its cwd.
      'cd /tmp/rootdir && rm f && echo removed; stat f 2>/dev/null || echo gone',
    ].join('\n'));
    assert.equal(r.stdout, 'rm=1\n7\nroot\nrel=1\nsecret\nremoved\ngone\n', r.stderr);
    assert.match(r.stderr, /Permission denied/);
    assert.equal(noLeaks(r), undefined);
  });
}

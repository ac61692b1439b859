// /proc on every preset: the usertests procfs cases (each file parsed and compared with
// the kernel's own view, and the attacks: writes, bad names, a process that exits
// while its directory is open, another user's descriptors); ps, lsmod, free, uptime
// and top read /proc (take it away and they say so); the proc component placed in
// either domain, crashed, restarted, and in use while mounted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks, PRESETS } from './harness.js';

const CASES = ['procfs-self', 'procfs-ps-matches-the-kernel', 'procfs-modules-mounts-arenas-match-the-kernel', 'procfs-fds',
  'procfs-refuses-writes', 'procfs-bad-names', 'procfs-exited-process', 'procfs-another-users-fds'];

for (const preset of PRESETS) {
  test(`/proc usertests on ${preset}`, async () => {
    const r = await sh(preset, `usertests ${CASES.join(' ')}`);
    assert.match(r.stdout, new RegExp(`usertests: ${CASES.length} passed, 0 failed`), r.stdout + r.stderr);
    assert.equal(noLeaks(r), undefined);
  });

  test(`ps, lsmod, free, uptime and top read /proc on ${preset}`, async () => {
    const r = await sh(preset, [
      'ps > /dev/null && lsmod > /dev/null && free > /dev/null && uptime > /dev/null && top -b -n 1 > /dev/null && echo with-proc',
      'rmmod proc; echo "rmmod $?"',
      'umount /proc',
      'for t in ps lsmod free uptime "top -b -n 1"; do $t > /dev/null 2>&1; echo "$t $?"; done',
      'mount -t proc proc /proc && ps | head -1 && lsmod | grep "^proc "',
    ].join('; '));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^with-proc$/m);
    assert.match(r.stdout, /^rmmod 1$/m, 'proc is busy while /proc is mounted');
    assert.match(r.stderr, /rmmod: proc: Device or resource busy/);
    for (const t of ['ps', 'lsmod', 'free', 'uptime', 'top -b -n 1']) assert.match(r.stdout, new RegExp(`^${t} 1$`, 'm'), `${t} fails without /proc`);
    assert.match(r.stdout, /^ {2}PID {2}PPID STAT CMD$/m);
    assert.match(r.stdout, /^proc +(kernel|user) +running +0$/m);
    assert.equal(noLeaks(r), undefined);
  });
}

test('a crashed proc server is restarted on microkernel, and /proc goes on working (an open file too)', async () => {
  const r = await sh('microkernel', [
    'cat /proc/self/stat > /dev/null',
    // The read loop holds /proc/PID/status open across the crash.
    '(read a; fault proc crash > /dev/null; while read b; do :; done; echo "read-on $a") < /proc/self/status',
    'cat /proc/1/cmdline | tr "\\0" " "; echo',
    'lsmod | grep "^proc "',
    'ps | grep -c "ps$"',
  ].join('; '));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^read-on Name:\tsh$/m);
  assert.match(r.stdout, /^\/bin\/sh -c /m);
  assert.match(r.stdout, /^proc +user +running +1$/m, 'restarted once');
  assert.match(r.stdout, /^1$/m);
  assert.equal(noLeaks(r), undefined);
});

test('--place proc=user puts /proc in its own server under monolithic, and a crash there is survived', async () => {
  const r = await sh('monolithic', 'lsmod | grep "^proc "; fault proc crash > /dev/null; cat /proc/self/status | head -1; lsmod | grep "^proc "', { place: 'proc=user' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^proc +user +running +0$/m);
  assert.match(r.stdout, /^Name:\tcat$/m);
  assert.match(r.stdout, /^proc +user +running +1$/m);
  assert.equal(noLeaks(r), undefined);
});

test('a proc crash in the kernel domain panics monolithic, as any kernel-domain component does', async () => {
  const r = await sh('monolithic', 'fault proc crash > /dev/null; cat /proc/self/status');
  assert.equal(r.status, 70);
  assert.match(r.stderr, /panic/);
});

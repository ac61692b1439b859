// Job control in the kernel and pm, on every preset: SIGSTOP stops a process (its
// syscalls wait), SIGCONT resumes it, SIGKILL still kills it, ps shows T; and, as an
// attacker would try it, a user cannot stop another user's process or init, and a
// stopped process that holds a pipe leaves the kernel and the pipe's reader working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks, PRESETS } from './harness.js';

for (const p of PRESETS) {
  test(`a stopped process does not run, continues at SIGCONT, and SIGKILL ends it (${p})`, async () => {
    const r = await sh(p, [
      "sh -c 'while :; do echo x >> /tmp/f; done' & w=$!",
      // Started: the file grows.
      'i=0; while [ ! -s /tmp/f ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
      'kill -STOP $w; echo stop=$?',
      // A write in flight when it stopped may still land; after that nothing does.
      'sleep 0.3; a=$(wc -c < /tmp/f); sleep 0.5; b=$(wc -c < /tmp/f)',
      '[ "$a" = "$b" ] && echo frozen',
      'ps | grep "^ *$w " | grep -c " T "',
      'kill -CONT $w',
      'i=0; while [ $(wc -c < /tmp/f) -le $b ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
      '[ $(wc -c < /tmp/f) -gt $b ] && echo resumed',
      'kill -STOP $w; kill -9 $w; wait $w; echo status=$?',
    ].join('\n'));
    assert.equal(r.stdout, 'stop=0\nfrozen\n1\nresumed\nstatus=137\n', r.stderr);
    assert.equal(noLeaks(r), undefined);
  });

  test(`a user cannot stop another user's process or init; root's stop of init is ignored (${p})`, async () => {
    const r = await sh(p, [
      'sleep 30 & echo $! > /tmp/pid',
      "su user -c 'kill -STOP $(cat /tmp/pid); echo stop=$?; kill -TSTP 1; echo init=$?; kill -STOP -1; echo all=$?'",
      'ps | grep "^ *$(cat /tmp/pid) " | grep -c " T "',
      'kill -STOP 1; echo root-init=$?; echo init-runs',
      'kill $(cat /tmp/pid); wait',
    ].join('\n'));
    assert.equal(r.stdout, 'stop=1\ninit=1\nall=1\n0\nroot-init=0\ninit-runs\n', r.stderr);
    assert.match(r.stderr, /Operation not permitted/);
    assert.equal(noLeaks(r), undefined);
  });

  test(`stopping the writer of a pipe leaves the kernel and the reader working; killing it ends the pipe (${p})`, async () => {
    const r = await sh(p, [
      'yes | wc -c > /tmp/count & reader=$!',
      'i=0; while ! ps | grep -q " yes$" && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
      'y=$(ps | grep " yes$" | cut -c1-5)',
      'kill -STOP $y; echo stopped=$?',
      // The kernel serves everyone else meanwhile: the reader waits in its read.
      'ps | grep "^ *$y " | grep -c " T "; echo alive',
      'kill -9 $y',
      'wait $reader; echo reader=$?',
      '[ $(cat /tmp/count) -gt 0 ] && echo counted',
    ].join('\n'));
    assert.equal(r.stdout, 'stopped=0\n1\nalive\nreader=0\ncounted\n', r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}

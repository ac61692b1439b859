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

for (const p of PRESETS) {
  test(`a stopped job whose group is orphaned by an exit gets SIGHUP and SIGCONT; a running one is left alone (${p})`, async () => {
    const r = await sh(p, [
      // setsid's child runs in setsid's new session and group; killing setsid orphans it.
      "setsid sh -c 'sleep 30' & s=$!",
      "setsid sleep 31 & t=$!",
      // ps: PID PPID STAT CMD...; the sleeps themselves, not the setsid and sh lines naming them.
      "n() { ps | awk -v a=$1 '$4 == \"sleep\" && $5 == a { print $1 }'; }",
      'i=0; while [ -z "$(n 30)" -o -z "$(n 31)" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
      'y=$(n 30); z=$(n 31)',
      'kill -STOP $y',
      'i=0; while ! ps | grep "^ *$y " | grep -q " T " && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
      'kill -9 $s $t; wait $s $t',
      // The stopped sleep is hung up; the running one (same situation, nothing stopped) is not.
      'i=0; while [ -n "$(n 30)" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
      'echo "[$(n 30)]" "[$(n 31)]" | sed "s/\\[$z\\]/[z]/"',
      'dmesg | grep "orphaned with a stopped member" | grep -c " $y$"',
      'kill $z',
    ].join('\n'));
    assert.equal(r.stdout, '[] [z]\n1\n', r.stderr);
  });
}

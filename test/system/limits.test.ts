// Hangs and resource limits, on every preset: a malformed reply from pm or the console
// fails one call and never stops the machine; a WASI program's memory stops at
// RLIMIT_AS; a spawn loop that fills the process table is stopped by the shell's kill
// builtin, which needs no process slot. Each test is named after the bug it pins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks, PRESETS, type RunResult } from './harness.js';
import type { MachineOptions } from '../../src/hosts/node/machine.js';

/** Runs `line`, failing (instead of waiting forever) when the machine has not halted within `ms`. */
async function within(ms: number, preset: string, line: string, extra: Partial<MachineOptions> = {}): Promise<RunResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`${preset}: no halt within ${ms} ms (hung): ${line}`)), ms); });
  try {
    return await Promise.race([sh(preset, line, extra), hang]);
  } finally {
    clearTimeout(timer);
  }
}

for (const preset of PRESETS) {
  test(`fault pm bad-reply; echo one hangs the machine forever (${preset})`, async () => {
    // NOTE: a user-domain pm is armed by a message that can arrive after the next
    // request, so the bad reply hits the exit of `fault` or one of the next calls (a
    // fork, then EIO for that /bin/true): the line goes on either way.
    const r = await within(60_000, preset, 'fault pm bad-reply; echo one; /bin/true; /bin/true; /bin/echo two; echo three=$?');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'one\ntwo\nthree=0\n');
    assert.equal(noLeaks(r), undefined);
  });

  test(`fault console bad-reply: the write fails, the shell goes on (${preset})`, async () => {
    const r = await within(60_000, preset, 'fault console bad-reply; echo one; echo two; /bin/echo three');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^two\nthree\n$/m);
    assert.equal(noLeaks(r), undefined);
  });

  test(`exit does not depend on pm: a lost exit is reaped by the kernel (${preset})`, async () => {
    // With one attempt, the bad reply to the exit of `fault` is final: pm never records it.
    // A kernel-domain pm is armed at once, so the exit of `fault` is the call that is lost
    // unless the shell's wait for `fault` reached pm after the arming (a loaded host): then
    // the wait gets the EIO, the shell asks again, and nothing is lost. A few boots give
    // the exit its turn; every boot must end in one of the two outcomes.
    let lostExit = false;
    for (let boot = 0; boot < 4 && !lostExit; boot++) {
      const r = await within(60_000, preset, 'fault pm bad-reply; /bin/true; /bin/true; /bin/echo two; dmesg | grep -c "the kernel reaps it"', { params: { pmExitAttempts: 1 } });
      assert.match(r.stdout, /^two\n[01]\n$/, r.stderr);
      assert.equal(r.leaks?.processes, 0);
      if (r.stdout === 'two\n1\n') { lostExit = true; continue; }
      // The other outcome: the lost reply was a wait's (or, for a user-domain pm, a later call's).
      if (preset !== 'microkernel') assert.match(r.stderr, /sh: wait for \d+: Input\/output error; asking again/);
    }
    if (preset !== 'microkernel') assert.ok(lostExit, 'in four boots the exit of `fault` was never the lost call');
  });

  test(`a WASI program can allocate until the host runs out of memory (${preset})`, async () => {
    const r = await within(120_000, preset, [
      '/usr/lib/wasi-tests/alloc.wasm 4096',
      'ulimit -v 65536; /usr/lib/wasi-tests/alloc.wasm 4096',
      'ulimit -v 512; /usr/lib/wasi-tests/alloc.wasm 1; echo status=$?',
    ].join('; '));
    assert.equal(r.status, 0, r.stderr);
    const got = [...r.stdout.matchAll(/^allocated (\d+) MiB, then malloc failed/gm)].map((m) => Number(m[1]));
    assert.equal(got.length, 2, r.stdout);
    assert.ok(got[0]! > 512 && got[0]! <= 1024, `the default RLIMIT_AS (1 GiB) stops it: ${got[0]} MiB`);
    assert.ok(got[1]! > 32 && got[1]! <= 64, `ulimit -v 65536 stops it at 64 MiB: ${got[1]} MiB`);
    assert.match(r.stdout, /^status=126$/m);
    assert.match(r.stderr, /alloc\.wasm: cannot run: the module needs \d+ (KiB|MiB) of memory at start, over its RLIMIT_AS of 512 KiB/);
    assert.equal(noLeaks(r), undefined);
  });

  test(`a spawn loop fills the process slots and then kill cannot start (${preset})`, async () => {
    // A small table (24 slots, 4 reserved for init) filled for real by two loops: one in a
    // subshell (it stops at the reserve), then one in init itself (every slot).
    const r = await within(120_000, preset, [
      "sh -c 'while /bin/true; do /bin/sleep 1000 & done; echo full > /tmp/full; while :; do /bin/sleep 1000 & done' 2>/dev/null &",
      'until [ -e /tmp/full ]; do :; done',
      '/bin/echo the reserve lets init start a program',
      'ps | grep -c "sleep 1000$"',
      'while /bin/true 2>/dev/null; do /bin/sleep 1000 & done',
      '/bin/echo not-started 2>/dev/null || echo the table is full',
      'kill -9 -1; echo kill=$?',
      'wait',
      '/bin/echo a program starts again',
      'ps | grep -c "sleep 1000$"',
    ].join('\n'), { params: { maxProcesses: 24, processReserve: 4 } });
    // Before the kill: 24 slots - 4 reserved - init - the looping subshell = 18 sleepers.
    assert.equal(r.stdout, 'the reserve lets init start a program\n18\nthe table is full\nkill=0\na program starts again\n0\n', r.stderr);
    assert.equal(noLeaks(r), undefined);
  });

  test(`kill and ulimit builtins: names, numbers, -l, jobs, bad input (${preset})`, async () => {
    const r = await within(60_000, preset, [
      'kill -l 9; kill -l TERM; kill -l 152',
      '/bin/sleep 100 & kill -s TERM %1; wait %1; echo term=$?',
      '/bin/sleep 100 & kill -SIGUSR1 $!; wait $!; echo usr1=$?',
      '/bin/sleep 100 & kill -9 $!; wait $!; echo nine=$?',
      'kill -FOO 1; echo bad=$?', 'kill -9; echo notarget=$?', 'kill; echo none=$?', 'kill %7; echo nojob=$?', 'kill 30000; echo nopid=$?',
      'ulimit -x; echo badopt=$?', 'ulimit -n abc; echo badnum=$?', 'ulimit -n 100000; echo over=$?',
      'ulimit -S -n 20; ulimit -n; ulimit -H -n', 'ulimit -t 5; ulimit -t; ulimit -a | grep -c unlimited',
    ].join('\n'));
    assert.equal(r.stdout, 'KILL\n15\nXCPU\nterm=143\nusr1=138\nnine=137\nbad=2\nnotarget=2\nnone=2\nnojob=1\nnopid=1\nbadopt=2\nbadnum=1\nover=1\n20\n256\n5\n0\n', r.stderr);
    assert.match(r.stderr, /kill: FOO: invalid signal specification/);
    assert.match(r.stderr, /ulimit: Operation not permitted/);
    assert.equal(noLeaks(r), undefined);
  });
}

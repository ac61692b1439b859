// HangJudge: a silent server that burns CPU is hung after cpuLimitMs of it; a silent
// one that burns none (descheduled on a loaded host) only after timeoutMs of silence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HangJudge } from '../../src/kernel/component/hang.js';

test('a beating server is never hung, however much CPU it uses', () => {
  const j = new HangJudge(0);
  for (let t = 0, cpu = 0; t < 5000; t += 10, cpu += 10) assert.equal(j.hung(t / 10, t, cpu, 500, 50), false);
});

test('a silent server that spins is hung after cpuLimitMs of CPU time, long before the silence timeout', () => {
  const j = new HangJudge(0);
  assert.equal(j.hung(7, 0, 1000, 500, 50), false);
  let t = 10, cpu = 1010, seen = -1;
  for (; t <= 500; t += 10, cpu += 10) if (j.hung(7, t, cpu, 500, 50)) { seen = t; break; }
  // The CPU clock starts at the first look that finds the beat unchanged (t = 10).
  assert.equal(seen, 60);
});

test('a silent server that gets no CPU (descheduled) is hung only after the silence timeout', () => {
  const j = new HangJudge(0);
  assert.equal(j.hung(3, 0, 200, 500, 50), false);
  for (let t = 10; t <= 500; t += 10) assert.equal(j.hung(3, t, 200 + (t < 30 ? t / 10 : 3), 500, 50), false, `t=${t}`);
  assert.equal(j.hung(3, 510, 203, 500, 50), true);
});

test('the CPU rule restarts when the beat moves, and is off at 0 or without the host\'s CPU time', () => {
  const j = new HangJudge(0);
  j.hung(1, 0, 0, 500, 50);
  j.hung(1, 10, 0, 500, 50);
  assert.equal(j.hung(1, 20, 40, 500, 50), false);
  assert.equal(j.hung(2, 30, 45, 500, 50), false, 'a beat: the CPU burnt before it does not count');
  j.hung(2, 40, 45, 500, 50);
  assert.equal(j.hung(2, 50, 90, 500, 50), false);
  assert.equal(j.hung(2, 60, 95, 500, 50), true);
  const off = new HangJudge(0);
  off.hung(1, 0, 0, 500, 0);
  assert.equal(off.hung(1, 100, 10000, 500, 0), false);
  const blind = new HangJudge(0);
  blind.hung(1, 0, undefined, 500, 50);
  assert.equal(blind.hung(1, 400, undefined, 500, 50), false);
  assert.equal(blind.hung(1, 501, undefined, 500, 50), true);
});

test('a server that beats only while awake: asleep with its CPU time still is alive however long; asleep while burning CPU is hung', () => {
  // Idle for ten silence timeouts: every look finds it asleep and its CPU unchanged.
  const idle = new HangJudge(0);
  assert.equal(idle.hung(1, 0, 100, 500, 50, true), false);
  for (let t = 10; t <= 5000; t += 10) assert.equal(idle.hung(1, t, 100, 500, 50, true), false, `t=${t}`);
  // It wakes, works a little between two looks and sleeps again: still alive.
  assert.equal(idle.hung(1, 5010, 103, 500, 50, true), false);
  assert.equal(idle.hung(1, 5020, 103, 500, 50, true), false);
  // Asleep on its doorbell but spinning in another task of the thread (a call resumed by a
  // message): the asleep bit does not hide it, the spinning rule sees the CPU time.
  const spinning = new HangJudge(0);
  let seen = -1;
  for (let t = 0, cpu = 0; t <= 500; t += 10, cpu += 10) if (spinning.hung(4, t, cpu, 500, 50, true)) { seen = t; break; }
  assert.equal(seen, 60);
  // Asleep without a CPU clock (a host that cannot tell): only the silence rule judges.
  const blind = new HangJudge(0);
  blind.hung(1, 0, undefined, 500, 50, true);
  assert.equal(blind.hung(1, 501, undefined, 500, 50, true), true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Doorbell, Linger, answerWord, pollLoop, ringBell } from '../../src/lib/poller.js';

test('a ring says whether it woke a sleeper: false for a consumer that is not asleep, true for one in Doorbell.sleep', async () => {
  const memory = new SharedArrayBuffer(8);
  const bell = new Doorbell(memory, 0);
  assert.equal(bell.ring(), false, 'nobody asleep');
  assert.equal(ringBell(new Int32Array(memory, 0, 1)), false);
  // A consumer thread that reports, then sleeps on the bell until a ring.
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    const word = new Int32Array(workerData, 0, 1);
    const seen = Atomics.load(word, 0) & ~1;
    Atomics.or(word, 0, 1);
    parentPort.postMessage('sleeping');
    Atomics.wait(word, 0, seen | 1);
    Atomics.and(word, 0, ~1);
    parentPort.postMessage('woke');
  `;
  const w = new Worker(source, { eval: true, workerData: memory });
  try {
    const messages: unknown[] = [];
    const next = (): Promise<unknown> => new Promise((resolve) => { if (messages.length > 0) resolve(messages.shift()); else w.once('message', resolve); });
    assert.equal(await next(), 'sleeping');
    assert.equal(bell.ring(), true, 'the ring found the sleeping bit and woke it');
    assert.equal(await next(), 'woke');
    assert.equal(bell.ring(), false, 'awake again');
  } finally {
    await w.terminate();
  }
});

test('answerWord says whether it woke the waiter; a loop given a Linger polls on, idle, until then, and then sleeps', async () => {
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  assert.equal(answerWord(ctl, 0, 3, 2), false, 'nobody flagged asleep: no wake-up');
  Atomics.store(ctl, 3, 1);
  assert.equal(answerWord(ctl, 0, 3, 2), true, 'a waiter flagged asleep was woken');

  const bell = new Doorbell(new SharedArrayBuffer(8), 0);
  const linger = new Linger(60_000_000);
  linger.answered(false);
  assert.equal(linger.until, 0, 'an answer that woke nobody does not linger');
  linger.answered(true);
  let polls = 0;
  let running = true;
  const loop = pollLoop({
    doorbell: bell, poll: () => { polls++; return false; }, spinUs: 0, running: () => running, linger, sleepMs: 50,
    host: { yieldMacrotask: () => new Promise((r) => setImmediate(r)) },
  });
  const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  try {
    await settle(20);
    // No work at all and no spin budget: only the linger keeps it polling.
    assert.equal(bell.asleep(), false, 'lingering, not asleep');
    const before = polls;
    await settle(20);
    assert.ok(polls > before, 'still polling');
    linger.until = 0;
    for (let i = 0; i < 200 && !bell.asleep(); i++) await settle(10);
    assert.equal(bell.asleep(), true, 'asleep once the linger is over');
  } finally {
    running = false;
    bell.ring();
    await loop;
  }
});

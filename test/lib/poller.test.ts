import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Doorbell, ringBell } from '../../src/lib/poller.js';

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

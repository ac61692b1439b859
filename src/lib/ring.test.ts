import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteRing, MessageRing, ringBytes } from './ring.js';

test('message ring keeps order and content across wrap-arounds', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 300 }), fc.integer({ min: 1, max: 5 }), (messages, batch) => {
    const ring = new MessageRing(new SharedArrayBuffer(ringBytes(1024)), 0, 1024);
    const got: Uint8Array[] = [];
    let i = 0;
    while (i < messages.length) {
      let pushed = 0;
      while (i < messages.length && pushed < batch && ring.push(messages[i]!)) { i++; pushed++; }
      for (let m = ring.pop(); m !== undefined; m = ring.pop()) got.push(m);
      if (pushed === 0 && ring.isEmpty()) assert.fail('a message that fits an empty ring was refused');
    }
    assert.deepEqual(got, messages);
  }));
});

test('message ring refuses a message larger than half its capacity', () => {
  const ring = new MessageRing(new SharedArrayBuffer(ringBytes(256)), 0, 256);
  assert.equal(ring.push(new Uint8Array(200)), false);
  assert.equal(ring.push(new Uint8Array(ring.maxMessage)), true);
});

test('byte ring is a FIFO that never overfills', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 100 })), (chunks) => {
    const ring = new ByteRing(new SharedArrayBuffer(ringBytes(64)), 0, 64);
    const sent: number[] = [];
    const got: number[] = [];
    for (const c of chunks) {
      const n = ring.push(c);
      assert.ok(n <= c.length && ring.available <= 64);
      sent.push(...c.subarray(0, n));
      got.push(...ring.pop(Math.floor(c.length / 2)));
    }
    got.push(...ring.pop(1000));
    assert.deepEqual(got, sent);
  }));
});

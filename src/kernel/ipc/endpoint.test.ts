import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ShmEndpoint, channelMemory } from './endpoint.js';
import { Doorbell } from '../../lib/poller.js';
import type { Message } from './message.js';

test('shm endpoints carry messages larger than a ring, in order, through fragments', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20000 }), { minLength: 1, maxLength: 12 }), (sizes) => {
    const memory = channelMemory(4096);
    const a = new ShmEndpoint(memory, 0, new Doorbell(new SharedArrayBuffer(4)));
    const b = new ShmEndpoint(memory, 1, new Doorbell(new SharedArrayBuffer(4)));
    const got: Message[] = [];
    b.setHandler((m) => got.push(m));
    const sent: Message[] = sizes.map((n, id) => ({ t: 'ok', id, v: new Uint8Array(n).fill(id & 0xff) }));
    for (const m of sent) a.send(m);
    // Both sides poll, as their threads would, until everything arrived.
    for (let rounds = 0; got.length < sent.length; rounds++) {
      assert.ok(rounds < 10000, 'delivery makes progress');
      a.poll();
      b.poll();
    }
    assert.deepEqual(got, sent);
    assert.equal(a.backlogged, 0);
  }));
});

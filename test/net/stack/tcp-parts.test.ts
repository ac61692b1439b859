// The TCP core's parts alone: the out-of-order queue against a model (random,
// overlapping segments: what comes out in order is exactly the bytes that arrived),
// its bound on held pieces, sequence arithmetic across wrap-around, the send buffer's
// ring, and the RTO estimator's RFC 6298 arithmetic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OutOfOrderQueue, MAX_SEGMENTS } from '../../../src/services/net/stack/tcp/out-of-order.js';
import { SendBuffer } from '../../../src/services/net/stack/tcp/send-buffer.js';
import { RtoEstimator } from '../../../src/services/net/stack/tcp/rto.js';
import { Scoreboard, MAX_RUNS } from '../../../src/services/net/stack/tcp/scoreboard.js';
import { seqAdd, seqLt, seqGt } from '../../../src/services/net/stack/tcp/seq.js';
import { ip, pair, seeded } from './harness.js';

const streamByte = (i: number): number => (i * 131 + 7) & 0xff;

test('the out-of-order queue gives back exactly the stream, from random overlapping segments across the 2^32 wrap', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rnd = seeded(seed);
    const q = new OutOfOrderQueue();
    const base = 0xffffffff - 3000; // the stream crosses the wrap
    const total = 8000;
    let next = 0; // bytes delivered in order
    const out: number[] = [];
    for (let round = 0; round < 400 && next < total; round++) {
      const start = next + Math.floor(rnd() * 1500);
      const len = 1 + Math.floor(rnd() * 400);
      const end = Math.min(total, start + len);
      if (start >= end) continue;
      const data = Uint8Array.from({ length: end - start }, (_, i) => streamByte(start + i));
      if (start === next) {
        out.push(...data);
        next = end;
      } else {
        q.add(seqAdd(base, start), data, false);
      }
      const more = q.take(seqAdd(base, next));
      for (const d of more.data) { out.push(...d); next += d.length; }
    }
    assert.deepEqual(out, Array.from({ length: next }, (_, i) => streamByte(i)), `seed ${seed}`);
  }
});

test('the out-of-order queue holds at most MAX_SEGMENTS pieces however the peer slices its data', () => {
  const q = new OutOfOrderQueue();
  for (let i = 0; i < 20_000; i++) q.add(1000 + 2 * i, new Uint8Array([1]), false);
  assert.equal(q.segments, MAX_SEGMENTS);
  assert.equal(q.bytes, MAX_SEGMENTS);
});

test('sequence comparisons hold across wrap-around', () => {
  assert.ok(seqLt(0xfffffff0, 0x10));
  assert.ok(seqGt(0x10, 0xfffffff0));
  assert.equal(seqAdd(0xffffffff, 1), 0);
});

test('the send buffer reads any range back across its ring and drops from the front', () => {
  const b = new SendBuffer(10_000);
  const model: number[] = [];
  let n = 0;
  const rnd = seeded(3);
  for (let round = 0; round < 300; round++) {
    const add = Uint8Array.from({ length: Math.floor(rnd() * 3000) }, () => n++ & 0xff);
    const took = b.push(add);
    model.push(...add.subarray(0, took));
    assert.ok(b.size <= 10_000);
    const off = Math.floor(rnd() * (model.length + 1)), len = Math.floor(rnd() * 2000);
    assert.deepEqual([...b.read(off, len)], model.slice(off, off + len));
    const drop = Math.floor(rnd() * 2500);
    b.drop(drop);
    model.splice(0, drop);
  }
});

test('RTO estimation follows RFC 6298: first sample, smoothing, clamping, backoff', () => {
  const r = new RtoEstimator();
  assert.equal(r.rto, 1000);
  r.sample(100); // SRTT 100, RTTVAR 50
  assert.equal(r.rto, 300);
  r.sample(200); // RTTVAR 0.75*50 + 0.25*100 = 62.5; SRTT 112.5
  assert.equal(r.rto, 112.5 + 250);
  r.expired(); r.expired();
  assert.equal(r.rto, 4 * 362.5);
  r.sample(10);
  assert.ok(r.rto >= 200, 'never below the minimum');
  for (let i = 0; i < 30; i++) r.expired();
  assert.equal(r.rto, 120_000);
});

test('connections in TIME_WAIT make way for new ones at the connection limit', () => {
  const { clock, a, b } = pair({}, 2, { tcp: { maxConnections: 4 } });
  const l = b.tcp.listen(80, 8, { receive: 4096, send: 4096 });
  for (let i = 0; i < 10; i++) {
    const c = a.tcp.connect(41000 + i, ip('10.0.0.2'), 80, { receive: 4096, send: 4096 });
    a.settle();
    clock.advance(clock.now() + 20);
    const s = l.ready.shift();
    assert.ok(s !== undefined, `connection ${i} accepted`);
    s.listener = undefined;
    s.close(); // the server closes first: it keeps TIME_WAIT
    b.settle();
    clock.advance(clock.now() + 20);
    c.close();
    a.settle();
    clock.advance(clock.now() + 20);
    assert.ok(b.tcp.connections.size <= 4, `${b.tcp.connections.size} connections at the server`);
  }
  assert.ok([...b.tcp.connections.values()].some((c) => c.state === 'TIME_WAIT'));
});

test('the SACK scoreboard keeps only blocks inside (SND.UNA, SND.MAX], merged, and its holes are what lies between', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 200_000 }),
    fc.array(fc.array(fc.tuple(fc.integer({ min: -50_000, max: 250_000 }), fc.integer({ min: -10, max: 30_000 })), { maxLength: 4 }), { maxLength: 40 }),
    (una, span, acks) => {
      const max = seqAdd(una, span);
      const board = new Scoreboard();
      const held = new Set<number>(); // offsets from una, for spans small enough to enumerate
      for (const blocks of acks) {
        const sack = blocks.map(([at, len]) => [seqAdd(una, at), seqAdd(una, at + len)] as const);
        board.update(sack, una, max);
        for (const [at, len] of blocks) if (at >= 0 && len > 0 && at + len <= span) for (let i = at; i < at + len; i++) held.add(i);
      }
      assert.equal(board.bytes, held.size);
      for (const i of [0, 1, span - 1, ...[...held].slice(0, 50)]) assert.equal(board.holds(seqAdd(una, i)), held.has(i), `offset ${i}`);
      // Holes: disjoint, in order, none of their bytes held, and lost only with enough held above.
      let last = una;
      for (const h of board.holes(una, una, 1000)) {
        assert.ok(!seqLt(h.start, last) && seqLt(h.start, h.end) && !seqGt(h.end, max));
        assert.ok(!board.holds(h.start) && !board.holds(seqAdd(h.end, -1)));
        assert.ok(board.holds(h.end), 'a hole ends where a held run starts');
        last = h.end;
      }
      // The cumulative ACK moving up forgets what lies below it.
      const mid = seqAdd(una, span >> 1);
      board.advance(mid);
      assert.equal(board.bytes, [...held].filter((i) => i >= span >> 1).length);
    },
  ), { seed: 0x5ac0, numRuns: 300 });
});

test('the SACK scoreboard holds at most MAX_RUNS runs however the peer slices its blocks', () => {
  const board = new Scoreboard();
  for (let i = 0; i < 500; i++) board.update([[2 * i + 1, 2 * i + 2]], 0, 10_000);
  assert.ok(board.holes(0, 0, 1).length <= MAX_RUNS);
  assert.ok(board.bytes <= MAX_RUNS);
});

// Unit tests of the crash-semantics backing store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBacking, PowerCutBacking, PowerLostError } from './power-cut.js';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

test('unflushed writes are visible to reads and lost at the cut; flushed ones survive', () => {
  const disk = new MemoryBacking(16);
  const pc = new PowerCutBacking(disk, { cutAtWrite: 3 });
  pc.write(0, bytes(1, 2));
  pc.flush();
  pc.write(4, bytes(7));
  assert.deepEqual(pc.read(3, 3), bytes(0, 7, 0));
  assert.equal(disk.bytes[4], 0, 'not durable before flush');
  assert.throws(() => pc.write(8, bytes(9)), PowerLostError);
  assert.equal(pc.writes, 3);
  assert.equal(pc.dropped, 1);
  assert.deepEqual(disk.bytes.slice(0, 9), bytes(1, 2, 0, 0, 0, 0, 0, 0, 0));
  assert.throws(() => pc.read(0, 1), PowerLostError);
  assert.throws(() => pc.flush(), PowerLostError);
});

test('a seeded random cut point is reproducible and inside the range', () => {
  const a = new PowerCutBacking(new MemoryBacking(8), { seed: 42, randomWithin: 100 });
  const b = new PowerCutBacking(new MemoryBacking(8), { seed: 42, randomWithin: 100 });
  assert.equal(a.cutPoint, b.cutPoint);
  assert.ok(a.cutPoint! >= 1 && a.cutPoint! <= 100);
  const points = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => new PowerCutBacking(new MemoryBacking(8), { seed, randomWithin: 1000 }).cutPoint));
  assert.ok(points.size > 1, 'different seeds pick different points');
});

test('reorder lets a seeded subset of unflushed writes survive, in some order', () => {
  let sawPartial = false;
  for (let seed = 1; seed <= 20; seed++) {
    const disk = new MemoryBacking(64);
    const pc = new PowerCutBacking(disk, { seed, reorder: true });
    for (let i = 0; i < 32; i++) pc.write(i, bytes(1));
    pc.powerCut();
    const landed = disk.bytes.slice(0, 32).reduce((n, x) => n + x, 0);
    assert.equal(landed, pc.survived);
    assert.equal(pc.survived + pc.dropped, 32);
    if (landed > 0 && landed < 32) sawPartial = true;
  }
  assert.ok(sawPartial);
});

test('writes outside the store are refused', () => {
  const pc = new PowerCutBacking(new MemoryBacking(8));
  assert.throws(() => pc.write(7, bytes(1, 2)), RangeError);
  assert.throws(() => new MemoryBacking(4).read(2, 3), RangeError);
});

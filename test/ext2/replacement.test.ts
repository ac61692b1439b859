// The buffer cache's replacement: CLOCK (second chance). A hit only marks the buffer
// referenced; eviction sweeps a hand over the slots, clearing the marks it passes and
// taking the first buffer it finds unmarked. So a block in use survives a stream of
// blocks read once (a scan), and eviction finds a victim even when every buffer is
// marked (after one lap, the first buffer the hand passed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECTOR_SIZE } from '../../src/abi/blk.js';
import { asBlockNo } from '../../src/abi/ids.js';
import { BufferCache } from '../../src/services/ext2/cache.js';
import { memoryDevice, newArena } from './device.js';

const BLOCK = 1024;
const SLOTS = 64;

function setup(): { cache: BufferCache; readsOf: (block: number) => number } {
  const { device, memory } = memoryDevice(1 << 20);
  // Every block holds its own number, so a buffer that came back wrong shows.
  for (let b = 0; b < (1 << 20) / BLOCK; b++) memory.write(b * BLOCK, new Uint8Array(new Int32Array(BLOCK / 4).fill(b).buffer));
  const reads = new Map<number, number>();
  const read = device.read.bind(device);
  device.read = async (sector: number, count: number): Promise<Uint8Array> => {
    const per = BLOCK / SECTOR_SIZE;
    for (let b = sector / per; b < (sector + count) / per; b++) reads.set(b, (reads.get(b) ?? 0) + 1);
    return read(sector, count);
  };
  const cache = new BufferCache(device, newArena(), 'ext2', BLOCK, SLOTS * BLOCK, (1 << 20) / BLOCK);
  return { cache, readsOf: (b) => reads.get(b) ?? 0 };
}

const holds = async (cache: BufferCache, block: number): Promise<void> => {
  const buf = await cache.get(asBlockNo(block), 'data');
  assert.equal(new Int32Array(buf.data.buffer, buf.data.byteOffset, 1)[0], block, `buffer of block ${block} holds its bytes`);
};

test('ext2 cache: a block in use survives a scan of blocks read once', async () => {
  const { cache, readsOf } = setup();
  const hot = 5;
  await holds(cache, hot);
  // Five times the cache's size of other blocks, each read once, the hot one between them.
  for (let k = 0; k < 5 * SLOTS; k++) {
    await holds(cache, 100 + k);
    await holds(cache, hot);
  }
  assert.equal(readsOf(hot), 1, 'the hot block was read from the device once');
  assert.ok(cache.has(asBlockNo(hot)), 'the hot block is cached');
  assert.ok(!cache.has(asBlockNo(100)), 'a block read once, long ago, is not');
  for (let k = 0; k < 5 * SLOTS; k++) assert.equal(readsOf(100 + k), 1, `block ${100 + k} read once`);
});

test('ext2 cache: eviction finds a victim when every buffer is referenced', async () => {
  const { cache, readsOf } = setup();
  for (let b = 0; b < SLOTS; b++) await holds(cache, 200 + b);
  // Every buffer referenced since it was installed.
  for (let b = 0; b < SLOTS; b++) await holds(cache, 200 + b);
  for (let b = 0; b < SLOTS; b++) assert.equal(readsOf(200 + b), 1, `block ${200 + b}: the second read was a hit`);
  // The cache is full and every buffer marked: one lap clears the marks, and the first
  // buffer the hand passed (the first installed, in the first slot) goes.
  await holds(cache, 500);
  assert.ok(!cache.has(asBlockNo(200)), 'the oldest buffer made room');
  // (`has` looks without marking a buffer referenced.)
  for (let b = 1; b < SLOTS; b++) assert.ok(cache.has(asBlockNo(200 + b)), `block ${200 + b} still cached`);
  // The hand goes on to the next slot.
  await holds(cache, 200);
  assert.equal(readsOf(200), 2);
  assert.ok(!cache.has(asBlockNo(201)), 'the next oldest went for it');
  assert.ok(cache.has(asBlockNo(500)), 'the newest stayed');
});

// readInto: a filesystem copies a file's bytes from its own memory (ext2's buffer cache,
// ramfs's pages) straight into a granted window of the caller's memory. Judged against
// read() and against a model of the file: random sparse files that reach ext2's single
// and double indirect blocks, random reads into a window of a larger memory filled
// with a marker byte. Holes must arrive as zeros (the window held other bytes), the
// count must be read()'s, and nothing outside the window may change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FileSystem } from '../../src/abi/fs.js';
import { S } from '../../src/abi/fs.js';
import type { Ino } from '../../src/abi/ids.js';
import { WindowGrant } from '../../src/kernel/ipc/grant.js';
import { mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { Ramfs } from '../../src/services/ramfs/ramfs.js';
import { memoryDevice, newArena } from './device.js';

const MARK = 0xa5;
const WINDOW_AT = 4096;

interface Case { writes: { offset: number; length: number; byte: number }[]; reads: { offset: number; length: number }[] }

// Offsets up to 1.5 MiB: with 1 KiB blocks that is past the 12 direct blocks, through
// the single indirect block (256 more) and into the double indirect tree.
const span = 1536 << 10;
const arbCase = fc.record({
  writes: fc.array(fc.record({ offset: fc.integer({ min: 0, max: span }), length: fc.integer({ min: 1, max: 70_000 }), byte: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 6 }),
  reads: fc.array(fc.record({ offset: fc.integer({ min: 0, max: span + 80_000 }), length: fc.integer({ min: 0, max: 200_000 }) }), { minLength: 1, maxLength: 8 }),
});

async function check(fs: FileSystem, name: string, c: Case): Promise<void> {
  assert.ok(fs.readInto !== undefined, `${fs.fsType} has readInto`);
  const ino: Ino = await fs.create(fs.root(), name, S.IFREG | 0o644);
  let model = new Uint8Array(0);
  for (const w of c.writes) {
    const data = new Uint8Array(w.length).fill(w.byte);
    assert.equal(await fs.write(ino, w.offset, data), w.length);
    if (model.length < w.offset + w.length) { const grown = new Uint8Array(w.offset + w.length); grown.set(model); model = grown; }
    model.set(data, w.offset);
  }
  const memory = new Uint8Array(new SharedArrayBuffer(WINDOW_AT * 2 + 200_000));
  for (const r of c.reads) {
    memory.fill(MARK);
    const grant = new WindowGrant(memory, { grant: 1, offset: WINDOW_AT, length: r.length, writable: true });
    const n = await fs.readInto(ino, r.offset, grant);
    grant.revoke();
    const expected = model.subarray(Math.min(r.offset, model.length), Math.min(r.offset + r.length, model.length));
    assert.equal(n, expected.length, `count of readInto(${r.offset}, ${r.length})`);
    assert.deepEqual(memory.subarray(WINDOW_AT, WINDOW_AT + n), expected, `bytes of readInto(${r.offset}, ${r.length})`);
    assert.deepEqual(await fs.read(ino, r.offset, r.length), expected, `read(${r.offset}, ${r.length}) agrees`);
    const untouched = [...memory.subarray(0, WINDOW_AT), ...memory.subarray(WINDOW_AT + n)].every((b) => b === MARK);
    assert.ok(untouched, `readInto(${r.offset}, ${r.length}) wrote outside the bytes it returned`);
  }
  await fs.unlink(fs.root(), name);
}

for (const blockSize of [1024, 4096] as const) {
  test(`ext2 (${blockSize}-byte blocks): readInto lands what read() returns, holes as zeros, nothing outside (fast-check)`, async () => {
    const { device } = memoryDevice(16 << 20);
    await mkfsExt2(device, { blockSize });
    // A small cache, so reads also miss, read ahead and evict.
    const fs = await mountExt2(device, { arena: newArena(), cacheBytes: 256 << 10 });
    let i = 0;
    await fc.assert(fc.asyncProperty(arbCase, async (c) => check(fs, `f${i++}`, c)), { numRuns: 40, seed: 4242 });
    await fs.unmount();
  });
}

test('ramfs: readInto lands what read() returns, holes as zeros, nothing outside (fast-check)', async () => {
  const fs = new Ramfs({ arena: newArena(32), owner: 'vfs' });
  let i = 0;
  await fc.assert(fc.asyncProperty(arbCase, async (c) => check(fs, `f${i++}`, c)), { numRuns: 40, seed: 4242 });
});

test('ext2: a sequential reader through readInto reads the file whole, past the cache', async () => {
  const { device } = memoryDevice(32 << 20);
  await mkfsExt2(device, { blockSize: 4096 });
  const fs = await mountExt2(device, { arena: newArena(), cacheBytes: 512 << 10 });
  const ino = await fs.create(fs.root(), 'big', S.IFREG | 0o644);
  const size = 6 << 20;
  const pattern = (at: number): number => ((at * 2654435761) >>> 24) & 0xff;
  const chunk = new Uint8Array(65536);
  for (let at = 0; at < size; at += chunk.length) {
    for (let k = 0; k < chunk.length; k++) chunk[k] = pattern(at + k);
    await fs.write(ino, at, chunk);
  }
  await fs.sync();
  const memory = new Uint8Array(new SharedArrayBuffer(65536));
  let bad = -1;
  for (let at = 0; at < size && bad < 0; at += 65536) {
    const g = new WindowGrant(memory, { grant: 1, offset: 0, length: 65536, writable: true });
    assert.equal(await fs.readInto!(ino, at, g), 65536);
    g.revoke();
    for (let k = 0; k < 65536; k++) if (memory[k] !== pattern(at + k)) { bad = at + k; break; }
  }
  assert.equal(bad, -1, `first wrong byte at ${bad}`);
  await fs.unmount();
});

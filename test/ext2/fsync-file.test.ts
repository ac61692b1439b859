// Per-file fsync: fsync of one file makes that file durable — its data blocks, the
// indirect block it needs, its inode, the allocation metadata and the directory entry
// naming it — and writes no other file's dirty data. The disk is a power-cut backing
// store (src/hw/power-cut.ts): after the fsync the power goes, every write not yet
// flushed is dropped, and the durable image is what a reboot would find.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { S } from '../../src/abi/fs.js';
import type { Ino } from '../../src/abi/ids.js';
import { MemoryBacking, PowerCutBacking, seededRandom } from '../../src/hw/power-cut.js';
import { mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { BackingDevice, e2fsck, loadImage, memoryDevice, newArena, tempPath } from './device.js';

/** Bytes no filesystem writes by itself: a marker line repeated, naming the file. */
function marked(name: string, length: number): Uint8Array {
  const line = new TextEncoder().encode(`<${name}: dirty data that only its own fsync may write>`);
  return new Uint8Array(length).map((_, i) => line[i % line.length]!);
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first); i >= 0 && i <= haystack.length - needle.length; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

/** Two new files, A (random bytes, past the direct blocks) and B (marked), both dirty; then `persist` and a power cut. */
async function twoFilesThenCut(persist: (fs: Awaited<ReturnType<typeof mountExt2>>, a: Ino) => Promise<void>): Promise<{ durable: Uint8Array; a: Uint8Array; b: Uint8Array }> {
  const { device, memory } = memoryDevice(4 << 20);
  await mkfsExt2(device, { blockSize: 1024 });
  const disk = new MemoryBacking(memory.bytes.slice());
  const power = new PowerCutBacking(disk);
  const fs = await mountExt2(new BackingDevice(power), { arena: newArena(8) });
  const random = seededRandom(2024);
  const a = new Uint8Array(30 * 1024 + 123).map(() => Math.floor(random() * 256)); // 31 blocks: needs the indirect block
  const b = marked('B', 20 * 1024);
  const root = fs.root();
  const inoA = await fs.create(root, 'a', S.IFREG | 0o644);
  const inoB = await fs.create(root, 'b', S.IFREG | 0o644);
  await fs.write(inoB, 0, b);
  await fs.write(inoA, 0, a);
  await persist(fs, inoA);
  power.powerCut();
  return { durable: disk.bytes, a, b };
}

test('fsync of one file writes its blocks, inode, allocation and entry, and not another file\'s dirty data', async () => {
  const { durable, a, b } = await twoFilesThenCut((fs, ino) => fs.fsync(ino));
  assert.equal(contains(durable, b.subarray(0, 200)), false, "none of B's dirty data reached the disk");

  // What a reboot finds: e2fsck may have to tidy B (its data never came), A is whole.
  const image = tempPath('fsync-file.img');
  writeFileSync(image, durable);
  const fix = e2fsck(image, '-fy');
  assert.ok(fix.status < 4, `e2fsck -fy exit ${fix.status}\n${fix.output}`);
  assert.equal(e2fsck(image, '-fn').status, 0, 'clean after the repair');
  const { device } = memoryDevice(loadImage(image));
  const fs = await mountExt2(device, { arena: newArena(8), readOnly: true });
  const ino = await fs.lookup(fs.root(), 'a');
  const st = await fs.getattr(ino);
  assert.equal(st.size, a.length, "A's inode (its size) is on the disk");
  assert.deepEqual(await fs.read(ino, 0, st.size), a, "A's data, through its indirect block, is on the disk");
  await fs.unmount();
});

test('the check sees dirty data when it is written: sync writes B too', async () => {
  const { durable, b } = await twoFilesThenCut((fs) => fs.sync());
  assert.equal(contains(durable, b.subarray(0, 200)), true, "sync wrote B's data, and the scan finds it");
});

// fsync of one file verifies the buffers it writes (all of them before the first write);
// a wild write elsewhere in the cache is found when that buffer is read or written back.
async function corruptedThenFsync(corrupt: 'A' | 'B'): Promise<{ outcome: string; writesBefore: number; device: BackingDevice; fs: Awaited<ReturnType<typeof mountExt2>>; disk: Uint8Array; b: Uint8Array }> {
  const { device, memory } = memoryDevice(4 << 20);
  await mkfsExt2(device, { blockSize: 1024 });
  const arena = newArena(8);
  const fs = await mountExt2(device, { arena });
  const a = marked('A', 8 * 1024), b = marked('B', 8 * 1024);
  const fa = await fs.create(fs.root(), 'a', S.IFREG | 0o644);
  const fb = await fs.create(fs.root(), 'b', S.IFREG | 0o644);
  await fs.write(fa, 0, a);
  await fs.write(fb, 0, b);
  // The wild write: one byte of the named file's cached data, found in the arena.
  const needle = corrupt === 'A' ? a.subarray(0, 64) : b.subarray(0, 64);
  const at = arena.memory.findIndex((_, i) => arena.memory[i] === needle[0] && needle.every((x, k) => arena.memory[i + k] === x));
  assert.ok(at >= 0, `the cached bytes of ${corrupt} are in the arena`);
  arena.memory[at + 10]! ^= 0xff;
  const writesBefore = device.writes;
  let outcome = 'ok';
  try { await fs.fsync(fa); } catch (e) { outcome = (e as Error).name; }
  return { outcome, writesBefore, device, fs, disk: memory.bytes, b };
}

test('fsync refuses to write a buffer of its file that changed behind ext2, and writes nothing', async () => {
  const r = await corruptedThenFsync('A');
  assert.equal(r.outcome, 'MemoryCorruption');
  assert.equal(r.device.writes, r.writesBefore, 'no device write after the wild write');
});

test("fsync of one file leaves another file's corrupted buffer in the cache, and the next sync refuses it", async () => {
  const r = await corruptedThenFsync('B');
  assert.equal(r.outcome, 'ok', "A's own buffers are intact");
  const written = r.device.writes;
  assert.ok(written > r.writesBefore, 'A was written');
  assert.ok(!contains(r.disk, r.b.subarray(0, 64)), "B's bytes are not on the disk");
  await assert.rejects(r.fs.sync(), /MemoryCorruption|changed without going through ext2/);
  assert.equal(r.device.writes, written, 'the sync wrote nothing');
});

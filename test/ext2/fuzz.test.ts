// Bad input: fast-check mutates the superblock, group descriptors, inodes, directory
// entries, bitmaps and an indirect block of a valid image, then mounts it and uses it. Every case must end in a clear
// mount error, a KernelError from use (EUCLEAN, EIO, or an ordinary errno), or correct
// behaviour; never another exception, an "internal error", I/O outside the device, or
// a hang (the test would time out); the arena gets all its memory back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Errno, isKernelError } from '../../src/abi/errno.js';
import { S, isDir, isLnk, isReg } from '../../src/abi/fs.js';
import type { FileSystem } from '../../src/abi/fs.js';
import type { Ino } from '../../src/abi/ids.js';
import { Arena } from '../../src/lib/arena.js';
import { fsckExt2, mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { memoryDevice, newArena } from './device.js';

interface Base { bytes: Uint8Array; regions: Record<'sb' | 'gdt' | 'inode' | 'dir' | 'bitmap' | 'indirect', [number, number][]> }

async function makeBase(blockSize: 1024 | 4096): Promise<Base> {
  const { device, memory } = memoryDevice(blockSize === 1024 ? 2 << 20 : 4 << 20);
  await mkfsExt2(device, { blockSize });
  const fs = await mountExt2(device, { arena: newArena() });
  const root = fs.root();
  const d = await fs.mkdir(root, 'dir', 0o755);
  const sub = await fs.mkdir(d, 'sub', 0o700);
  let indirectIno = fs.root();
  for (const [name, n] of [['small', 10], ['direct', 5 * blockSize], ['indirect', 20 * blockSize + 5]] as const) {
    const ino = await fs.create(d, name, S.IFREG | 0o644);
    await fs.write(ino, 0, new Uint8Array(n).map((_, i) => i * 7));
    indirectIno = ino;
  }
  for (let i = 0; i < 40; i++) await fs.create(sub, `entry${i}`, S.IFREG | 0o600);
  await fs.symlink(d, 'link', 'small');
  await fs.symlink(d, 'slowlink', 'y'.repeat(100));
  await fs.link(root, 'hard', await fs.lookup(d, 'small'));
  await fs.unmount();
  const bytes = memory.bytes;
  const view = new DataView(bytes.buffer);
  const inodeTable = view.getUint32(blockSize * (blockSize === 1024 ? 2 : 1) + 8, true);
  const inodeAt = (ino: number): number => inodeTable * blockSize + (ino - 1) * 256;
  // Directory blocks: the first block of the root, /dir and /dir/sub.
  const dirBlocks = [2, Number(d), Number(sub)].map((ino) => view.getUint32(inodeAt(ino) + 40, true));
  const gdt = blockSize * (blockSize === 1024 ? 2 : 1);
  const indirect = view.getUint32(inodeAt(Number(indirectIno)) + 40 + 12 * 4, true);
  return {
    bytes,
    regions: {
      sb: [[1024, 1024]],
      gdt: [[blockSize * (blockSize === 1024 ? 2 : 1), 64]],
      inode: [[inodeAt(1), 40 * 256]],
      dir: dirBlocks.map((b) => [b * blockSize, blockSize] as [number, number]),
      bitmap: [[view.getUint32(gdt, true) * blockSize, blockSize], [view.getUint32(gdt + 4, true) * blockSize, blockSize]],
      indirect: [[indirect * blockSize, blockSize]],
    },
  };
}

const ALLOWED = new Set<number>([Errno.ENOMEM, Errno.EINVAL, Errno.EUCLEAN, Errno.EIO, Errno.ENOENT, Errno.ENOTDIR, Errno.EISDIR, Errno.EEXIST,
  Errno.ENOSPC, Errno.ENOTEMPTY, Errno.EMLINK, Errno.EFBIG, Errno.ENAMETOOLONG, Errno.EROFS]);

const seen = new Map<string, number>();

function judge(e: unknown, where: string): void {
  if (isKernelError(e)) seen.set(`${where.split(' ')[0]}:${e.errno}`, (seen.get(`${where.split(' ')[0]}:${e.errno}`) ?? 0) + 1);
  assert.ok(isKernelError(e), `${where}: threw a non-KernelError: ${String(e)} ${(e as Error)?.stack ?? ''}`);
  assert.ok(ALLOWED.has(e.errno), `${where}: unexpected errno ${e.errno}: ${e.message}`);
  assert.ok(!/internal error/.test(e.message), `${where}: ${e.message}`);
}

async function attempt(where: string, fn: () => Promise<unknown>): Promise<void> {
  try { await fn(); } catch (e) { judge(e, where); }
}

/** Uses a mounted (possibly corrupt) filesystem: walk, read, write, delete, sync. */
async function exercise(fs: FileSystem): Promise<void> {
  const visit = async (ino: Ino, depth: number): Promise<void> => {
    if (depth > 4) return;
    let entries: { name: string; ino: number }[] = [];
    await attempt('readdir', async () => { entries = await fs.readdir(ino); });
    for (const e of entries.slice(0, 60)) {
      if (e.name === '.' || e.name === '..') continue;
      await attempt(`entry ${e.name}`, async () => {
        const child = await fs.lookup(ino, e.name);
        const st = await fs.getattr(child);
        if (isDir(st.mode)) await visit(child, depth + 1);
        else if (isReg(st.mode)) await fs.read(child, 0, Math.min(st.size, 1 << 20));
        else if (isLnk(st.mode)) await fs.readlink(child);
      });
    }
  };
  await visit(fs.root(), 0);
  await attempt('create+write', async () => {
    const f = await fs.create(fs.root(), 'new', S.IFREG | 0o644);
    await fs.write(f, 0, new Uint8Array(30_000).fill(5));
    await fs.write(f, 100_000, new Uint8Array(10).fill(6));
  });
  await attempt('mkdir', async () => fs.mkdir(fs.root(), 'newdir', 0o755));
  await attempt('unlink', async () => fs.unlink(await fs.lookup(fs.root(), 'dir'), 'indirect'));
  await attempt('truncate', async () => fs.setattr(await fs.lookup(await fs.lookup(fs.root(), 'dir'), 'direct'), { size: 3 }));
  await attempt('rename', async () => fs.rename(fs.root(), 'hard', await fs.lookup(fs.root(), 'dir'), 'renamed'));
  await attempt('rmdir', async () => { const d = await fs.lookup(fs.root(), 'dir'); await fs.rename(d, 'sub', fs.root(), 'moved'); });
  await attempt('sync', async () => fs.sync());
}

const mutation = fc.record({
  region: fc.constantFrom('sb', 'gdt', 'inode', 'inode', 'dir', 'dir', 'bitmap', 'indirect') as fc.Arbitrary<keyof Base['regions']>,
  which: fc.nat(),
  edits: fc.array(fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('byte', 'bitflip', 'u32', 'zero32', 'ones32'),
    value: fc.nat({ max: 0xffffffff }),
  }), { minLength: 1, maxLength: 6 }),
});

for (const blockSize of [1024, 4096] as const) {
  test(`fuzz: mutated ${blockSize}-byte-block images mount cleanly or fail clearly (fast-check)`, async () => {
    const base = await makeBase(blockSize);
    const counts = { mountRefused: 0, mounted: 0, fsckClean: 0, fsckErrors: 0 };
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      const bytes = base.bytes.slice();
      const regions = base.regions[m.region];
      const [start, length] = regions[m.which % regions.length]!;
      for (const e of m.edits) {
        const at = start + (e.at % length);
        const view = new DataView(bytes.buffer);
        switch (e.kind) {
          case 'byte': bytes[at] = e.value & 0xff; break;
          case 'bitflip': bytes[at]! ^= 1 << (e.value & 7); break;
          case 'u32': if (at + 4 <= start + length) view.setUint32(at & ~3, e.value, true); break;
          case 'zero32': if (at + 4 <= start + length) view.setUint32(at & ~3, 0, true); break;
          case 'ones32': if (at + 4 <= start + length) view.setUint32(at & ~3, 0xffffffff, true); break;
        }
      }
      // Our fsck must report, not crash, on the same damage (read-only: it writes nothing).
      const checker = memoryDevice(bytes.slice());
      const verdict = await fsckExt2(checker.device).catch((e: unknown) => { judge(e, 'fsck'); return undefined; });
      assert.equal(checker.device.writes, 0, 'fsck without repair writes nothing');
      if (verdict) counts[verdict.clean ? 'fsckClean' : 'fsckErrors']++;
      const { device } = memoryDevice(bytes);
      const arena = new Arena('kernel', new ArrayBuffer(1 << 20));
      let fs: FileSystem;
      try {
        fs = await mountExt2(device, { arena, cacheBytes: 256 << 10 });
      } catch (e) {
        judge(e, 'mount');
        assert.ok(e instanceof Error && e.message.length > 10, 'a mount error says what is wrong');
        counts.mountRefused++;
        assert.equal(arena.list().length, 0, 'a refused mount frees its memory');
        return;
      }
      counts.mounted++;
      await exercise(fs);
      await attempt('unmount', async () => fs.unmount());
      assert.equal(device.writesOutOfRange, 0, 'no write outside the device');
      assert.equal(device.outOfRange, 0, 'no I/O outside the device');
      assert.equal(arena.list().length, 0, 'unmount frees the cache');
    }), { numRuns: 2000, seed: blockSize });
    console.log(`fuzz ${blockSize}: ${counts.mountRefused} mounts refused, ${counts.mounted} mounted and exercised; our fsck: ${counts.fsckErrors} damaged, ${counts.fsckClean} clean; errors (where:errno ×n): ${[...seen].map(([k, v]) => `${k}×${v}`).join(' ')}`);
    assert.ok(counts.mountRefused > 0 && counts.mounted > 0 && counts.fsckErrors > 0);
    assert.ok([...seen.keys()].some((k) => k.endsWith(`:${Errno.EUCLEAN}`) && !k.startsWith('mount')), 'use of a mounted corrupt image reports EUCLEAN somewhere');
    seen.clear();
  });
}

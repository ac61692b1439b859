// Allocation that cannot corrupt, judged by e2fsck -fn:
//
//   enospc-leaves-unattached-inode: ENOSPC in mkdir, symlink, a create (or link, or
//   rename) that needs a new directory block, or a write that needs an indirect block,
//   used to leave allocated but unattached inodes and blocks behind. Every step of
//   such an operation is now given back, so the image stays clean.
//   zeroed-inode-bitmap-hands-out-live-inodes: with a zeroed inode bitmap, creates
//   handed out live inodes (lost+found, /dev, /bin were overwritten). Allocation now
//   checks that a "free" inode is free and answers EUCLEAN instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Errno, isKernelError, KernelError } from '../../src/abi/errno.js';
import { S, type FileSystem } from '../../src/abi/fs.js';
import type { Ino } from '../../src/abi/ids.js';
import { mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { debugfs, debugfsCat, e2fsck, memoryDevice, mke2fs, newArena, saveImage, tempPath } from './device.js';

async function errno(p: Promise<unknown>): Promise<number> {
  try { await p; } catch (e) { if (isKernelError(e)) return e.errno; throw e; }
  return 0;
}

const LONG = (i: number): string => `${String(i).padStart(3, '0')}${'n'.repeat(252)}`;

/** Fills every free block with a file's data; returns its inode. */
async function fill(fs: FileSystem, name: string): Promise<Ino> {
  const f = await fs.create(fs.root(), name, S.IFREG | 0o644);
  let at = 0;
  for (;;) {
    let n: number;
    try { n = await fs.write(f, at, new Uint8Array(64 << 10).fill(7)); } catch (e) { if (isKernelError(e) && e.errno === Errno.ENOSPC) break; throw e; }
    at += n;
  }
  assert.equal((await fs.statfs()).freeBlocks, 0, 'the disk is full');
  return f;
}

test('enospc-leaves-unattached-inode: mkdir, symlink, create/link/rename needing a directory block, extending write', async () => {
  for (const blockSize of [1024, 4096] as const) {
    const { device, memory } = memoryDevice(4 << 20);
    await mkfsExt2(device, { blockSize });
    const arena = newArena();
    const fs = await mountExt2(device, { arena });
    const root = fs.root();
    // /d: its first block exactly full of 255-byte names, so one more name needs a new block.
    const d = await fs.mkdir(root, 'd', 0o755);
    const perBlock = Math.floor((blockSize - 24) / 264);
    for (let i = 0; i < perBlock; i++) await fs.create(d, LONG(i), S.IFREG | 0o644);
    assert.equal((await fs.getattr(d)).size, blockSize, 'the names fill one block');
    // f: its twelve direct blocks used, so the next block needs an indirect block too.
    const f = await fs.create(root, 'f', S.IFREG | 0o644);
    await fs.write(f, 0, new Uint8Array(12 * blockSize).fill(1));
    const spare = await fs.create(root, 'spare', S.IFREG | 0o644);
    await fs.write(spare, 0, new Uint8Array(blockSize).fill(2));
    const mover = await fs.create(root, LONG(900), S.IFREG | 0o644);
    await fill(fs, 'filler');
    await fs.sync();
    const inodes = (await fs.statfs()).freeInodes;

    assert.equal(await errno(fs.mkdir(root, 'newdir', 0o755)), Errno.ENOSPC, 'mkdir');
    assert.equal(await errno(fs.symlink(root, 'slow', '/'.repeat(200))), Errno.ENOSPC, 'slow symlink');
    assert.equal(await errno(fs.create(d, LONG(perBlock), S.IFREG | 0o644)), Errno.ENOSPC, 'create needing a directory block');
    assert.equal(await errno(fs.link(d, LONG(perBlock + 1), f)), Errno.ENOSPC, 'link needing a directory block');
    assert.equal(await errno(fs.rename(root, LONG(900), d, LONG(perBlock + 2))), Errno.ENOSPC, 'rename needing a directory block');
    assert.equal(await fs.lookup(root, LONG(900)), mover, 'the source of the failed rename keeps its name');
    assert.equal((await fs.getattr(f)).nlink, 1, 'the failed link did not count');
    for (const name of ['newdir', 'slow']) assert.equal(await errno(fs.lookup(root, name)), Errno.ENOENT, name);
    await fs.sync();
    assert.equal((await fs.statfs()).freeInodes, inodes, 'every inode allocated on the way was given back');

    // One block free: the indirect block of f gets it, the data block does not.
    await fs.unlink(root, 'spare');
    await fs.sync();
    assert.equal((await fs.statfs()).freeBlocks, 1);
    assert.equal(await errno(fs.write(f, 12 * blockSize, new Uint8Array(2 * blockSize))), Errno.ENOSPC, 'extending write');
    assert.equal((await fs.getattr(f)).size, 12 * blockSize);
    await fs.sync();
    assert.equal((await fs.statfs()).freeBlocks, 1, 'the indirect block was given back');
    // ... and with that block a directory can be made after all.
    await fs.mkdir(root, 'fits', 0o755);
    await fs.unmount();
    assert.equal(arena.list().length, 0);
    const image = saveImage(memory.bytes, `enospc-${blockSize}.img`);
    const fsck = e2fsck(image, '-fn');
    assert.equal(fsck.status, 0, `${blockSize}-byte blocks: e2fsck -fn after ENOSPC everywhere:\n${fsck.output}`);
  }
});

test('enospc-leaves-unattached-inode: EIO from the device in the middle of mkdir gives everything back', async () => {
  const { device, memory } = memoryDevice(4 << 20);
  await mkfsExt2(device, { blockSize: 1024 });
  const bitmap = blockBitmapBlock(saveImage(memory.bytes, 'eio-fresh.img'));
  // A 64-block cache, and a file read after the last allocation, so the block bitmap is
  // no longer cached when mkdir needs it.
  const fs = await mountExt2(device, { arena: newArena(), cacheBytes: 64 << 10 });
  const big = await fs.create(fs.root(), 'big', S.IFREG | 0o644);
  await fs.write(big, 0, new Uint8Array(200 << 10).fill(4));
  await fs.sync();
  await fs.read(big, 0, 200 << 10);
  const before = await fs.statfs();
  const read = device.read.bind(device);
  let failed = 0;
  device.read = async (sector: number, count: number): Promise<Uint8Array> => {
    if (sector <= bitmap * 2 && bitmap * 2 < sector + count) { failed++; throw new KernelError(Errno.EIO, 'injected read error'); }
    return read(sector, count);
  };
  // mkdir allocates its inode, then fails reading the block bitmap for its first block.
  assert.equal(await errno(fs.mkdir(fs.root(), 'x', 0o755)), Errno.EIO);
  assert.ok(failed > 0, 'the block bitmap read failed');
  device.read = read;
  assert.equal(await errno(fs.lookup(fs.root(), 'x')), Errno.ENOENT);
  await fs.sync();
  const after = await fs.statfs();
  assert.equal(after.freeInodes, before.freeInodes, 'the inode was given back');
  assert.equal(after.freeBlocks, before.freeBlocks);
  await fs.unmount();
  const fsck = e2fsck(saveImage(memory.bytes, 'eio-mkdir.img'), '-fn');
  assert.equal(fsck.status, 0, fsck.output);
});

function blockBitmapBlock(image: string): number {
  const out = execFileSync('/usr/sbin/dumpe2fs', [image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /Block bitmap at (\d+)/.exec(out);
  assert.ok(m, out);
  return Number(m[1]);
}

/** The block number of group 0's inode bitmap, from dumpe2fs. */
function inodeBitmapBlock(image: string): number {
  const out = execFileSync('/usr/sbin/dumpe2fs', [image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /Inode bitmap at (\d+)/.exec(out);
  assert.ok(m, out);
  return Number(m[1]);
}

test('zeroed-inode-bitmap-hands-out-live-inodes: creates answer EUCLEAN and overwrite nothing', async () => {
  for (const blockSize of [1024, 4096]) {
    const image = tempPath(`zeroed-ibitmap-${blockSize}.img`);
    mke2fs(image, ['-t', 'ext2', '-b', String(blockSize)]);
    const src = tempPath(`zeroed-src-${blockSize}`);
    writeFileSync(src, 'keep me\n');
    debugfsScript(image, ['mkdir /bin', 'mkdir /dev', `write ${src} /bin/prog`]);
    const bitmap = inodeBitmapBlock(image);
    const bytes = new Uint8Array(readFileSync(image));
    bytes.fill(0, bitmap * blockSize, (bitmap + 1) * blockSize);
    const { device, memory } = memoryDevice(bytes);
    const fs = await mountExt2(device, { arena: newArena() });
    assert.equal(await errno(fs.create(fs.root(), 'new', S.IFREG | 0o644)), Errno.EUCLEAN, 'create');
    assert.equal(await errno(fs.symlink(fs.root(), 'sym', 'target')), Errno.EUCLEAN, 'symlink');
    // A directory goes to the emptiest group: with two groups that is group 1, whose
    // bitmap was not touched, so mkdir may succeed, but only with a truly free inode.
    const live = new Set([2, 11, ...['/bin', '/dev', '/bin/prog'].map((p) => Number(/Inode: (\d+)/.exec(debugfs(image, `stat ${p}`))![1]))]);
    try {
      const ino = await fs.mkdir(fs.root(), 'newdir', 0o755);
      assert.ok(!live.has(ino) && ino > 2048, `mkdir got inode ${ino}, which was free`);
    } catch (e) { assert.ok(isKernelError(e) && e.errno === Errno.EUCLEAN, String(e)); }
    await fs.unmount();
    const after = saveImage(memory.bytes, `zeroed-after-${blockSize}.img`);
    // The bitmap is still zero (e2fsck -fn says so), but no live inode was touched.
    assert.match(debugfs(after, 'stat /lost+found'), /Type: directory/);
    assert.match(debugfs(after, 'stat /dev'), /Type: directory/);
    assert.equal(new TextDecoder().decode(debugfsCat(after, '/bin/prog')), 'keep me\n');
    assert.doesNotMatch(debugfs(after, 'ls /'), /\bnew\b|\bsym\b/);
    const repair = e2fsck(after, '-fy');
    assert.ok(repair.status < 4, repair.output);
    assert.doesNotMatch(repair.output, /Inode \d+ .*(deleted|unused|bad)|Unattached|Entry .* has/i, 'only the bitmap needed repair');
    assert.equal(e2fsck(after, '-fn').status, 0);
    assert.equal(new TextDecoder().decode(debugfsCat(after, '/bin/prog')), 'keep me\n');
  }
});

function debugfsScript(image: string, lines: string[]): void {
  execFileSync('/usr/sbin/debugfs', ['-w', '-f', '-', image], { input: lines.join('\n') + '\n', stdio: ['pipe', 'pipe', 'pipe'] });
}

test('inodes and blocks freed since the last sync are not handed out again until the free is on disk', async () => {
  const { device, memory } = memoryDevice(8 << 20);
  await mkfsExt2(device, { blockSize: 1024 });
  const fs = await mountExt2(device, { arena: newArena() });
  const free0 = (await fs.statfs()).freeBlocks;
  // Many rounds of create, write, unlink (a create-and-unlink loop): every inode and
  // block freed in one round is pending in the next.
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) {
    const f = await fs.create(fs.root(), `f${i}`, S.IFREG | 0o644);
    assert.ok(!seen.has(f), `inode ${f} handed out again before the sync (round ${i})`);
    seen.add(f);
    await fs.write(f, 0, new Uint8Array(3000).fill(i & 0xff));
    await fs.unlink(fs.root(), `f${i}`);
  }
  await fs.sync();
  assert.equal((await fs.statfs()).freeBlocks, free0, 'every block came back');
  // After the sync the lowest free inode is the first one freed.
  const again = await fs.create(fs.root(), 'again', S.IFREG | 0o644);
  assert.equal(again, Math.min(...seen), 'after the sync the freed inodes are used again');
  await fs.unmount();
  const check = e2fsck(saveImage(memory.bytes, 'pending-frees.img'), '-fn');
  assert.equal(check.status, 0, check.output);
});

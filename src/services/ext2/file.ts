// File contents: read, write (allocating blocks, leaving holes sparse), truncate
// (zeroing the tail of the last kept block so a later extension reads zeros), and the
// freeing of everything an inode owns when its last link and last open are gone.
// filesystem.ts calls these under its lock; bmap.ts does the pointer trees.

import { Errno, fail, isKernelError } from '../../abi/errno.js';
import { isLnk, isChr, isBlk, S } from '../../abi/fs.js';
import { mapBlock, mapBlocks, mapOrAllocate, maxFileSize, truncateBlocks } from './bmap.js';
import type { Inode } from './inode.js';
import { RoCompat } from './layout.js';
import type { Volume } from './volume.js';
import { zeros } from '../../lib/zeros.js';

const XATTR_MAGIC = 0xea020000;
const DAY_NS = 86_400 * 1e9;

// Read-ahead state per in-core inode (kept beside it, not in it): where the next
// sequential read would start, how far ahead to read, and how far has been read.
interface ReadAhead { next: number; ahead: number; fetchedTo: number }
const readAheads = new WeakMap<Inode, ReadAhead>();

/**
 * Reads up to `length` bytes at `offset`; holes read as zeros. A read that continues
 * the previous one reads ahead past its end, doubling the distance each time up to a
 * quarter of the cache, and tops it up when less than half of it is left, so a
 * sequential reader finds its blocks cached and the device sees few, large requests.
 */
export async function readData(vol: Volume, inode: Inode, offset: number, length: number): Promise<Uint8Array> {
  const size = inode.size;
  if (offset >= size || length <= 0) return new Uint8Array(0);
  const out = new Uint8Array(Math.min(size, offset + length) - offset);
  await readDataInto(vol, inode, offset, out.length, (at, bytes) => out.set(bytes, at));
  return out;
}

/**
 * readData with the bytes handed to `put(at, bytes)` block by block instead of
 * gathered (at counts from the start of the read; holes come as zeros): the caller
 * copies each block once, straight from the cache to where it goes. `bytes` is only
 * valid during the call. Returns the count read.
 */
export async function readDataInto(vol: Volume, inode: Inode, offset: number, length: number, put: (at: number, bytes: Uint8Array) => void): Promise<number> {
  const size = inode.size;
  if (offset >= size || length <= 0) return 0;
  const end = Math.min(size, offset + length);
  const bs = vol.blockSize;
  const firstBlock = Math.floor(offset / bs);
  const lastBlock = Math.floor((end - 1) / bs);
  const fileLast = Math.floor((size - 1) / bs);
  const maxAhead = Math.max(1, Math.floor(vol.cache.capacity / 4));
  let ra = readAheads.get(inode);
  if (ra === undefined) { ra = { next: -1, ahead: 0, fetchedTo: -1 }; readAheads.set(inode, ra); }
  const sequential = offset === ra.next;
  ra.ahead = sequential ? Math.min(maxAhead, Math.max(ra.ahead * 2, lastBlock - firstBlock + 1)) : 0;
  // The request's own blocks, mapped once.
  const physical = await mapBlocks(vol, inode, firstBlock, lastBlock - firstBlock + 1);
  const want = Math.min(fileLast, lastBlock + ra.ahead);
  if (!sequential || ra.fetchedTo < lastBlock || ra.fetchedTo - lastBlock < ra.ahead / 2) {
    const from = sequential ? Math.max(lastBlock + 1, ra.fetchedTo + 1) : lastBlock + 1;
    const fetch = from <= want ? physical.concat(await mapBlocks(vol, inode, from, want - from + 1)) : physical;
    await vol.cache.prefetch(fetch, 'data');
    ra.fetchedTo = Math.max(want, sequential ? ra.fetchedTo : -1);
  }
  ra.next = end;
  // One copy per block, from the cache to the caller. A hit is synchronous.
  for (let pos = offset; pos < end;) {
    const n = Math.floor(pos / bs);
    const within = pos - n * bs;
    const chunk = Math.min(bs - within, end - pos);
    const b = physical[n - firstBlock]!;
    if (b === 0) put(pos - offset, zeros(chunk));
    else {
      let buf = vol.cache.peek(b);
      // Evicted since the prefetch (a cache smaller than one request): the rest of the
      // request comes back in runs, not a block at a time.
      if (buf === undefined) { await vol.cache.prefetch(physical.slice(n - firstBlock), 'data'); buf = await vol.cache.get(b, 'data'); }
      // A whole block goes as the buffer's own view: no view made per block.
      put(pos - offset, chunk === bs ? buf.data : buf.data.subarray(within, within + chunk));
    }
    pos += chunk;
  }
  return end - offset;
}

/** Linux's relatime: update atime only when it is older than mtime/ctime or a day old. */
export function touchAccess(vol: Volume, inode: Inode): void {
  if (vol.readOnly) return;
  const now = vol.now();
  const atime = inode.atimeNs;
  if (atime <= inode.mtimeNs || atime <= inode.ctimeNs || now - atime >= DAY_NS) inode.atimeNs = now;
}

function noteSize(vol: Volume, size: number): void {
  // Files past 2 GiB need large_file; Linux turns the feature on the same way.
  if (size > 0x7fff_ffff && !vol.sb.hasRoCompat(RoCompat.LARGE_FILE)) {
    vol.sb.featureRoCompat = vol.sb.featureRoCompat | RoCompat.LARGE_FILE;
  }
}

/** Writes `data` at `offset`; returns the bytes written (short only when the disk fills). */
export async function writeData(vol: Volume, inode: Inode, offset: number, data: Uint8Array): Promise<number> {
  if (offset + data.length > maxFileSize(vol)) fail(Errno.EFBIG);
  if (data.length === 0) return 0;
  const bs = vol.blockSize;
  let goal = 0;
  const firstBlock = Math.floor(offset / bs);
  if (firstBlock > 0) goal = await mapBlock(vol, inode, firstBlock - 1);
  if (goal === 0) goal = vol.groupFirstBlock(Math.floor((inode.ino - 1) / vol.sb.inodesPerGroup));
  let done = 0;
  try {
    while (done < data.length) {
      const pos = offset + done;
      const n = Math.floor(pos / bs);
      const within = pos - n * bs;
      const chunk = Math.min(bs - within, data.length - done);
      const { block, fresh } = await mapOrAllocate(vol, inode, n, goal + 1);
      goal = block;
      const buf = fresh || chunk === bs ? await vol.cache.getZeroed(block, 'data') : await vol.cache.get(block, 'data');
      buf.data.set(data.subarray(done, done + chunk), within);
      vol.cache.markDirty(buf);
      done += chunk;
      if (pos + chunk > inode.size) inode.size = pos + chunk;
    }
  } catch (e) {
    // Bytes already written are the answer (a short write, as write(2) gives); the error
    // (ENOSPC, EIO, ...) is for the next call. A MemoryCorruption always goes through.
    if (done === 0 || !isKernelError(e)) { await releaseBeyondSize(vol, inode); throw e; }
    await releaseBeyondSize(vol, inode);
  } finally {
    if (done > 0) {
      const now = vol.now();
      inode.mtimeNs = now;
      inode.ctimeNs = now;
      noteSize(vol, inode.size);
    }
  }
  return done;
}

// After a write that failed part-way: a failed allocation may have left indirect
// blocks past i_size with nothing under them. Free them, so the tree matches the size.
async function releaseBeyondSize(vol: Volume, inode: Inode): Promise<void> {
  if (vol.cache.poisoned !== undefined) return;
  try { await truncateBlocks(vol, inode, Math.ceil(inode.size / vol.blockSize)); } catch (e) { if (!isKernelError(e)) throw e; }
}

/** Sets the size of a regular file, freeing or leaving holes as needed. */
export async function truncateData(vol: Volume, inode: Inode, size: number): Promise<void> {
  if (size < 0) fail(Errno.EINVAL);
  if (size > maxFileSize(vol)) fail(Errno.EFBIG);
  const bs = vol.blockSize;
  if (size < inode.size) {
    const tail = size % bs;
    if (tail !== 0) {
      const b = await mapBlock(vol, inode, Math.floor(size / bs));
      if (b !== 0) {
        const buf = await vol.cache.get(b, 'data');
        buf.data.fill(0, tail);
        vol.cache.markDirty(buf);
      }
    }
    inode.size = size;
    await truncateBlocks(vol, inode, Math.ceil(size / bs));
  } else {
    inode.size = size;
    noteSize(vol, size);
  }
}

/** True when i_block holds block pointers (not a device number or a fast symlink's target). */
export function hasBlockTree(vol: Volume, inode: Inode): boolean {
  const mode = inode.mode;
  if (isChr(mode) || isBlk(mode) || (mode & S.IFMT) === S.IFIFO || (mode & S.IFMT) === S.IFSOCK) return false;
  if (isLnk(mode) && inode.isFastSymlink(vol.blockSize)) return false;
  return true;
}

async function releaseXattrBlock(vol: Volume, inode: Inode): Promise<void> {
  const b = inode.fileAcl;
  if (b === 0) return;
  vol.checkPointer(b, inode.ino);
  const buf = await vol.cache.get(b, 'meta');
  const view = new DataView(buf.data.buffer, buf.data.byteOffset, buf.data.byteLength);
  if (view.getUint32(0, true) !== XATTR_MAGIC) vol.corrupt(`inode ${inode.ino} has an extended-attribute block ${b} without the xattr magic`);
  const refs = view.getUint32(4, true);
  inode.fileAcl = 0;
  inode.blocks512 = Math.max(0, inode.blocks512 - vol.blockSize / 512);
  if (refs > 1) {
    view.setUint32(4, refs - 1, true);
    vol.cache.markDirty(buf);
  } else await vol.freeBlock(b, inode.ino);
}

/** Frees an inode with no links and no opens: its blocks, its xattr block, its number. */
export async function destroyInode(vol: Volume, inode: Inode): Promise<void> {
  const isDirectory = (inode.mode & S.IFMT) === S.IFDIR;
  if (hasBlockTree(vol, inode)) await truncateBlocks(vol, inode, 0);
  else inode.blockArea.fill(0);
  await releaseXattrBlock(vol, inode);
  inode.markDirty();
  inode.size = 0;
  inode.linksCount = 0;
  // Never 0: a free inode with a mode is told from a live one by its dtime (allocInode).
  inode.dtime = Math.max(1, Math.floor(vol.now() / 1e9));
  await vol.freeInode(inode.ino, isDirectory);
}

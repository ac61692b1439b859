// Block mapping: from a file's logical block number to a disk block through i_block's
// 12 direct pointers and the single, double and triple indirect trees; allocation of
// missing blocks on write (holes stay holes: sparse files), and freeing on truncate.
// Indirect blocks are metadata in the cache; i_blocks counts them with the data.

import { Errno, fail } from '../../abi/errno.js';
import { asBlockNo, type BlockNo } from '../../abi/ids.js';
import type { Inode } from './inode.js';
import { DIND_BLOCK, IND_BLOCK, NDIR_BLOCKS, TIND_BLOCK } from './layout.js';
import type { Volume } from './volume.js';

/** The path of pointer indices to logical block `n`: first index into i_block, then into each indirect level. */
export function blockPath(vol: Volume, n: number): number[] {
  const p = vol.pointersPerBlock;
  if (n < NDIR_BLOCKS) return [n];
  n -= NDIR_BLOCKS;
  if (n < p) return [IND_BLOCK, n];
  n -= p;
  if (n < p * p) return [DIND_BLOCK, Math.floor(n / p), n % p];
  n -= p * p;
  if (n < p * p * p) return [TIND_BLOCK, Math.floor(n / (p * p)), Math.floor(n / p) % p, n % p];
  fail(Errno.EFBIG);
}

/** Largest file size the pointer tree can address. */
export function maxFileSize(vol: Volume): number {
  const p = vol.pointersPerBlock;
  return (NDIR_BLOCKS + p + p * p + p * p * p) * vol.blockSize;
}

function readPointer(data: Uint8Array, i: number): BlockNo {
  return asBlockNo((data[i * 4]! | (data[i * 4 + 1]! << 8) | (data[i * 4 + 2]! << 16) | (data[i * 4 + 3]! << 24)) >>> 0);
}
function writePointer(data: Uint8Array, i: number, v: number): void {
  data[i * 4] = v & 0xff; data[i * 4 + 1] = (v >>> 8) & 0xff; data[i * 4 + 2] = (v >>> 16) & 0xff; data[i * 4 + 3] = (v >>> 24) & 0xff;
}

/** The disk block holding logical block `n` of `inode`, or 0 for a hole. */
export async function mapBlock(vol: Volume, inode: Inode, n: number): Promise<BlockNo> {
  const path = blockPath(vol, n);
  let b = inode.block(path[0]!);
  for (let level = 1; level < path.length && b !== 0; level++) {
    vol.checkPointer(b, inode.ino);
    const buf = await vol.cache.get(b, 'meta');
    b = readPointer(buf.data, path[level]!);
  }
  if (b !== 0) vol.checkPointer(b, inode.ino);
  return b;
}

/**
 * Logical blocks `first` .. `first + count - 1` of `inode` mapped to disk blocks (0
 * for a hole), as mapBlock maps one. Blocks that share an indirect block cost one
 * cache lookup (and one checksum check) for the run, not one each: a sequential read
 * maps up to pointersPerBlock blocks per lookup.
 */
export async function mapBlocks(vol: Volume, inode: Inode, first: number, count: number): Promise<BlockNo[]> {
  const out: BlockNo[] = new Array<BlockNo>(count);
  const p = vol.pointersPerBlock;
  let k = 0;
  while (k < count) {
    const n = first + k;
    const path = blockPath(vol, n);
    if (path.length === 1) {
      const b = inode.block(path[0]!);
      if (b !== 0) vol.checkPointer(b, inode.ino);
      out[k++] = b;
      continue;
    }
    // Walk down to the indirect block that holds n's pointer; the run continues in it.
    const leafIndex = path[path.length - 1]!;
    const run = Math.min(count - k, p - leafIndex);
    let b = inode.block(path[0]!);
    for (let level = 1; level < path.length - 1 && b !== 0; level++) {
      vol.checkPointer(b, inode.ino);
      const buf = vol.cache.peek(b) ?? await vol.cache.get(b, 'meta');
      b = readPointer(buf.data, path[level]!);
    }
    if (b === 0) {
      for (let i = 0; i < run; i++) out[k++] = asBlockNo(0);
      continue;
    }
    vol.checkPointer(b, inode.ino);
    // No await between taking the buffer and reading its pointers: it cannot be evicted.
    const data = (vol.cache.peek(b) ?? await vol.cache.get(b, 'meta')).data;
    for (let i = 0; i < run; i++) {
      const at = (leafIndex + i) * 4;
      const target = asBlockNo((data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0);
      if (target !== 0) vol.checkPointer(target, inode.ino);
      out[k++] = target;
    }
  }
  return out;
}

/** Like mapBlock, allocating the block (and any missing indirect blocks) when it is a hole. */
// A fresh 'data' leaf is left for the caller to fill (getZeroed); a fresh 'meta' leaf
// (directory or symlink block) comes back already zeroed in the cache.
export async function mapOrAllocate(vol: Volume, inode: Inode, n: number, goal: number, leafKind: 'data' | 'meta' = 'data'): Promise<{ block: BlockNo; fresh: boolean }> {
  const path = blockPath(vol, n);
  const sectors = vol.blockSize / 512;
  let b = inode.block(path[0]!);
  const allocate = async (kind: 'data' | 'meta'): Promise<BlockNo> => {
    const nb = await vol.allocBlock(goal, inode.ino);
    goal = nb + 1;
    inode.blocks512 = inode.blocks512 + sectors;
    if (kind === 'meta') await vol.cache.getZeroed(nb, 'meta');
    return nb;
  };
  let fresh = false;
  if (b === 0) {
    b = await allocate(path.length === 1 ? leafKind : 'meta');
    inode.setBlock(path[0]!, b);
    fresh = path.length === 1;
  } else vol.checkPointer(b, inode.ino);
  for (let level = 1; level < path.length; level++) {
    let buf = await vol.cache.get(b, 'meta');
    let next = readPointer(buf.data, path[level]!);
    if (next === 0) {
      const leaf = level === path.length - 1;
      next = await allocate(leaf ? leafKind : 'meta');
      // Interleaving: allocate() may have evicted the indirect block; fetch it again.
      buf = await vol.cache.get(b, 'meta');
      writePointer(buf.data, path[level]!, next);
      vol.cache.markDirty(buf);
      fresh = leaf;
    } else vol.checkPointer(next, inode.ino);
    b = next;
  }
  return { block: b, fresh };
}

/**
 * Frees every data block at logical index >= `keep` and every indirect block whose
 * whole range lies at or past `keep`. Caller must have set i_size accordingly.
 */
export async function truncateBlocks(vol: Volume, inode: Inode, keep: number): Promise<void> {
  const p = vol.pointersPerBlock;
  const sectors = vol.blockSize / 512;
  const release = async (b: BlockNo): Promise<void> => {
    await vol.freeBlock(b, inode.ino);
    inode.blocks512 = Math.max(0, inode.blocks512 - sectors);
  };
  // Frees the part of the subtree at `b` (covering `span` blocks from `base`) past `keep`;
  // returns true when the whole subtree went and its pointer must be cleared.
  const trim = async (b: BlockNo, depth: number, base: number): Promise<boolean> => {
    const span = p ** depth;
    if (base + span <= keep) return false;
    vol.checkPointer(b, inode.ino);
    if (depth > 0) {
      const childSpan = span / p;
      const first = Math.max(0, Math.floor((keep - base) / childSpan));
      const pointers: BlockNo[] = [];
      {
        const buf = await vol.cache.get(b, 'meta');
        for (let i = first; i < p; i++) pointers.push(readPointer(buf.data, i));
      }
      const cleared: number[] = [];
      for (let k = 0; k < pointers.length; k++) {
        const child = pointers[k]!;
        if (child !== 0 && await trim(child, depth - 1, base + (first + k) * childSpan)) cleared.push(first + k);
      }
      if (base < keep) {
        if (cleared.length > 0) {
          const buf = await vol.cache.get(b, 'meta');
          for (const i of cleared) writePointer(buf.data, i, 0);
          vol.cache.markDirty(buf);
        }
        return false;
      }
    }
    await release(b);
    return true;
  };
  for (let i = 0; i < NDIR_BLOCKS; i++) {
    const b = inode.block(i);
    if (b !== 0 && i >= keep) { await release(b); inode.setBlock(i, 0); }
  }
  const roots: [number, number, number][] = [[IND_BLOCK, 1, NDIR_BLOCKS], [DIND_BLOCK, 2, NDIR_BLOCKS + p], [TIND_BLOCK, 3, NDIR_BLOCKS + p + p * p]];
  for (const [slot, depth, base] of roots) {
    const b = inode.block(slot);
    if (b !== 0 && await trim(b, depth, base)) inode.setBlock(slot, 0);
  }
}

/** Every block (data and indirect) of an inode's tree, for fsck: calls `visit(block, isIndirect)`. */
export async function walkBlocks(vol: Volume, inode: Inode, visit: (b: BlockNo, indirect: boolean, logical: number) => boolean): Promise<void> {
  const p = vol.pointersPerBlock;
  const walk = async (b: BlockNo, depth: number, base: number): Promise<void> => {
    if (!visit(b, depth > 0, base) || depth === 0) return;
    const buf = await vol.cache.get(b, 'meta');
    const children: BlockNo[] = [];
    for (let i = 0; i < p; i++) children.push(readPointer(buf.data, i));
    const childSpan = p ** (depth - 1);
    for (let i = 0; i < p; i++) if (children[i] !== 0) await walk(children[i]!, depth - 1, base + i * childSpan);
  };
  for (let i = 0; i < NDIR_BLOCKS; i++) if (inode.block(i) !== 0) await walk(inode.block(i), 0, i);
  if (inode.block(IND_BLOCK)) await walk(inode.block(IND_BLOCK), 1, NDIR_BLOCKS);
  if (inode.block(DIND_BLOCK)) await walk(inode.block(DIND_BLOCK), 2, NDIR_BLOCKS + p);
  if (inode.block(TIND_BLOCK)) await walk(inode.block(TIND_BLOCK), 3, NDIR_BLOCKS + p + p * p);
}

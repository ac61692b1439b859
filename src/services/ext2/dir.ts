// Linear directories: the entry format (inode, rec_len, name_len, file_type, name),
// checked as it is read (Linux's ext2_check_page rules), and the edits the namespace
// operations need: find, add (into slack or a new block), remove (merge into the
// previous entry), repoint (rename over an entry, '..' of a moved directory).
// filesystem.ts calls these under its lock; blocks come through bmap.ts.

import { DT, S } from '../../abi/fs.js';
import type { BlockNo } from '../../abi/ids.js';
import { isKernelError } from '../../abi/errno.js';
import { mapBlock, mapOrAllocate, truncateBlocks } from './bmap.js';
import { InodeFlag, type Inode } from './inode.js';
import { Incompat } from './layout.js';
import type { Volume } from './volume.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes an entry with a name of `nameLen` bytes needs: 8-byte header, name, padded to 4. */
export const entrySize = (nameLen: number): number => (8 + nameLen + 3) & ~3;

export const encodeName = (name: string): Uint8Array => encoder.encode(name);

// The file_type byte of an entry uses ext2's own codes, not d_type's.
const FT_TO_DT = [DT.UNKNOWN, DT.REG, DT.DIR, DT.CHR, DT.BLK, DT.FIFO, DT.SOCK, DT.LNK];

/** ext2's directory file_type code for an inode mode. */
export function fileTypeOf(mode: number): number {
  switch (mode & S.IFMT) {
    case S.IFREG: return 1;
    case S.IFDIR: return 2;
    case S.IFCHR: return 3;
    case S.IFBLK: return 4;
    case S.IFIFO: return 5;
    case S.IFSOCK: return 6;
    case S.IFLNK: return 7;
    default: return 0;
  }
}

/** d_type for an ext2 file_type code. */
export const dtOfFileType = (ft: number): number => FT_TO_DT[ft] ?? DT.UNKNOWN;

/** One directory entry as found on disk. */
export interface Slot {
  logical: number; // directory block index
  block: BlockNo; // disk block
  offset: number;
  prevOffset: number; // -1 for the first entry of a block
  recLen: number;
  ino: number;
  nameLen: number;
  type: number;
  name: Uint8Array;
}

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks a directory inode's size against its blocks before walking it (a corrupt size must not make us loop). */
function directoryBlocks(vol: Volume, dir: Inode): number {
  const size = dir.size;
  if (size % vol.blockSize !== 0) vol.corrupt(`directory inode ${dir.ino} has size ${size}, not a multiple of the block size`);
  if (size > dir.blocks512 * 512) vol.corrupt(`directory inode ${dir.ino} has size ${size} but only ${dir.blocks512 * 512} bytes of blocks`);
  return size / vol.blockSize;
}

/**
 * Calls `visit` for each entry (including empty ones, ino 0) until it returns true;
 * returns that entry. `visit` runs synchronously on a live buffer.
 */
export async function scan(vol: Volume, dir: Inode, visit: (slot: Slot) => boolean): Promise<Slot | undefined> {
  return scanBlocks(vol, dir, 0, directoryBlocks(vol, dir), visit);
}

async function scanBlocks(vol: Volume, dir: Inode, from: number, to: number, visit: (slot: Slot) => boolean): Promise<Slot | undefined> {
  const bs = vol.blockSize;
  const filetype = vol.sb.hasIncompat(Incompat.FILETYPE);
  // One slot object, refilled for each entry (`visit` keeps nothing of it: it runs
  // synchronously, and the entry it chooses is returned as a copy).
  const slot: Slot = { logical: 0, block: 0 as BlockNo, offset: 0, prevOffset: -1, recLen: 0, ino: 0, nameLen: 0, type: 0, name: EMPTY };
  for (let logical = from; logical < to; logical++) {
    const block = await mapBlock(vol, dir, logical);
    if (block === 0) vol.corrupt(`directory inode ${dir.ino} has a hole at block ${logical}`);
    const data = (await vol.cache.get(block, 'meta')).data;
    let offset = 0;
    let prev = -1;
    while (offset < bs) {
      const ino = (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24)) >>> 0;
      const recLen = data[offset + 4]! | (data[offset + 5]! << 8);
      const nameLen = filetype ? data[offset + 6]! : data[offset + 6]! | (data[offset + 7]! << 8);
      const type = filetype ? data[offset + 7]! : DT.UNKNOWN;
      if (recLen < 12 || recLen % 4 !== 0 || offset + recLen > bs) vol.corrupt(`${where(dir, logical, offset)}: bad record length ${recLen}`);
      if (entrySize(nameLen) > recLen) vol.corrupt(`${where(dir, logical, offset)}: name of ${nameLen} bytes does not fit its record of ${recLen}`);
      if (ino !== 0 && !vol.validIno(ino)) vol.corrupt(`${where(dir, logical, offset)}: entry refers to inode ${ino} outside 1..${vol.sb.inodesCount}`);
      if (ino !== 0 && nameLen === 0) vol.corrupt(`${where(dir, logical, offset)}: entry with an empty name`);
      slot.logical = logical; slot.block = block; slot.offset = offset; slot.prevOffset = prev;
      slot.recLen = recLen; slot.ino = ino; slot.nameLen = nameLen; slot.type = type;
      slot.name = data.subarray(offset + 8, offset + 8 + nameLen);
      if (visit(slot)) return { ...slot, name: slot.name.slice() };
      prev = offset;
      offset += recLen;
    }
  }
  return undefined;
}

const EMPTY = new Uint8Array(0);
const where = (dir: Inode, logical: number, offset: number): string => `directory inode ${dir.ino} block ${logical} offset ${offset}`;

// An in-core index of a directory, built by one full scan on first use and kept up to
// date by add/remove (the only code that changes entries): which block holds each name,
// and the largest free gap in each block. It makes a lookup read one block instead of
// the whole directory. Keyed by the in-core inode object, so an inode dropped from the
// inode cache drops its index too; `size` guards against a directory that changed size
// behind our back.
interface DirIndex { names: Map<string, number>; gaps: number[]; size: number }
const indexes = new WeakMap<Inode, DirIndex>();

function keyOf(name: Uint8Array): string {
  let k = '';
  for (let i = 0; i < name.length; i++) k += String.fromCharCode(name[i]!);
  return k;
}

const gapOf = (s: Slot): number => s.recLen - (s.ino === 0 ? 0 : entrySize(s.nameLen));

async function indexOf(vol: Volume, dir: Inode): Promise<DirIndex> {
  const known = indexes.get(dir);
  if (known && known.size === dir.size) return known;
  const names = new Map<string, number>();
  const gaps: number[] = [];
  await scan(vol, dir, (s) => {
    if (s.ino !== 0) { const k = keyOf(s.name); if (!names.has(k)) names.set(k, s.logical); }
    gaps[s.logical] = Math.max(gaps[s.logical] ?? 0, gapOf(s));
    return false;
  });
  const index = { names, gaps, size: dir.size };
  indexes.set(dir, index);
  return index;
}

async function refreshGap(vol: Volume, dir: Inode, index: DirIndex, logical: number): Promise<void> {
  let gap = 0;
  await scanBlocks(vol, dir, logical, logical + 1, (s) => { gap = Math.max(gap, gapOf(s)); return false; });
  index.gaps[logical] = gap;
}

/** The entry named `name`, if any. */
export async function find(vol: Volume, dir: Inode, name: Uint8Array): Promise<Slot | undefined> {
  const blocks = directoryBlocks(vol, dir);
  const index = await indexOf(vol, dir);
  const logical = index.names.get(keyOf(name));
  if (logical === undefined || logical >= blocks) return undefined;
  return scanBlocks(vol, dir, logical, logical + 1, (s) => s.ino !== 0 && sameName(s.name, name));
}

/** All live entries, names decoded as UTF-8. */
export async function list(vol: Volume, dir: Inode): Promise<{ name: string; ino: number; type: number }[]> {
  const out: { name: string; ino: number; type: number }[] = [];
  await scan(vol, dir, (s) => {
    if (s.ino !== 0) out.push({ name: decoder.decode(s.name), ino: s.ino, type: dtOfFileType(s.type) });
    return false;
  });
  return out;
}

/** True when the directory holds nothing but '.' and '..'. */
export async function isEmpty(vol: Volume, dir: Inode): Promise<boolean> {
  const other = await scan(vol, dir, (s) => {
    if (s.ino === 0) return false;
    const dot = s.nameLen === 1 && s.name[0] === 0x2e;
    const dotdot = s.nameLen === 2 && s.name[0] === 0x2e && s.name[1] === 0x2e;
    return !dot && !dotdot;
  });
  return other === undefined;
}

function writeEntry(vol: Volume, data: Uint8Array, offset: number, ino: number, recLen: number, name: Uint8Array, type: number): void {
  data[offset] = ino & 0xff; data[offset + 1] = (ino >>> 8) & 0xff; data[offset + 2] = (ino >>> 16) & 0xff; data[offset + 3] = (ino >>> 24) & 0xff;
  data[offset + 4] = recLen & 0xff; data[offset + 5] = (recLen >>> 8) & 0xff;
  data[offset + 6] = name.length;
  data[offset + 7] = vol.sb.hasIncompat(Incompat.FILETYPE) ? type : 0;
  data.set(name, offset + 8);
  // Padding bytes are zeroed so images are reproducible.
  data.fill(0, offset + 8 + name.length, offset + entrySize(name.length));
}

function touchDirectory(vol: Volume, dir: Inode): void {
  const now = vol.now();
  dir.mtimeNs = now;
  dir.ctimeNs = now;
  // An htree index would go stale: from now on the directory is linear (e2fsck agrees).
  if (dir.flags & InodeFlag.INDEX) dir.flags = dir.flags & ~InodeFlag.INDEX;
}

/**
 * Adds `name` → `ino` (`type`: ext2 file_type). Caller must have checked that `name` is
 * absent. On failure (ENOSPC for a new block, EIO) the directory is as it was.
 */
export async function add(vol: Volume, dir: Inode, name: Uint8Array, ino: number, type: number): Promise<void> {
  const need = entrySize(name.length);
  const index = await indexOf(vol, dir);
  const fits = index.gaps.findIndex((g) => g >= need);
  const spot = fits < 0 ? undefined : await scanBlocks(vol, dir, fits, fits + 1, (s) => gapOf(s) >= need);
  touchDirectory(vol, dir);
  if (spot) {
    index.names.set(keyOf(name), spot.logical);
    const buf = await vol.cache.get(spot.block, 'meta');
    if (spot.ino === 0) writeEntry(vol, buf.data, spot.offset, ino, spot.recLen, name, type);
    else {
      const used = entrySize(spot.nameLen);
      buf.data[spot.offset + 4] = used & 0xff; buf.data[spot.offset + 5] = used >>> 8;
      writeEntry(vol, buf.data, spot.offset + used, ino, spot.recLen - used, name, type);
    }
    vol.cache.markDirty(buf);
    await refreshGap(vol, dir, index, spot.logical);
    return;
  }
  const logical = dir.size / vol.blockSize;
  let block: BlockNo;
  try {
    ({ block } = await mapOrAllocate(vol, dir, logical, dir.block(0), 'meta'));
  } catch (e) {
    // ENOSPC (or EIO) part-way: an indirect block may have been allocated for the new
    // block; give back whatever now lies past the directory's size.
    if (isKernelError(e)) await truncateBlocks(vol, dir, logical);
    throw e;
  }
  index.names.set(keyOf(name), logical);
  const buf = await vol.cache.get(block, 'meta');
  buf.data.fill(0);
  writeEntry(vol, buf.data, 0, ino, vol.blockSize, name, type);
  vol.cache.markDirty(buf);
  dir.size = dir.size + vol.blockSize;
  index.gaps[logical] = vol.blockSize - need;
  index.size = dir.size;
}

/** Removes the entry `name`; returns the inode it named, or 0 when absent. */
export async function remove(vol: Volume, dir: Inode, name: Uint8Array): Promise<number> {
  const slot = await find(vol, dir, name);
  if (!slot) return 0;
  const index = await indexOf(vol, dir);
  index.names.delete(keyOf(name));
  touchDirectory(vol, dir);
  const buf = await vol.cache.get(slot.block, 'meta');
  if (slot.prevOffset >= 0) {
    const p = slot.prevOffset;
    const merged = (buf.data[p + 4]! | (buf.data[p + 5]! << 8)) + slot.recLen;
    buf.data[p + 4] = merged & 0xff; buf.data[p + 5] = merged >>> 8;
  } else {
    buf.data.fill(0, slot.offset, slot.offset + 4);
  }
  vol.cache.markDirty(buf);
  await refreshGap(vol, dir, index, slot.logical);
  return slot.ino;
}

/** Points the existing entry `name` at `ino` (rename over a file, '..' of a moved directory). */
export async function repoint(vol: Volume, dir: Inode, name: Uint8Array, ino: number, type: number): Promise<boolean> {
  const slot = await find(vol, dir, name);
  if (!slot) return false;
  touchDirectory(vol, dir);
  const buf = await vol.cache.get(slot.block, 'meta');
  writeEntry(vol, buf.data, slot.offset, ino, slot.recLen, name, type);
  vol.cache.markDirty(buf);
  return true;
}

/** Writes the first block of a new directory: '.' and '..'. */
export async function initialize(vol: Volume, dir: Inode, parent: number): Promise<void> {
  const { block } = await mapOrAllocate(vol, dir, 0, 0, 'meta');
  const buf = await vol.cache.get(block, 'meta');
  buf.data.fill(0);
  writeEntry(vol, buf.data, 0, dir.ino, 12, encoder.encode('.'), 2);
  writeEntry(vol, buf.data, 12, parent, vol.blockSize - 12, encoder.encode('..'), 2);
  vol.cache.markDirty(buf);
  dir.size = vol.blockSize;
}

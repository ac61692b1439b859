// A ramfs image: a whole ramfs frozen into plain data (its inodes, and the bytes of its
// page chunks back to back), made once from the initramfs and restored by every vfs
// that starts after that, instead of unpacking the cpio archive again.
//
// Why: a vfs restart used to unpack the 6 MB initramfs (read the archive, create every
// file, copy its bytes page by page): 60-190 ms of a restart that took 100-650 ms on a
// loaded two-core host. Restoring an image takes one checksum and one copy of the bytes.
//
// The fault model stays honest: a restored ramfs is a fresh one. Its pages are copied
// into the new instance's own arena, chunk by chunk in the order populate took them, so
// the arena holds what a fresh unpack would put there, at the same offsets (a wild write
// meets the same memory); nothing of the dead instance's arena is used. The image itself
// is never written: it lives in memory no component writes to (a SharedArrayBuffer the
// host made, shared by every vfs of the process), and its checksums, one per chunk taken
// when it was made, are checked before every restore; an image that fails the check is
// refused. The restored chunks start the self-check clean with those checksums
// (page-pool.ts adopt): a wild write that lands in them before the first self-check
// pass is damage the check finds, not the state it takes for good.

import type { Value } from '../../lib/codec.js';
import { wordChecksum } from '../../lib/arena.js';
import { PAGE_SIZE } from './page-pool.js';

/** One inode of an image; times as decimal strings of nanoseconds (exact, like the inode's bigints). */
export type InodeImage = {
  ino: number; mode: number; uid: number; gid: number; rdev: number; nlink: number; size: number; parent: number;
  atime: string; mtime: string;
  /** Directories: entry names and their inode numbers, in order. */
  names?: string[]; inos?: number[];
  /** Regular files: [page number, chunk, page within the chunk] for every page. */
  pages?: number[];
  /** Symbolic links: the target. */
  target?: string;
};

/** A frozen ramfs (see the header). Plain data, so it travels in a component's config. */
export type RamfsImage = {
  format: typeof FORMAT;
  /** Every chunk's bytes, back to back. */
  bytes: Uint8Array;
  /** wordChecksum of each chunk's bytes, in chunk order, taken when the image was made. */
  sums: number[];
  /** Per chunk: its length in pages, how many of them were ever handed out, then its free pages. */
  chunks: number[][];
  inodes: InodeImage[];
  nextIno: number;
};

const FORMAT = 'ramfs-image-2';

/** The checksum an image's bytes must have. */
export const imageSum = (bytes: Uint8Array): number => wordChecksum(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2));

/** `value` as a ramfs image, or why it is not one (a wrong shape, or bytes that changed since it was made). */
export function checkImage(value: Value): RamfsImage | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return 'not an object';
  const v = value as Partial<RamfsImage>;
  if (v.format !== FORMAT) return `format ${String(v.format)}, not ${FORMAT}`;
  if (!(v.bytes instanceof Uint8Array) || v.bytes.length % PAGE_SIZE !== 0 || v.bytes.byteOffset % 4 !== 0) return 'bytes are not whole pages';
  if (!Array.isArray(v.chunks) || !Array.isArray(v.inodes) || typeof v.nextIno !== 'number' || !Array.isArray(v.sums) || v.sums.length !== v.chunks.length) return 'malformed';
  const pages = v.chunks.reduce((n, c) => n + (c[0] ?? 0), 0);
  if (pages * PAGE_SIZE !== v.bytes.length) return `its chunks hold ${pages} pages, its bytes ${v.bytes.length / PAGE_SIZE}`;
  let at = 0;
  for (const [i, c] of v.chunks.entries()) {
    const length = (c[0] ?? 0) * PAGE_SIZE;
    const sum = imageSum(v.bytes.subarray(at, at + length));
    if (sum !== v.sums[i]) return `chunk ${i}: checksum ${sum.toString(16)}, made with ${Number(v.sums[i]).toString(16)}: the image changed`;
    at += length;
  }
  return v as RamfsImage;
}

/** Packs chunk bytes and descriptions into an image (the bytes in a new SharedArrayBuffer, so threads share them). */
export function packImage(chunks: { bytes: Uint8Array; free: readonly number[]; touched: number }[], inodes: InodeImage[], nextIno: number): RamfsImage {
  const total = chunks.reduce((n, c) => n + c.bytes.length, 0);
  const bytes = new Uint8Array(new SharedArrayBuffer(total));
  let at = 0;
  for (const c of chunks) { bytes.set(c.bytes, at); at += c.bytes.length; }
  return {
    format: FORMAT, bytes, sums: chunks.map((c) => imageSum(c.bytes)),
    chunks: chunks.map((c) => [c.bytes.length / PAGE_SIZE, c.touched, ...c.free]), inodes, nextIno,
  };
}

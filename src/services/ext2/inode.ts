// One on-disk inode, held as a copy of its raw bytes (128 or more) plus the in-memory
// state the filesystem keeps while it is in use (open count, whether it is dirty).
// Accessors read and write the little-endian fields in place, so fields this code does
// not interpret (xattr block, generation, extra fields) are written back unchanged.
// volume.ts loads and stores these from the inode table; bmap.ts walks i_block.

import { asBlockNo, type BlockNo } from '../../abi/ids.js';
import { NDIR_BLOCKS } from './layout.js';

export const InodeFlag = {
  SECRM: 0x1, UNRM: 0x2, COMPR: 0x4, SYNC: 0x8, IMMUTABLE: 0x10, APPEND: 0x20,
  NODUMP: 0x40, NOATIME: 0x80, INDEX: 0x1000, EXTENTS: 0x80000, EA_INODE: 0x200000,
  INLINE_DATA: 0x10000000,
} as const;

/** Bytes of extra fields we give new large inodes (as Linux does: times with nanoseconds). */
export const WANT_EXTRA_ISIZE = 32;

const NS_PER_S = 1_000_000_000;

export class Inode {
  private readonly view: DataView;
  // In-memory state, changed only under the filesystem lock.
  opens = 0;
  dirty = false;
  /** The volume operation that last used this inode (it must stay in core until that ends). */
  epoch = 0;

  constructor(readonly ino: number, readonly raw: Uint8Array) {
    this.view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  }

  private u16(o: number): number { return this.view.getUint16(o, true); }
  private u32(o: number): number { return this.view.getUint32(o, true); }
  private set16(o: number, v: number): void { this.view.setUint16(o, v & 0xffff, true); this.dirty = true; }
  private set32(o: number, v: number): void { this.view.setUint32(o, v >>> 0, true); this.dirty = true; }

  get mode(): number { return this.u16(0); }
  set mode(v: number) { this.set16(0, v); }
  get uid(): number { return this.u16(2) | (this.u16(120) << 16); }
  set uid(v: number) { this.set16(2, v); this.set16(120, v >>> 16); }
  get gid(): number { return this.u16(24) | (this.u16(122) << 16); }
  set gid(v: number) { this.set16(24, v); this.set16(122, v >>> 16); }
  /** i_size with i_size_high (large_file); directories keep the high word zero. */
  get size(): number { return this.u32(4) + this.u32(108) * 0x1_0000_0000; }
  set size(v: number) { this.set32(4, v % 0x1_0000_0000); this.set32(108, Math.floor(v / 0x1_0000_0000)); }
  get linksCount(): number { return this.u16(26); }
  set linksCount(v: number) { this.set16(26, v); }
  /** i_blocks in 512-byte units (huge_file, which changes the unit, is not supported). */
  get blocks512(): number { return this.u32(28); }
  set blocks512(v: number) { this.set32(28, v); }
  get flags(): number { return this.u32(32); }
  set flags(v: number) { this.set32(32, v); }
  get dtime(): number { return this.u32(20); }
  set dtime(v: number) { this.set32(20, v); }
  get fileAcl(): BlockNo { return asBlockNo(this.u32(104)); }
  set fileAcl(v: number) { this.set32(104, v); }
  get generation(): number { return this.u32(100); }
  set generation(v: number) { this.set32(100, v); }

  /** Pointer `i` of i_block (0 = hole). */
  block(i: number): BlockNo { return asBlockNo(this.u32(40 + i * 4)); }
  setBlock(i: number, v: number): void { this.set32(40 + i * 4, v); }
  /** The 60 bytes of i_block (fast symlink targets live here). */
  get blockArea(): Uint8Array { return this.raw.subarray(40, 100); }
  markDirty(): void { this.dirty = true; }

  get extraIsize(): number { return this.raw.length > 128 ? this.u16(128) : 0; }
  set extraIsize(v: number) { this.set16(128, v); }
  // Extra time fields: (nanoseconds << 2) | epoch bits, present when extra_isize reaches them.
  private hasExtra(offset: number): boolean { return this.raw.length >= 128 + 4 && 128 + this.extraIsize >= offset + 4; }
  private getTime(base: number, extra: number): number {
    let s = this.view.getInt32(base, true);
    let ns = 0;
    if (this.hasExtra(extra)) {
      const x = this.u32(extra);
      s += (x & 3) * 0x1_0000_0000;
      ns = Math.min(x >>> 2, NS_PER_S - 1);
    }
    return s * NS_PER_S + ns;
  }
  // The nanoseconds within the second (0 without the extra field).
  private getNsec(extra: number): number {
    return this.hasExtra(extra) ? Math.min(this.u32(extra) >>> 2, NS_PER_S - 1) : 0;
  }
  // `exactNsec`: the time's exact nanoseconds within the second (abi/fs.ts exactNs), when the caller has them.
  private setTime(base: number, extra: number, ns: number, exactNsec?: number): void {
    const s = exactNsec === undefined ? Math.floor(ns / NS_PER_S) : Math.round((ns - exactNsec) / NS_PER_S);
    const nsec = exactNsec ?? Math.min(NS_PER_S - 1, Math.max(0, Math.round(ns - s * NS_PER_S)));
    if (this.hasExtra(extra) && s >= -0x8000_0000 && s < 3 * 0x1_0000_0000 + 0x8000_0000) {
      // Past 2038 the two epoch bits of the extra field extend the signed 32-bit seconds.
      const low = ((((s + 0x8000_0000) % 0x1_0000_0000) + 0x1_0000_0000) % 0x1_0000_0000) - 0x8000_0000;
      const epoch = (s - low) / 0x1_0000_0000;
      this.view.setInt32(base, low, true);
      this.set32(extra, nsec * 4 + epoch);
    } else {
      this.view.setInt32(base, Math.max(-0x8000_0000, Math.min(0x7fff_ffff, s)), true);
      if (this.hasExtra(extra)) this.set32(extra, nsec * 4);
    }
    this.dirty = true;
  }
  get atimeNs(): number { return this.getTime(8, 0x8c); }
  set atimeNs(v: number) { this.setTime(8, 0x8c, v); }
  get ctimeNs(): number { return this.getTime(12, 0x84); }
  set ctimeNs(v: number) { this.setTime(12, 0x84, v); }
  get mtimeNs(): number { return this.getTime(16, 0x88); }
  set mtimeNs(v: number) { this.setTime(16, 0x88, v); }
  set crtimeNs(v: number) { this.setTime(0x90, 0x94, v); }
  get atimeNsec(): number { return this.getNsec(0x8c); }
  get ctimeNsec(): number { return this.getNsec(0x84); }
  get mtimeNsec(): number { return this.getNsec(0x88); }
  /** Sets atime to the nanosecond: `ns` as float64 plus its exact nanoseconds within the second. */
  setAtime(ns: number, nsec: number | undefined): void { this.setTime(8, 0x8c, ns, nsec); }
  setMtime(ns: number, nsec: number | undefined): void { this.setTime(16, 0x88, ns, nsec); }

  /** Fills a freshly allocated inode: zeroes the bytes, then the fields every inode has. */
  initialize(mode: number, nowNs: number, generation: number): void {
    this.raw.fill(0);
    if (this.raw.length > 128) this.extraIsize = Math.min(WANT_EXTRA_ISIZE, this.raw.length - 128);
    this.mode = mode;
    this.linksCount = 1;
    this.generation = generation;
    this.atimeNs = nowNs;
    this.ctimeNs = nowNs;
    this.mtimeNs = nowNs;
    if (this.raw.length > 128) this.crtimeNs = nowNs;
    this.dirty = true;
  }

  /** Device number of a character or block device inode (old or new Linux encoding). */
  get rdev(): number {
    const old = this.block(0);
    if (old !== 0) return ((old >>> 8) & 0xff) * 256 + (old & 0xff);
    const n = this.block(1);
    const major = (n >>> 8) & 0xfff;
    const minor = (n & 0xff) | ((n >>> 12) & 0xfff00);
    return major * 256 + minor;
  }
  set rdev(v: number) {
    const major = Math.floor(v / 256);
    const minor = v % 256;
    // Only minor < 256 fits this ABI's makedev, so the old encoding always applies when major < 256.
    if (major < 256) { this.setBlock(0, (major << 8) | minor); this.setBlock(1, 0); } else {
      this.setBlock(0, 0);
      this.setBlock(1, (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12));
    }
  }

  /** True when i_block holds a symlink's target instead of block pointers (Linux's rule: no data blocks). */
  isFastSymlink(blockSize: number): boolean {
    return this.blocks512 - (this.fileAcl ? blockSize / 512 : 0) === 0 && this.size < 60;
  }

  hasAnyBlocks(): boolean {
    for (let i = 0; i < NDIR_BLOCKS + 3; i++) if (this.block(i) !== 0) return true;
    return false;
  }
}

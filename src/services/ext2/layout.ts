// The ext2 on-disk layout (revision 0 and 1): the superblock, the block group
// descriptors, the feature flags and which of them this implementation understands.
// Everything here is a view over raw little-endian bytes so fields this code does not
// know survive a read-modify-write untouched. The mounted volume (volume.ts) keeps one
// Superblock and the descriptor table; mkfs.ts and fsck.ts build and check them.

import { Errno, fail } from '../../abi/errno.js';
import { asBlockNo, type BlockNo } from '../../abi/ids.js';

export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_SIZE = 1024;
export const EXT2_MAGIC = 0xef53;
export const GOOD_OLD_INODE_SIZE = 128;
export const GOOD_OLD_FIRST_INO = 11;
export const GROUP_DESC_SIZE = 32;
export const ROOT_INO = 2;
export const RESIZE_INO = 7;
export const LINK_MAX = 32000;
export const NAME_MAX = 255;
/** Block pointers in i_block: 12 direct, then single, double and triple indirect. */
export const NDIR_BLOCKS = 12;
export const IND_BLOCK = 12;
export const DIND_BLOCK = 13;
export const TIND_BLOCK = 14;

export const STATE_VALID = 1;
export const STATE_ERROR = 2;

export const Compat = {
  DIR_PREALLOC: 0x1, IMAGIC_INODES: 0x2, HAS_JOURNAL: 0x4, EXT_ATTR: 0x8,
  RESIZE_INODE: 0x10, DIR_INDEX: 0x20, LAZY_BG: 0x40, EXCLUDE_BITMAP: 0x100,
  SPARSE_SUPER2: 0x200, FAST_COMMIT: 0x400, STABLE_INODES: 0x800, ORPHAN_FILE: 0x1000,
} as const;
export const Incompat = {
  COMPRESSION: 0x1, FILETYPE: 0x2, RECOVER: 0x4, JOURNAL_DEV: 0x8, META_BG: 0x10,
  EXTENTS: 0x40, BIT64: 0x80, MMP: 0x100, FLEX_BG: 0x200, EA_INODE: 0x400,
  DIRDATA: 0x1000, CSUM_SEED: 0x2000, LARGEDIR: 0x4000, INLINE_DATA: 0x8000,
  ENCRYPT: 0x10000, CASEFOLD: 0x20000,
} as const;
export const RoCompat = {
  SPARSE_SUPER: 0x1, LARGE_FILE: 0x2, BTREE_DIR: 0x4, HUGE_FILE: 0x8, GDT_CSUM: 0x10,
  DIR_NLINK: 0x20, EXTRA_ISIZE: 0x40, HAS_SNAPSHOT: 0x80, QUOTA: 0x100, BIGALLOC: 0x200,
  METADATA_CSUM: 0x400, REPLICA: 0x800, READONLY: 0x1000, PROJECT: 0x2000,
  SHARED_BLOCKS: 0x4000, VERITY: 0x8000, ORPHAN_PRESENT: 0x10000,
} as const;

// What we can write safely. Compat features are by definition safe to ignore, but a
// journal is refused anyway: writing behind its back would leave a journal that replays
// stale blocks over ours (and has_journal means "this is ext3/4", not ext2).
// NOTE: dir_index is accepted: an htree's interior blocks look like empty entries to a
// linear reader, and we clear the directory's INDEX flag whenever we change it.
export const COMPAT_REFUSED = Compat.HAS_JOURNAL;
export const INCOMPAT_SUPPORTED = Incompat.FILETYPE;
export const RO_COMPAT_SUPPORTED = RoCompat.SPARSE_SUPER | RoCompat.LARGE_FILE;

/** Names of feature bits, for mount errors that say what is unsupported. */
export function featureNames(table: Readonly<Record<string, number>>, bits: number): string[] {
  const out: string[] = [];
  for (const [name, bit] of Object.entries(table)) if (bits & bit) out.push(name.toLowerCase());
  const known = Object.values(table).reduce((a, b) => a | b, 0);
  const unknown = (bits & ~known) >>> 0;
  if (unknown) out.push(`unknown(0x${unknown.toString(16)})`);
  return out;
}

/**
 * Told around every change made through a Superblock or GroupDesc view: the mounted
 * volume verifies, before, that the bytes are still what it last left, and re-takes
 * their checksum after (volume.ts: a wild write into them is found, never laundered).
 */
export interface ViewGuard { before(): void; after(): void }

/** A view over the 1024 superblock bytes. */
export class Superblock {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, private readonly guard?: ViewGuard) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, SUPERBLOCK_SIZE);
  }
  private u32(o: number): number { return this.view.getUint32(o, true); }
  private u16(o: number): number { return this.view.getUint16(o, true); }
  private change(write: () => void): void {
    this.guard?.before();
    write();
    this.guard?.after();
  }
  private set32(o: number, v: number): void { this.change(() => this.view.setUint32(o, v >>> 0, true)); }
  private set16(o: number, v: number): void { this.change(() => this.view.setUint16(o, v & 0xffff, true)); }

  get inodesCount(): number { return this.u32(0); }
  set inodesCount(v: number) { this.set32(0, v); }
  get blocksCount(): number { return this.u32(4); }
  set blocksCount(v: number) { this.set32(4, v); }
  get reservedBlocksCount(): number { return this.u32(8); }
  set reservedBlocksCount(v: number) { this.set32(8, v); }
  get freeBlocksCount(): number { return this.u32(12); }
  set freeBlocksCount(v: number) { this.set32(12, v); }
  get freeInodesCount(): number { return this.u32(16); }
  set freeInodesCount(v: number) { this.set32(16, v); }
  get firstDataBlock(): number { return this.u32(20); }
  set firstDataBlock(v: number) { this.set32(20, v); }
  get logBlockSize(): number { return this.u32(24); }
  set logBlockSize(v: number) { this.set32(24, v); }
  get logFragSize(): number { return this.u32(28); }
  set logFragSize(v: number) { this.set32(28, v); }
  get blocksPerGroup(): number { return this.u32(32); }
  set blocksPerGroup(v: number) { this.set32(32, v); }
  get fragsPerGroup(): number { return this.u32(36); }
  set fragsPerGroup(v: number) { this.set32(36, v); }
  get inodesPerGroup(): number { return this.u32(40); }
  set inodesPerGroup(v: number) { this.set32(40, v); }
  get mtime(): number { return this.u32(44); }
  set mtime(v: number) { this.set32(44, v); }
  get wtime(): number { return this.u32(48); }
  set wtime(v: number) { this.set32(48, v); }
  get mountCount(): number { return this.u16(52); }
  set mountCount(v: number) { this.set16(52, v); }
  get maxMountCount(): number { return this.view.getInt16(54, true); }
  set maxMountCount(v: number) { this.change(() => this.view.setInt16(54, v, true)); }
  get magic(): number { return this.u16(56); }
  set magic(v: number) { this.set16(56, v); }
  get state(): number { return this.u16(58); }
  set state(v: number) { this.set16(58, v); }
  get errors(): number { return this.u16(60); }
  set errors(v: number) { this.set16(60, v); }
  get lastCheck(): number { return this.u32(64); }
  set lastCheck(v: number) { this.set32(64, v); }
  get creatorOs(): number { return this.u32(72); }
  set creatorOs(v: number) { this.set32(72, v); }
  get revLevel(): number { return this.u32(76); }
  set revLevel(v: number) { this.set32(76, v); }
  get firstIno(): number { return this.revLevel === 0 ? GOOD_OLD_FIRST_INO : this.u32(84); }
  set firstIno(v: number) { this.set32(84, v); }
  get inodeSize(): number { return this.revLevel === 0 ? GOOD_OLD_INODE_SIZE : this.u16(88); }
  set inodeSize(v: number) { this.set16(88, v); }
  get blockGroupNr(): number { return this.u16(90); }
  set blockGroupNr(v: number) { this.set16(90, v); }
  get featureCompat(): number { return this.revLevel === 0 ? 0 : this.u32(92); }
  set featureCompat(v: number) { this.set32(92, v); }
  get featureIncompat(): number { return this.revLevel === 0 ? 0 : this.u32(96); }
  set featureIncompat(v: number) { this.set32(96, v); }
  get featureRoCompat(): number { return this.revLevel === 0 ? 0 : this.u32(100); }
  set featureRoCompat(v: number) { this.set32(100, v); }
  get uuid(): Uint8Array { return this.bytes.subarray(104, 120); }
  get volumeName(): Uint8Array { return this.bytes.subarray(120, 136); }
  get reservedGdtBlocks(): number { return this.featureCompat & Compat.RESIZE_INODE ? this.u16(206) : 0; }
  get lastOrphan(): number { return this.u32(232); }
  set lastOrphan(v: number) { this.set32(232, v); }
  set defHashVersion(v: number) { this.change(() => { this.bytes[252] = v; }); }
  get mkfsTime(): number { return this.u32(264); }
  set mkfsTime(v: number) { this.set32(264, v); }
  set minExtraIsize(v: number) { this.set16(0x15c, v); }
  set wantExtraIsize(v: number) { this.set16(0x15e, v); }
  get wantExtraIsize(): number { return this.u16(0x15e); }

  get blockSize(): number { return 1024 << this.logBlockSize; }
  get groupCount(): number { return Math.ceil((this.blocksCount - this.firstDataBlock) / this.blocksPerGroup); }
  hasCompat(bit: number): boolean { return (this.featureCompat & bit) !== 0; }
  hasIncompat(bit: number): boolean { return (this.featureIncompat & bit) !== 0; }
  hasRoCompat(bit: number): boolean { return (this.featureRoCompat & bit) !== 0; }
}

/** Whether block group `group` holds a superblock backup (sparse_super: 0, 1, powers of 3, 5, 7). */
export function groupHasSuper(sb: Superblock, group: number): boolean {
  if (group <= 1 || !sb.hasRoCompat(RoCompat.SPARSE_SUPER)) return true;
  for (const base of [3, 5, 7]) {
    let p = base;
    while (p < group) p *= base;
    if (p === group) return true;
  }
  return false;
}

/** Blocks at the start of `group` taken by the superblock copy, descriptors and reserved descriptors. */
export function groupSuperOverhead(sb: Superblock, group: number): number {
  if (!groupHasSuper(sb, group)) return 0;
  const gdtBlocks = Math.ceil((sb.groupCount * GROUP_DESC_SIZE) / sb.blockSize);
  return 1 + gdtBlocks + sb.reservedGdtBlocks;
}

/** One 32-byte block group descriptor, as a view into the descriptor table's bytes. */
export class GroupDesc {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, private readonly guard?: ViewGuard) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, GROUP_DESC_SIZE);
  }
  private set32(o: number, v: number): void { this.guard?.before(); this.view.setUint32(o, v, true); this.guard?.after(); }
  private set16(o: number, v: number): void { this.guard?.before(); this.view.setUint16(o, v, true); this.guard?.after(); }
  get blockBitmap(): BlockNo { return asBlockNo(this.view.getUint32(0, true)); }
  set blockBitmap(v: number) { this.set32(0, v); }
  get inodeBitmap(): BlockNo { return asBlockNo(this.view.getUint32(4, true)); }
  set inodeBitmap(v: number) { this.set32(4, v); }
  get inodeTable(): BlockNo { return asBlockNo(this.view.getUint32(8, true)); }
  set inodeTable(v: number) { this.set32(8, v); }
  get freeBlocks(): number { return this.view.getUint16(12, true); }
  set freeBlocks(v: number) { this.set16(12, v); }
  get freeInodes(): number { return this.view.getUint16(14, true); }
  set freeInodes(v: number) { this.set16(14, v); }
  get usedDirs(): number { return this.view.getUint16(16, true); }
  set usedDirs(v: number) { this.set16(16, v); }
  get flags(): number { return this.view.getUint16(18, true); }
}

/** How a mount treats an image, decided from its feature flags. */
export type FeatureVerdict = { mode: 'rw' } | { mode: 'ro'; reason: string } | { mode: 'refuse'; reason: string };

export function judgeFeatures(sb: Superblock): FeatureVerdict {
  const incompat = (sb.featureIncompat & ~INCOMPAT_SUPPORTED) >>> 0;
  if (incompat) return { mode: 'refuse', reason: `unsupported incompatible feature(s): ${featureNames(Incompat, incompat).join(', ')}` };
  if (sb.featureCompat & COMPAT_REFUSED) return { mode: 'refuse', reason: 'unsupported feature: has_journal (an ext3/ext4 journal; this is an ext2 driver)' };
  const ro = (sb.featureRoCompat & ~RO_COMPAT_SUPPORTED) >>> 0;
  if (ro) return { mode: 'ro', reason: `read-only compatible feature(s) not supported for writing: ${featureNames(RoCompat, ro).join(', ')}` };
  return { mode: 'rw' };
}

/** Checks the superblock's geometry against itself and the device; throws EINVAL/EUCLEAN naming the problem. */
export function validateSuperblock(sb: Superblock, deviceBytes: number): void {
  if (sb.magic !== EXT2_MAGIC) fail(Errno.EINVAL, `not an ext2 filesystem (magic 0x${sb.magic.toString(16)}, expected 0xef53)`);
  if (sb.revLevel > 1) fail(Errno.EINVAL, `unsupported ext2 revision ${sb.revLevel}`);
  if (sb.logBlockSize > 4) fail(Errno.EINVAL, `unsupported block size 2^(10+${sb.logBlockSize}) (1 KiB to 16 KiB are supported)`);
  const bs = sb.blockSize;
  if (sb.firstDataBlock !== (bs === 1024 ? 1 : 0)) fail(Errno.EUCLEAN, `corrupt superblock: first data block ${sb.firstDataBlock} for ${bs}-byte blocks`);
  if (sb.blocksPerGroup === 0 || sb.blocksPerGroup > bs * 8) fail(Errno.EUCLEAN, `corrupt superblock: ${sb.blocksPerGroup} blocks per group`);
  if (sb.inodesPerGroup === 0 || sb.inodesPerGroup > bs * 8) fail(Errno.EUCLEAN, `corrupt superblock: ${sb.inodesPerGroup} inodes per group`);
  const isz = sb.inodeSize;
  if (isz < GOOD_OLD_INODE_SIZE || isz > bs || (isz & (isz - 1)) !== 0) fail(Errno.EUCLEAN, `corrupt superblock: inode size ${isz}`);
  if (sb.blocksCount <= sb.firstDataBlock + 1) fail(Errno.EUCLEAN, `corrupt superblock: ${sb.blocksCount} blocks`);
  if (sb.blocksCount * bs > deviceBytes) fail(Errno.EINVAL, `filesystem is ${sb.blocksCount * bs} bytes but the device holds only ${deviceBytes} (truncated image?)`);
  const groups = sb.groupCount;
  if (sb.inodesCount !== groups * sb.inodesPerGroup) fail(Errno.EUCLEAN, `corrupt superblock: ${sb.inodesCount} inodes but ${groups} groups of ${sb.inodesPerGroup}`);
  if (sb.firstIno < GOOD_OLD_FIRST_INO || sb.firstIno >= sb.inodesCount) fail(Errno.EUCLEAN, `corrupt superblock: first inode ${sb.firstIno}`);
  const gdtBlocks = Math.ceil((groups * GROUP_DESC_SIZE) / bs);
  if (sb.firstDataBlock + 1 + gdtBlocks + sb.reservedGdtBlocks > Math.min(sb.blocksCount, sb.firstDataBlock + sb.blocksPerGroup)) {
    fail(Errno.EUCLEAN, `corrupt superblock: ${groups} group descriptors do not fit in group 0`);
  }
}

/** Checks one descriptor's bitmaps and inode table lie inside its group; throws EUCLEAN. */
export function validateGroupDesc(sb: Superblock, group: number, gd: GroupDesc): void {
  const first = sb.firstDataBlock + group * sb.blocksPerGroup;
  const last = Math.min(first + sb.blocksPerGroup, sb.blocksCount) - 1;
  const tableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / sb.blockSize);
  const inside = (b: number, n: number): boolean => b >= first && b + n - 1 <= last;
  const bad = (what: string, b: number): never => fail(Errno.EUCLEAN, `corrupt group descriptor ${group}: ${what} at block ${b} is outside the group (${first}..${last})`);
  if (!inside(gd.blockBitmap, 1)) bad('block bitmap', gd.blockBitmap);
  if (!inside(gd.inodeBitmap, 1)) bad('inode bitmap', gd.inodeBitmap);
  if (!inside(gd.inodeTable, tableBlocks)) bad('inode table', gd.inodeTable);
  if (gd.freeBlocks > last - first + 1) fail(Errno.EUCLEAN, `corrupt group descriptor ${group}: ${gd.freeBlocks} free blocks in a group of ${last - first + 1}`);
  if (gd.freeInodes > sb.inodesPerGroup) fail(Errno.EUCLEAN, `corrupt group descriptor ${group}: ${gd.freeInodes} free inodes in a group of ${sb.inodesPerGroup}`);
}

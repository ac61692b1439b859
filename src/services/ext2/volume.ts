// The mounted volume: superblock and group descriptors (copies in the arena), the
// buffer cache, the in-core inodes, and block/inode allocation from the bitmaps.
// It knows nothing about files or directories: bmap.ts maps file blocks, dir.ts reads
// and edits directories, filesystem.ts implements the FileSystem contract on top.
//
// Crash ordering (with cache.ts): blocks and inodes freed since the last sync are not
// handed out again until that sync has made the free durable, so a crash can never
// leave a stale on-disk pointer to a block that already holds someone else's data.
//
// The disk guard: the superblock and descriptors live in the arena too, so their
// views are guarded like the cache's buffers (a checksum verified before and re-taken
// after every change ext2 makes; MetaGuard below), and before anything is written
// back `checkBeforeWriteBack` verifies every checksum and the fields that never change
// while mounted (magic, geometry, where the bitmaps and tables are). A failure poisons
// the cache: nothing more reaches the device, and the disk keeps its last good sync.
// Allocation trusts a bitmap only as far as a cheap second look confirms it: a "free"
// inode must have no links and no opens, a "free" block must not be cached (EUCLEAN).

import type { BlockDevice } from '../../abi/blk.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { Errno, fail, KernelError } from '../../abi/errno.js';
import { asBlockNo, type BlockNo } from '../../abi/ids.js';
import type { Arena, Region } from '../../lib/arena.js';
import { blockChecksum, BufferCache, MemoryCorruption } from './cache.js';
import { walkBlocks } from './bmap.js';
import { hasBlockTree } from './file.js';
import { Inode } from './inode.js';
import {
  EXT2_MAGIC, GroupDesc, GROUP_DESC_SIZE, groupHasSuper, groupSuperOverhead, judgeFeatures, LINK_MAX, STATE_ERROR, STATE_VALID,
  Superblock, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE, validateGroupDesc, validateSuperblock, type ViewGuard,
} from './layout.js';

export interface VolumeOptions {
  arena: Arena;
  owner: string;
  readOnly: boolean;
  log: (m: string) => void;
  cacheBytes: number;
  /** In-core inodes kept before unused ones are dropped (default 8192). */
  inodeCache?: number;
  /** The clock, in nanoseconds since the epoch. */
  now: () => number;
}

const INODE_CACHE_LIMIT = 8192;

/** The checksum of the superblock and descriptor table as ext2 last left them. */
class MetaGuard implements ViewGuard {
  private sum: number;
  /** Set by the volume: how a mismatch is reported (it poisons the cache). */
  poison: (message: string) => never = (m) => { throw new MemoryCorruption(m); };
  constructor(private readonly words: Int32Array) { this.sum = blockChecksum(words); }
  verify(): void {
    if (blockChecksum(this.words) !== this.sum) this.poison('ext2: the in-memory superblock or group descriptors changed without going through ext2 (a wild write); refusing to write them back');
  }
  before(): void { this.verify(); }
  after(): void { this.sum = blockChecksum(this.words); }
}

/** What must not change while mounted: read at mount, compared before every write-back. */
interface Geometry {
  inodesCount: number; blocksCount: number; firstDataBlock: number; logBlockSize: number; blocksPerGroup: number;
  inodesPerGroup: number; inodeSize: number; firstIno: number; revLevel: number; featureIncompat: number;
  groups: { blockBitmap: number; inodeBitmap: number; inodeTable: number }[];
}

function geometryOf(sb: Superblock, groups: readonly GroupDesc[]): Geometry {
  return {
    inodesCount: sb.inodesCount, blocksCount: sb.blocksCount, firstDataBlock: sb.firstDataBlock, logBlockSize: sb.logBlockSize,
    blocksPerGroup: sb.blocksPerGroup, inodesPerGroup: sb.inodesPerGroup, inodeSize: sb.inodeSize, firstIno: sb.firstIno,
    revLevel: sb.revLevel, featureIncompat: sb.featureIncompat,
    groups: groups.map((gd) => ({ blockBitmap: gd.blockBitmap, inodeBitmap: gd.inodeBitmap, inodeTable: gd.inodeTable })),
  };
}

export class Volume {
  readonly blockSize: number;
  readonly pointersPerBlock: number;
  readonly groupCount: number;
  readonly inodeTableBlocks: number;
  readonly groups: GroupDesc[] = [];
  readonly cache: BufferCache;
  readOnly: boolean;
  // The superblock and descriptor table live in `metaRegion`; metaDirty says they must
  // be copied into their blocks at the next sync.
  private metaDirty = false;
  private readonly superOverhead: number[] = [];
  // Changed only under the filesystem lock.
  private readonly inodes = new Map<number, Inode>();
  private epoch = 0;
  private trimAt: number;
  // Freed since the last sync: not handed out again until that free is on disk.
  private readonly pendingFreeBlocks = new PendingFrees();
  private readonly pendingFreeInodes = new PendingFrees();
  // Since the last full sync: the directories that gained an entry naming each inode
  // (inode → directory inodes). fsync writes them too, so a file keeps its name.
  private readonly unsyncedNames = new Map<number, Set<number>>();
  private generation: number;
  private closed = false;
  // Written once at mount (on the JavaScript heap, out of any wild write's reach).
  private readonly geometry: Geometry;

  private constructor(
    readonly device: BlockDevice,
    readonly sb: Superblock,
    private readonly metaRegion: Region,
    private readonly guard: MetaGuard,
    readonly options: VolumeOptions,
  ) {
    this.blockSize = sb.blockSize;
    this.pointersPerBlock = this.blockSize / 4;
    this.groupCount = sb.groupCount;
    this.inodeTableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / this.blockSize);
    for (let g = 0; g < this.groupCount; g++) {
      this.groups.push(new GroupDesc(metaRegion.bytes.subarray(SUPERBLOCK_SIZE + g * GROUP_DESC_SIZE, SUPERBLOCK_SIZE + (g + 1) * GROUP_DESC_SIZE), guard));
      this.superOverhead.push(groupSuperOverhead(sb, g));
    }
    this.geometry = geometryOf(sb, this.groups);
    this.cache = new BufferCache(device, options.arena, options.owner, this.blockSize, options.cacheBytes, sb.blocksCount);
    guard.poison = (m) => this.cache.poison(m);
    this.readOnly = options.readOnly;
    this.trimAt = options.inodeCache ?? INODE_CACHE_LIMIT;
    this.generation = (options.now() / 1e6) >>> 0;
  }

  /** Reads and checks the superblock and descriptors; refuses what it cannot handle. */
  static async open(device: BlockDevice, options: VolumeOptions): Promise<Volume> {
    const deviceBytes = await device.size();
    if (deviceBytes < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE) fail(Errno.EINVAL, `device of ${deviceBytes} bytes is too small to hold an ext2 superblock`);
    const sbBytes = await device.read(SUPERBLOCK_OFFSET / SECTOR_SIZE, SUPERBLOCK_SIZE / SECTOR_SIZE);
    const probe = new Superblock(sbBytes.slice(0, SUPERBLOCK_SIZE));
    validateSuperblock(probe, deviceBytes);
    const verdict = judgeFeatures(probe);
    if (verdict.mode === 'refuse') fail(Errno.EINVAL, `ext2: cannot mount: ${verdict.reason}`);
    let readOnly = options.readOnly;
    if (verdict.mode === 'ro' && !readOnly) { options.log(`ext2: mounting read-only: ${verdict.reason}`); readOnly = true; }
    const bs = probe.blockSize;
    const gdtBytes = probe.groupCount * GROUP_DESC_SIZE;
    const gdtBlocks = Math.ceil(gdtBytes / bs);
    let region: Region;
    try { region = options.arena.alloc(options.owner, SUPERBLOCK_SIZE + gdtBlocks * bs, 'ext2 superblock and group descriptors'); } catch (e) {
      fail(Errno.ENOMEM, `ext2: arena ${options.arena.name} has no room for ${gdtBlocks} blocks of group descriptors (${String(e)})`);
    }
    let vol: Volume | undefined;
    try {
      region.bytes.set(probe.bytes, 0);
      const gdt = await device.read(((probe.firstDataBlock + 1) * bs) / SECTOR_SIZE, (gdtBlocks * bs) / SECTOR_SIZE);
      region.bytes.set(gdt.subarray(0, gdtBlocks * bs), SUPERBLOCK_SIZE);
      const guard = new MetaGuard(new Int32Array(region.bytes.buffer, region.bytes.byteOffset, (SUPERBLOCK_SIZE + gdtBlocks * bs) / 4));
      vol = new Volume(device, new Superblock(region.bytes.subarray(0, SUPERBLOCK_SIZE), guard), region, guard, { ...options, readOnly });
      const v = vol;
      v.groups.forEach((gd, g) => validateGroupDesc(v.sb, g, gd));
      await v.start();
      return v;
    } catch (e) {
      if (vol) vol.cache.close(options.arena);
      options.arena.free(region);
      throw e;
    }
  }

  private async start(): Promise<void> {
    const sb = this.sb;
    // The summary counts are advisory (Linux recomputes them too); the descriptors rule.
    let freeBlocks = 0, freeInodes = 0;
    for (const gd of this.groups) { freeBlocks += gd.freeBlocks; freeInodes += gd.freeInodes; }
    if (freeBlocks !== sb.freeBlocksCount || freeInodes !== sb.freeInodesCount) {
      sb.freeBlocksCount = freeBlocks;
      sb.freeInodesCount = freeInodes;
      this.metaDirty = true;
    }
    if (!(sb.state & STATE_VALID) || sb.state & STATE_ERROR) this.options.log('ext2: warning: filesystem was not cleanly unmounted or has errors; run fsck');
    if (this.readOnly) return;
    sb.state = sb.state & ~STATE_VALID;
    sb.mountCount = sb.mountCount + 1;
    sb.mtime = Math.floor(this.options.now() / 1e9);
    this.metaDirty = true;
    await this.sync();
  }

  get isClosed(): boolean { return this.closed; }

  /** Throws MemoryCorruption when a wild write was found (now or before). */
  checkIntact(): void {
    this.cache.checkPoison();
    this.guard.verify();
  }

  /**
   * Everything that is about to be written back is what ext2 left there: every
   * checksum, the fields that never change while mounted, counts within their totals.
   * A failure poisons the cache (MemoryCorruption): nothing is written, ever again.
   */
  private checkBeforeWriteBack(everyBuffer = true): void {
    this.checkIntact();
    // fsync of one file writes a few buffers, each verified before the first is written
    // (cache.writeSome); a whole write-back verifies the whole cache.
    if (everyBuffer) this.cache.verifyAll();
    const sb = this.sb;
    const g0 = this.geometry;
    const bad = (what: string): never => this.cache.poison(`ext2: refusing to write back: ${what}`);
    if (sb.magic !== EXT2_MAGIC) bad(`the in-memory superblock has magic 0x${sb.magic.toString(16)}`);
    for (const key of ['inodesCount', 'blocksCount', 'firstDataBlock', 'logBlockSize', 'blocksPerGroup', 'inodesPerGroup', 'inodeSize', 'firstIno', 'revLevel', 'featureIncompat'] as const) {
      if (sb[key] !== g0[key]) bad(`the in-memory superblock's ${key} is ${sb[key]}, not ${g0[key]} as at mount`);
    }
    if (sb.freeBlocksCount > sb.blocksCount) bad(`the superblock counts ${sb.freeBlocksCount} free blocks of ${sb.blocksCount}`);
    if (sb.freeInodesCount > sb.inodesCount) bad(`the superblock counts ${sb.freeInodesCount} free inodes of ${sb.inodesCount}`);
    this.groups.forEach((gd, g) => {
      const at = g0.groups[g]!;
      if (gd.blockBitmap !== at.blockBitmap || gd.inodeBitmap !== at.inodeBitmap || gd.inodeTable !== at.inodeTable) bad(`group descriptor ${g} moved its bitmaps or inode table`);
      if (gd.freeBlocks > this.groupBlockCount(g) || gd.freeInodes > sb.inodesPerGroup) bad(`group descriptor ${g} counts more free blocks or inodes than the group has`);
    });
  }

  /** Inode sanity before an in-core inode goes into its table: a type, a link count, pointers inside the filesystem. */
  private checkInode(inode: Inode): void {
    const mode = inode.mode;
    if (mode === 0) return;
    const type = mode & 0o170000;
    if (![0o010000, 0o020000, 0o040000, 0o060000, 0o100000, 0o120000, 0o140000].includes(type)) this.corrupt(`inode ${inode.ino} has no valid file type (mode 0${mode.toString(8)}); not writing it back`);
    if (inode.linksCount > LINK_MAX) this.corrupt(`inode ${inode.ino} has ${inode.linksCount} links; not writing it back`);
    const tree = type === 0o100000 || type === 0o040000 || (type === 0o120000 && !inode.isFastSymlink(this.blockSize));
    if (tree) for (let i = 0; i < 15; i++) if (inode.block(i) >= this.sb.blocksCount) this.corrupt(`inode ${inode.ino} points at block ${inode.block(i)}, outside the filesystem; not writing it back`);
  }

  now(): number { return this.options.now(); }

  nextGeneration(): number { this.generation = (this.generation + 1) >>> 0; return this.generation; }

  /** Records corruption found at run time and throws EUCLEAN naming it. */
  corrupt(message: string): never {
    this.options.log(`ext2: corruption: ${message}`);
    if (!this.readOnly) { this.sb.state = this.sb.state | STATE_ERROR; this.metaDirty = true; }
    throw new KernelError(Errno.EUCLEAN, `ext2: ${message}`);
  }

  requireWritable(): void {
    if (this.readOnly) fail(Errno.EROFS);
  }

  groupFirstBlock(g: number): number { return this.sb.firstDataBlock + g * this.sb.blocksPerGroup; }
  groupBlockCount(g: number): number { return Math.min(this.sb.blocksPerGroup, this.sb.blocksCount - this.groupFirstBlock(g)); }

  /** Whether `b` holds filesystem metadata (superblock copy, descriptors, bitmaps, inode table). */
  isMetadata(b: number): boolean {
    if (b < this.sb.firstDataBlock) return true;
    const g = Math.floor((b - this.sb.firstDataBlock) / this.sb.blocksPerGroup);
    const gd = this.groups[g];
    if (!gd) return true;
    if (b - this.groupFirstBlock(g) < this.superOverhead[g]!) return true;
    return b === gd.blockBitmap || b === gd.inodeBitmap || (b >= gd.inodeTable && b < gd.inodeTable + this.inodeTableBlocks);
  }

  /** Checks a block pointer found in an inode or indirect block before it is used. */
  checkPointer(b: number, owner: number): void {
    if (b >= this.sb.blocksCount || this.isMetadata(b)) this.corrupt(`inode ${owner} points at block ${b}, which is ${b >= this.sb.blocksCount ? 'outside the filesystem' : 'filesystem metadata'}`);
  }

  // ---- inodes ----

  private inodeLocation(ino: number): { block: BlockNo; offset: number } {
    const g = Math.floor((ino - 1) / this.sb.inodesPerGroup);
    const index = (ino - 1) % this.sb.inodesPerGroup;
    const byte = index * this.sb.inodeSize;
    return { block: asBlockNo(this.groups[g]!.inodeTable + Math.floor(byte / this.blockSize)), offset: byte % this.blockSize };
  }

  validIno(ino: number): boolean { return Number.isInteger(ino) && ino >= 1 && ino <= this.sb.inodesCount; }

  /** The in-core inode `ino`, loaded from its table on first use. */
  async getInode(ino: number): Promise<Inode> {
    if (!this.validIno(ino)) this.corrupt(`inode number ${ino} is outside 1..${this.sb.inodesCount}`);
    const cached = this.inodes.get(ino);
    if (cached) { cached.epoch = this.epoch; return cached; }
    const { block, offset } = this.inodeLocation(ino);
    const buf = await this.cache.get(block, 'meta');
    const again = this.inodes.get(ino);
    if (again) return again;
    const inode = new Inode(ino, buf.data.slice(offset, offset + this.sb.inodeSize));
    if (this.inodes.size >= this.trimAt) await this.trimInodes();
    inode.epoch = this.epoch;
    this.inodes.set(ino, inode);
    return inode;
  }

  private async storeInode(inode: Inode): Promise<void> {
    this.checkInode(inode);
    const { block, offset } = this.inodeLocation(inode.ino);
    const buf = await this.cache.get(block, 'meta');
    buf.data.set(inode.raw, offset);
    this.cache.markDirty(buf);
    inode.dirty = false;
  }

  /** Copies every changed in-core inode into its inode-table buffer. */
  async storeInodes(): Promise<void> {
    for (const inode of [...this.inodes.values()]) if (inode.dirty) await this.storeInode(inode);
  }

  /** Starts a filesystem operation: inodes it touches stay in core until it ends. */
  beginOperation(): void { this.epoch++; }

  private async trimInodes(): Promise<void> {
    await this.storeInodes();
    // Open inodes (orphans among them) hold in-core state, and the current operation may
    // hold references to the ones it touched; everything else reloads from its table.
    for (const [ino, inode] of this.inodes) if (inode.opens === 0 && !inode.dirty && inode.epoch !== this.epoch) this.inodes.delete(ino);
    // Amortized: if the operation itself holds many, do not trim again at once.
    this.trimAt = Math.max(this.options.inodeCache ?? INODE_CACHE_LIMIT, this.inodes.size * 2);
  }

  /** In-core inodes that are unlinked but still open (freed on their last release). */
  orphans(): Inode[] { return [...this.inodes.values()].filter((i) => i.linksCount === 0 && i.opens > 0); }

  // ---- bitmaps ----

  // The first bit in [from, to) that is clear in `bits` and not pending (`pending`: the
  // group's bits freed since the last sync). Whole bytes at a time where they are taken.
  private static findZero(bits: Uint8Array, from: number, to: number, pending: Uint8Array | undefined): number {
    let i = from;
    while (i < to) {
      const j = i >> 3;
      const taken = pending === undefined ? bits[j]! : bits[j]! | pending[j]!;
      if ((i & 7) === 0 && taken === 0xff) { i += 8; continue; }
      if (!(taken & (1 << (i & 7)))) return i;
      i++;
    }
    return -1;
  }

  /** Allocates one block, preferring `goal` and its group; ENOSPC when none is free. */
  async allocBlock(goal: number, owner: number): Promise<BlockNo> {
    this.requireWritable();
    for (let attempt = 0; attempt < 2; attempt++) {
      const fdb = this.sb.firstDataBlock;
      const goalBlock = goal >= fdb && goal < this.sb.blocksCount ? goal : fdb;
      const goalGroup = Math.floor((goalBlock - fdb) / this.sb.blocksPerGroup);
      for (let n = 0; n < this.groupCount; n++) {
        const g = (goalGroup + n) % this.groupCount;
        const gd = this.groups[g]!;
        if (gd.freeBlocks === 0) continue;
        const base = this.groupFirstBlock(g);
        const count = this.groupBlockCount(g);
        const buf = await this.cache.get(gd.blockBitmap, 'meta');
        const pending = this.pendingFreeBlocks.of(g);
        const start = n === 0 ? goalBlock - base : 0;
        let i = Volume.findZero(buf.data, start, count, pending);
        if (i < 0 && start > 0) i = Volume.findZero(buf.data, 0, start, pending);
        if (i < 0) continue;
        const b = asBlockNo(base + i);
        if (this.isMetadata(b)) this.corrupt(`block bitmap of group ${g} marks metadata block ${b} free`);
        // A block in the cache is in use (freeing one drops it from the cache).
        if (this.cache.has(b)) this.corrupt(`block bitmap of group ${g} marks block ${b} free, but it is in use`);
        buf.data[i >> 3]! |= 1 << (i & 7);
        this.cache.markDirty(buf);
        gd.freeBlocks = Math.max(0, gd.freeBlocks - 1);
        this.sb.freeBlocksCount = Math.max(0, this.sb.freeBlocksCount - 1);
        this.metaDirty = true;
        return b;
      }
      // Blocks freed since the last sync become usable once that free is on disk.
      if (this.pendingFreeBlocks.size === 0) break;
      await this.sync();
    }
    fail(Errno.ENOSPC, `ext2: no free block (for inode ${owner})`);
  }

  async freeBlock(b: BlockNo, owner: number): Promise<void> {
    this.checkPointer(b, owner);
    const g = Math.floor((b - this.sb.firstDataBlock) / this.sb.blocksPerGroup);
    const gd = this.groups[g]!;
    const i = b - this.groupFirstBlock(g);
    const buf = await this.cache.get(gd.blockBitmap, 'meta');
    if (!(buf.data[i >> 3]! & (1 << (i & 7)))) this.corrupt(`inode ${owner} frees block ${b}, which is already free`);
    buf.data[i >> 3]! &= ~(1 << (i & 7));
    this.cache.markDirty(buf);
    this.cache.forget(b);
    gd.freeBlocks = Math.min(gd.freeBlocks + 1, this.groupBlockCount(g));
    this.sb.freeBlocksCount = Math.min(this.sb.freeBlocksCount + 1, this.sb.blocksCount);
    this.pendingFreeBlocks.add(g, i, this.groupBlockCount(g));
    this.metaDirty = true;
  }

  /** Allocates an inode number: directories spread over emptier groups, files stay near their parent. */
  async allocInode(parent: number, isDirectory: boolean): Promise<number> {
    this.requireWritable();
    const ipg = this.sb.inodesPerGroup;
    const parentGroup = this.validIno(parent) ? Math.floor((parent - 1) / ipg) : 0;
    const order: number[] = [];
    if (isDirectory) {
      const avgFree = this.sb.freeInodesCount / this.groupCount;
      const candidates = this.groups.map((gd, g) => ({ gd, g })).filter(({ gd }) => gd.freeInodes > 0 && gd.freeInodes >= avgFree);
      candidates.sort((a, b) => b.gd.freeBlocks - a.gd.freeBlocks || a.gd.usedDirs - b.gd.usedDirs);
      for (const c of candidates) order.push(c.g);
    }
    for (let n = 0; n < this.groupCount; n++) order.push((parentGroup + n) % this.groupCount);
    for (let attempt = 0; attempt < 2; attempt++) {
      for (const g of order) {
        const gd = this.groups[g]!;
        if (gd.freeInodes === 0) continue;
        const first = g === 0 ? this.sb.firstIno - 1 : 0;
        const i = Volume.findZero((await this.cache.get(gd.inodeBitmap, 'meta')).data, first, ipg, this.pendingFreeInodes.of(g));
        if (i < 0) continue;
        await this.checkFreeInode(g * ipg + i + 1, g);
        // Interleaving: checkFreeInode may have read the table; fetch the bitmap again.
        const buf = await this.cache.get(gd.inodeBitmap, 'meta');
        buf.data[i >> 3]! |= 1 << (i & 7);
        this.cache.markDirty(buf);
        gd.freeInodes = Math.max(0, gd.freeInodes - 1);
        if (isDirectory) gd.usedDirs = gd.usedDirs + 1;
        this.sb.freeInodesCount = Math.max(0, this.sb.freeInodesCount - 1);
        this.metaDirty = true;
        const ino = g * ipg + i + 1;
        this.inodes.delete(ino);
        return ino;
      }
      if (this.pendingFreeInodes.size === 0) break;
      await this.sync();
    }
    fail(Errno.ENOSPC, 'ext2: no free inode');
  }

  // The bitmap says `ino` is free; its inode must agree (no links, no opens, and either
  // never used or deleted), or handing it out would overwrite a live file.
  private async checkFreeInode(ino: number, g: number): Promise<void> {
    const inode = await this.getInode(ino);
    if (inode.linksCount !== 0 || inode.opens > 0 || (inode.mode !== 0 && inode.dtime === 0)) {
      this.corrupt(`inode bitmap of group ${g} marks inode ${ino} free, but it is in use (mode 0${inode.mode.toString(8)}, ${inode.linksCount} links)`);
    }
  }

  async freeInode(ino: number, isDirectory: boolean): Promise<void> {
    const ipg = this.sb.inodesPerGroup;
    const g = Math.floor((ino - 1) / ipg);
    const i = (ino - 1) % ipg;
    const gd = this.groups[g]!;
    const buf = await this.cache.get(gd.inodeBitmap, 'meta');
    if (!(buf.data[i >> 3]! & (1 << (i & 7)))) this.corrupt(`freeing inode ${ino}, which is already free`);
    buf.data[i >> 3]! &= ~(1 << (i & 7));
    this.cache.markDirty(buf);
    gd.freeInodes = Math.min(gd.freeInodes + 1, ipg);
    if (isDirectory && gd.usedDirs > 0) gd.usedDirs = gd.usedDirs - 1;
    this.sb.freeInodesCount = Math.min(this.sb.freeInodesCount + 1, this.sb.inodesCount);
    this.pendingFreeInodes.add(g, i, ipg);
    this.metaDirty = true;
  }

  // ---- sync ----

  private async storeMeta(): Promise<void> {
    this.checkIntact();
    const bs = this.blockSize;
    const sbBlock = asBlockNo(bs === 1024 ? 1 : 0);
    const sbOffset = bs === 1024 ? 0 : SUPERBLOCK_OFFSET;
    this.sb.wtime = Math.floor(this.now() / 1e9);
    const sbBuf = await this.cache.get(sbBlock, 'meta');
    sbBuf.data.set(this.sb.bytes, sbOffset);
    this.cache.markDirty(sbBuf);
    const gdtBlocks = Math.ceil((this.groupCount * GROUP_DESC_SIZE) / bs);
    for (let i = 0; i < gdtBlocks; i++) {
      const buf = await this.cache.get(asBlockNo(this.sb.firstDataBlock + 1 + i), 'meta');
      buf.data.set(this.metaRegion.bytes.subarray(SUPERBLOCK_SIZE + i * bs, SUPERBLOCK_SIZE + (i + 1) * bs));
      this.cache.markDirty(buf);
    }
    this.metaDirty = false;
  }

  /** Makes everything durable: inodes into their tables, then data, barrier, metadata, barrier. */
  async sync(): Promise<void> {
    if (this.readOnly) return;
    this.checkIntact();
    await this.storeInodes();
    if (this.metaDirty || this.cache.dirtyCount > 0) await this.storeMeta();
    this.checkBeforeWriteBack();
    await this.cache.writeBack();
    this.pendingFreeBlocks.clear();
    this.pendingFreeInodes.clear();
    this.unsyncedNames.clear();
  }

  /** Records that directory `dir` gained an entry naming `ino` (fsync of `ino` writes it). */
  noteName(ino: number, dir: number): void {
    let dirs = this.unsyncedNames.get(ino);
    if (dirs === undefined) { dirs = new Set(); this.unsyncedNames.set(ino, dirs); }
    dirs.add(dir);
  }

  /**
   * fsync and fdatasync of one inode: its data blocks, barrier, then its indirect blocks,
   * its inode, the bitmaps, descriptors and superblock that record its allocations, and
   * (with `names`) the blocks and inodes of the directories whose new entries name it,
   * up the chain of new directories; barrier. Other files' dirty blocks stay cached.
   * Blocks freed since the last full sync stay unallocatable (only a full sync ends that).
   */
  async syncFile(ino: number, names: boolean): Promise<void> {
    if (this.readOnly) return;
    this.checkIntact();
    const blocks: BlockNo[] = [];
    const seen = new Set<number>();
    const stored = new Set<BlockNo>(); // inode-table blocks dirtied by this fsync only
    // False when an inode-table block also holds other inodes' unwritten changes: writing
    // it could put their pointers on disk before their data, so a full sync is the answer.
    const collect = async (i: number, withNames: boolean): Promise<boolean> => {
      if (seen.has(i)) return true;
      seen.add(i);
      const inode = await this.getInode(i);
      if (inode.mode !== 0 && hasBlockTree(this, inode)) await walkBlocks(this, inode, (b) => { blocks.push(b); return true; });
      const { block } = this.inodeLocation(i);
      if (this.cache.isDirty(block) && !stored.has(block)) return false;
      if (inode.dirty) { await this.storeInode(inode); blocks.push(block); stored.add(block); }
      if (withNames) for (const dir of this.unsyncedNames.get(i) ?? []) if (!await collect(dir, true)) return false;
      return true;
    };
    if (!await collect(ino, names)) { await this.sync(); return; }
    if (this.metaDirty) await this.storeMeta();
    const bs = this.blockSize;
    blocks.push(asBlockNo(bs === 1024 ? 1 : 0));
    for (let i = 0; i < Math.ceil((this.groupCount * GROUP_DESC_SIZE) / bs); i++) blocks.push(asBlockNo(this.sb.firstDataBlock + 1 + i));
    for (const gd of this.groups) blocks.push(gd.blockBitmap, gd.inodeBitmap);
    this.checkBeforeWriteBack(false);
    await this.cache.writeSome(blocks);
    if (names) for (const i of seen) this.unsyncedNames.delete(i);
  }

  /** Syncs, marks the filesystem clean, and releases the arena memory. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      // A poisoned cache writes nothing, not even the clean state: the disk keeps its last good sync.
      this.checkIntact();
      if (!this.readOnly) {
        await this.sync();
        if (!(this.sb.state & STATE_ERROR)) this.sb.state = this.sb.state | STATE_VALID;
        await this.storeMeta();
        this.checkBeforeWriteBack();
        await this.cache.writeBack();
      }
    } finally {
      this.closed = true;
      this.cache.close(this.options.arena);
      this.options.arena.free(this.metaRegion);
    }
  }

  isGroupSuper(g: number): boolean { return groupHasSuper(this.sb, g); }
}

/**
 * Blocks or inodes freed since the last sync, as one bitmap per group beside the
 * group's own: allocation skips them a byte at a time, however many there are (a
 * create-and-unlink loop frees one inode per round until the next sync).
 */
class PendingFrees {
  private readonly groups = new Map<number, Uint8Array>();
  size = 0;
  /** Group `g`'s pending bits, or undefined when none is pending there. */
  of(g: number): Uint8Array | undefined { return this.groups.get(g); }
  add(g: number, i: number, bitsInGroup: number): void {
    let bits = this.groups.get(g);
    if (bits === undefined) { bits = new Uint8Array((bitsInGroup + 7) >> 3); this.groups.set(g, bits); }
    if ((bits[i >> 3]! & (1 << (i & 7))) === 0) this.size++;
    bits[i >> 3]! |= 1 << (i & 7);
  }
  clear(): void { this.groups.clear(); this.size = 0; }
}

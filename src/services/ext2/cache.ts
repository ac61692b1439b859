// The buffer cache: fixed-size block buffers carved from the component's memory arena
// (ARCHITECTURE.md rule 4: under the monolithic preset that is kernel memory), replaced
// by CLOCK (second chance: a hit only sets the buffer's reference bit; eviction sweeps
// a hand over the slots, clearing the bits it passes and taking the first buffer whose
// bit was clear), written back lazily. Every buffer is either file data or metadata
// (directories, indirect blocks, bitmaps, inode tables, descriptors, superblock), and
// writeBack() writes all data, flushes the device, then all metadata and flushes again,
// so a crash never leaves metadata on disk that points at data which never got there.
// volume.ts owns the cache; everything above reads and writes blocks through it.
//
// The guard (ARCHITECTURE.md rule 4 cuts both ways: the cache is memory anyone with a
// stray pointer can reach). Every buffer carries a checksum of its bytes as ext2 last
// left them: taken when the block is read from the device and when ext2 marks the
// buffer dirty after changing it. A cache hit and every write-back verify it first;
// a buffer whose bytes changed without going through ext2 is a wild write, and the
// cache is *poisoned*: it refuses every further device write and every request, so
// the disk keeps the state of the last good write-back and the component fails.
// Caller must not await between `get` and `markDirty` of a buffer it changes (the
// checksum is verified by the one and re-taken by the other).

import type { BlockDevice } from '../../abi/blk.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { Errno, fail } from '../../abi/errno.js';
import { asBlockNo, type BlockNo } from '../../abi/ids.js';
import type { Arena, Region } from '../../lib/arena.js';
import { wordChecksum } from '../../lib/arena.js';
import { assert } from '../../lib/assert.js';

export type BufferKind = 'data' | 'meta';

/**
 * Memory that changed without going through ext2's own code: a wild write. Not an
 * errno, on purpose: the filesystem cannot go on, so the component fails (a user-domain
 * server dies and the supervisor restarts it; in the kernel domain the kernel panics).
 */
export class MemoryCorruption extends Error {
  constructor(message: string) { super(message); this.name = 'MemoryCorruption'; }
}

/** A 32-bit checksum of a buffer's bytes, a word at a time (lib/arena.ts wordChecksum; bytes.length is a multiple of 8). */
export const blockChecksum = wordChecksum;

/** One cached block. Its bytes are valid until it is evicted. */
export class Buffer {
  dirty = false;
  evicted = false;
  /** blockChecksum of the bytes as ext2 last left them (see the guard above). */
  sum = 0;
  /** Used since eviction last looked at it (second chance: BufferCache.evictOne). */
  referenced = false;
  constructor(readonly block: BlockNo, public kind: BufferKind, readonly slot: number, private readonly bytes: Uint8Array, readonly words: Int32Array) {}
  // NOTE: a buffer must not be used across an await that may evict it; touching an
  // evicted buffer throws instead of silently reading another block's bytes.
  get data(): Uint8Array {
    assert(!this.evicted, `buffer of block ${this.block} used after eviction`);
    return this.bytes;
  }
}

/** Cache counters, for statfs-like reports and the benchmark. */
export interface CacheStats { hits: number; misses: number; writes: number; flushes: number }

const MAX_COALESCE = 64;

export class BufferCache {
  private readonly region: Region;
  private readonly slots: number;
  private readonly freeSlots: number[] = [];
  // Lookup by block. The replacement order is the slots' (the clock hand's), not this
  // map's: a hit sets the buffer's reference bit and moves nothing (moving a buffer to
  // the young end of an LRU order on every hit, a Map delete and set, cost a tenth of a
  // cached read; moving it at eviction instead made the map's front a run of holes that
  // every look at the oldest skipped: reading past the cache went at half the speed).
  private readonly buffers = new Map<BlockNo, Buffer>();
  /** The buffer in each slot (undefined: free). */
  private readonly bySlot: (Buffer | undefined)[];
  /** The next slot eviction looks at. */
  private hand = 0;
  private readonly sectorsPerBlock: number;
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, flushes: 0 };
  /** Why the cache refuses to go on (a wild write was found), or undefined. */
  poisoned: string | undefined;

  constructor(
    private readonly device: BlockDevice,
    arena: Arena,
    owner: string,
    readonly blockSize: number,
    capacityBytes: number,
    /** Blocks at or past this number are outside the filesystem. */
    private readonly blockLimit: number,
  ) {
    this.sectorsPerBlock = blockSize / SECTOR_SIZE;
    let slots = Math.max(64, Math.floor(capacityBytes / blockSize));
    let region: Region | undefined;
    // A small arena gets a smaller cache rather than no filesystem.
    while (region === undefined) {
      try { region = arena.alloc(owner, slots * blockSize, 'ext2 buffer cache'); } catch (e) {
        if (slots <= 64) throw fail(Errno.ENOMEM, `ext2: arena ${arena.name} has no room for a ${64 * blockSize}-byte buffer cache (${String(e)})`);
        slots = Math.max(64, slots >> 1);
      }
    }
    this.region = region;
    this.slots = slots;
    this.bySlot = new Array<Buffer | undefined>(slots).fill(undefined);
    for (let i = slots - 1; i >= 0; i--) this.freeSlots.push(i);
  }

  get capacity(): number { return this.slots; }

  private seal(buf: Buffer): void { buf.sum = blockChecksum(buf.words); }

  /** Refuses everything once a wild write has been found. */
  checkPoison(): void {
    if (this.poisoned !== undefined) throw new MemoryCorruption(this.poisoned);
  }

  /** Poisons the cache and throws: from now on nothing reaches the device. */
  poison(message: string): never {
    this.poisoned ??= message;
    throw new MemoryCorruption(this.poisoned);
  }

  private verify(buf: Buffer): void {
    if (blockChecksum(buf.words) !== buf.sum) {
      this.poison(`ext2: the cached ${buf.kind === 'meta' ? 'metadata' : 'data'} block ${buf.block} (${buf.dirty ? 'dirty' : 'clean'}) changed without going through ext2 (a wild write into the buffer cache); refusing to write the cache back`);
    }
  }

  /** Verifies every cached buffer (write-back goes only when all are intact). */
  verifyAll(): void {
    this.checkPoison();
    for (const b of this.buffers.values()) this.verify(b);
  }

  private checkBlock(block: BlockNo): void {
    if (!Number.isInteger(block) || block < 0 || block >= this.blockLimit) fail(Errno.EUCLEAN, `ext2: block number ${block} is outside the filesystem (0..${this.blockLimit - 1})`);
  }

  private touch(buf: Buffer): void { buf.referenced = true; }

  /** The cached buffer of `block` if it is cached (a hit, synchronous), else undefined. */
  peek(block: BlockNo): Buffer | undefined {
    this.checkPoison();
    const hit = this.buffers.get(block);
    if (hit !== undefined) { this.verify(hit); this.stats.hits++; this.touch(hit); }
    return hit;
  }

  /** The cached buffer of `block`, reading it from the device if needed. */
  async get(block: BlockNo, kind: BufferKind): Promise<Buffer> {
    this.checkPoison();
    this.checkBlock(block);
    const hit = this.buffers.get(block);
    if (hit) { this.verify(hit); this.stats.hits++; this.touch(hit); if (kind === 'meta') hit.kind = 'meta'; return hit; }
    this.stats.misses++;
    // Interleaving: the device read is an await, but callers hold the filesystem lock.
    const bytes = await this.device.read(block * this.sectorsPerBlock, this.sectorsPerBlock);
    const again = this.buffers.get(block);
    if (again) { this.verify(again); return again; }
    const buf = await this.install(block, kind, false);
    buf.data.set(bytes.subarray(0, this.blockSize));
    this.seal(buf);
    return buf;
  }

  /**
   * Reads the blocks of `blocks` that are not cached, one device request per contiguous
   * run (read-ahead for sequential reads: one request instead of one per block), with
   * every run's request in flight at once so the driver can fill its queue. The blocks
   * of `blocks` already cached count as used now: the buffers the fetched blocks take
   * come from older ones, never from the blocks the caller is about to read (a file
   * about the cache's size read after it was written: its cached tail would otherwise
   * be the oldest, evicted by the fetch of its head, and read back a block at a time).
   */
  async prefetch(blocks: readonly BlockNo[], kind: BufferKind): Promise<void> {
    this.checkPoison();
    // Usually in ascending order already (a file's blocks, mapped in turn) and mostly cached.
    const missing: BlockNo[] = [];
    let ascending = true;
    for (const b of blocks) {
      if (b <= 0 || b >= this.blockLimit) continue;
      const cached = this.buffers.get(b);
      if (cached !== undefined) { this.touch(cached); continue; }
      const last = missing.length > 0 ? missing[missing.length - 1]! : -1;
      if (b === last) continue;
      if (b < last) ascending = false;
      missing.push(b);
    }
    if (missing.length === 0) return;
    if (!ascending) {
      missing.sort((a, b) => a - b);
      for (let i = missing.length - 1; i > 0; i--) if (missing[i] === missing[i - 1]) missing.splice(i, 1);
    }
    const limit = Math.min(MAX_COALESCE, Math.floor(this.slots / 4));
    const runs: { first: number; n: number }[] = [];
    for (let i = 0; i < missing.length;) {
      let n = 1;
      while (i + n < missing.length && n < limit && missing[i + n] === missing[i]! + n) n++;
      runs.push({ first: missing[i]!, n });
      i += n;
    }
    // Interleaving: the reads run concurrently, then each block is installed unless a
    // caller (under the same filesystem lock) has installed it meanwhile.
    const read = await Promise.all(runs.map((r) => this.device.read(r.first * this.sectorsPerBlock, r.n * this.sectorsPerBlock)));
    for (let r = 0; r < runs.length; r++) {
      const { first, n } = runs[r]!;
      const bytes = read[r]!;
      this.stats.misses += n;
      for (let k = 0; k < n; k++) {
        const block = asBlockNo(first + k);
        if (this.buffers.has(block)) continue;
        const buf = await this.install(block, kind, false);
        buf.data.set(bytes.subarray(k * this.blockSize, (k + 1) * this.blockSize));
        this.seal(buf);
      }
    }
  }

  /** A buffer for a block that was just allocated: zero-filled, never read from disk. */
  async getZeroed(block: BlockNo, kind: BufferKind): Promise<Buffer> {
    this.checkPoison();
    this.checkBlock(block);
    const hit = this.buffers.get(block);
    if (hit) { this.touch(hit); hit.kind = kind; hit.data.fill(0); this.markDirty(hit); return hit; }
    const buf = await this.install(block, kind);
    this.markDirty(buf);
    return buf;
  }

  /** Records that ext2 changed `buf` (and re-takes its checksum). */
  markDirty(buf: Buffer): void {
    assert(!buf.evicted, 'marking an evicted buffer dirty');
    this.checkPoison();
    buf.dirty = true;
    this.seal(buf);
  }

  /** True when `block` is cached (allocation uses it: a cached block is in use). */
  has(block: BlockNo): boolean { return this.buffers.has(block); }

  /** Drops a block that was freed: its dirty bytes must never reach the disk. */
  forget(block: BlockNo): void {
    const buf = this.buffers.get(block);
    if (!buf) return;
    this.buffers.delete(block);
    this.bySlot[buf.slot] = undefined;
    buf.evicted = true;
    this.freeSlots.push(buf.slot);
  }

  // Caller must fill the buffer at once when `zero` is false.
  private async install(block: BlockNo, kind: BufferKind, zero = true): Promise<Buffer> {
    if (this.freeSlots.length === 0) await this.evictOne();
    const slot = this.freeSlots.pop();
    assert(slot !== undefined, 'eviction freed a slot');
    const bytes = this.region.bytes.subarray(slot * this.blockSize, (slot + 1) * this.blockSize);
    if (zero) bytes.fill(0);
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, this.blockSize / 4);
    const buf = new Buffer(block, kind, slot, bytes, words);
    // An unfilled buffer is sealed by the caller once it has its bytes.
    if (zero) this.seal(buf);
    this.buffers.set(block, buf);
    this.bySlot[slot] = buf;
    return buf;
  }

  // The buffer under the hand, the hand moved on (undefined: a free slot).
  private next(): Buffer | undefined {
    const buf = this.bySlot[this.hand];
    this.hand = this.hand + 1 === this.slots ? 0 : this.hand + 1;
    return buf;
  }

  private async evictOne(): Promise<void> {
    // The hand clears the bits it passes, so two laps always find an unreferenced buffer.
    let scanned = 0;
    for (let step = 0; step < 2 * this.slots; step++) {
      const buf = this.next();
      if (buf === undefined) continue;
      if (buf.referenced) { buf.referenced = false; continue; }
      if (!buf.dirty) { this.forget(buf.block); return; }
      if (buf.kind === 'data') {
        // Data may go to disk early: nothing on disk points at it until metadata follows.
        // Take its dirty data neighbours on both sides along (the hand meets a big
        // write's buffers in slot order, not block order), so it goes out in big requests.
        const dirtyData = (b: number): Buffer | undefined => {
          const n = this.buffers.get(asBlockNo(b));
          return n !== undefined && n.dirty && n.kind === 'data' ? n : undefined;
        };
        let first = buf.block;
        while (buf.block - first < MAX_COALESCE / 2 && dirtyData(first - 1) !== undefined) first--;
        const run: Buffer[] = [];
        for (let b = first; run.length < MAX_COALESCE; b++) {
          const next = dirtyData(b);
          if (next === undefined) break;
          run.push(next);
        }
        await this.writeRun(run);
        this.forget(buf.block);
        return;
      }
      if (++scanned >= 64) break;
    }
    // Only dirty metadata under the hand: write everything back in order, then take the next.
    await this.writeBack();
    for (let step = 0; step < this.slots; step++) {
      const buf = this.next();
      if (buf !== undefined) { this.forget(buf.block); return; }
    }
    assert(false, 'a full cache has a buffer to evict');
  }

  private async writeRun(run: Buffer[]): Promise<void> {
    // Nothing reaches the disk that ext2 did not put in the buffer itself.
    this.checkPoison();
    for (const b of run) this.verify(b);
    const first = run[0]!;
    let bytes: Uint8Array;
    if (run.length === 1) bytes = first.data;
    else {
      bytes = new Uint8Array(run.length * this.blockSize);
      run.forEach((b, i) => bytes.set(b.data, i * this.blockSize));
    }
    await this.device.write(first.block * this.sectorsPerBlock, bytes);
    this.stats.writes++;
    for (const b of run) b.dirty = false;
  }

  private async writeKind(kind: BufferKind): Promise<number> {
    return this.writeList([...this.buffers.values()].filter((b) => b.dirty && b.kind === kind));
  }

  // Writes the given dirty buffers in block order, contiguous runs in one request each.
  private async writeList(list: Buffer[]): Promise<number> {
    const dirty = list.sort((a, b) => a.block - b.block);
    let i = 0;
    while (i < dirty.length) {
      const run = [dirty[i]!];
      while (i + run.length < dirty.length && run.length < MAX_COALESCE && dirty[i + run.length]!.block === run[run.length - 1]!.block + 1) run.push(dirty[i + run.length]!);
      // Interleaving: callers hold the filesystem lock, and writing never evicts, so
      // the run's buffers stay valid across this await.
      await this.writeRun(run);
      i += run.length;
    }
    return dirty.length;
  }

  /** Writes every dirty buffer: data, barrier, metadata, barrier. */
  async writeBack(): Promise<void> {
    // All or nothing: a wild write found half-way would leave half a sync on disk.
    this.verifyAll();
    const data = await this.writeKind('data');
    if (data > 0) { await this.device.flush(); this.stats.flushes++; }
    const meta = await this.writeKind('meta');
    if (meta > 0 || data > 0) { await this.device.flush(); this.stats.flushes++; }
  }

  /**
   * Writes the dirty buffers among `blocks` (fsync of one file): their data, barrier,
   * their metadata, barrier. The other dirty buffers stay in the cache.
   */
  async writeSome(blocks: Iterable<BlockNo>): Promise<void> {
    this.checkPoison();
    const dirty: Buffer[] = [];
    for (const block of new Set(blocks)) {
      const buf = this.buffers.get(block);
      if (buf?.dirty === true) { this.verify(buf); dirty.push(buf); }
    }
    const data = await this.writeList(dirty.filter((b) => b.kind === 'data'));
    if (data > 0) { await this.device.flush(); this.stats.flushes++; }
    const meta = await this.writeList(dirty.filter((b) => b.kind === 'meta'));
    if (meta > 0 || data > 0) { await this.device.flush(); this.stats.flushes++; }
  }

  isDirty(block: BlockNo): boolean { return this.buffers.get(block)?.dirty === true; }

  get dirtyCount(): number {
    let n = 0;
    for (const b of this.buffers.values()) if (b.dirty) n++;
    return n;
  }

  /** Releases the arena memory; the cache is unusable afterwards. */
  close(arena: Arena): void {
    for (const b of this.buffers.values()) b.evicted = true;
    this.buffers.clear();
    this.bySlot.fill(undefined);
    arena.free(this.region);
  }
}

// A memory arena: one SharedArrayBuffer carved into regions by a first-fit allocator.
// The kernel gives every domain one arena; all kernel-domain components share the
// kernel arena (ARCHITECTURE.md rule 4), so a write past one component's region lands
// in whatever region comes next, as it would in a C kernel. Region headers live
// outside the buffer (in `regions`), so corrupting bytes never corrupts bookkeeping;
// only the data of neighbours is at risk.

import { assert } from './assert.js';

export interface Region {
  readonly offset: number;
  readonly length: number;
  readonly owner: string;
  readonly tag: string;
  /** A view of exactly this region. */
  readonly bytes: Uint8Array;
}

/** Thrown when the arena has no free range large enough. */
export class ArenaFullError extends Error {
  constructor(size: number, arenaName: string) { super(`arena ${arenaName}: no free range of ${size} bytes`); this.name = 'ArenaFullError'; }
}

const ALIGN = 64;

/** Other shared memory mapped into the same address space as an arena (a device's queue memory). */
export interface Window {
  readonly owner: string;
  readonly tag: string;
  readonly memory: SharedArrayBuffer;
}

export class Arena {
  readonly memory: Uint8Array;
  private readonly regions: Region[] = []; // sorted by offset
  private readonly mapped: Window[] = [];

  constructor(readonly name: string, readonly buffer: SharedArrayBuffer | ArrayBuffer) {
    this.memory = new Uint8Array(buffer);
  }

  get size(): number { return this.memory.length; }

  // Next-fit: the search starts where the last allocation ended, so the cost of an
  // allocation does not grow with the number of regions neighbours hold.
  private hint = 0;

  /** Index of the first region whose offset is >= `offset`. */
  private indexAt(offset: number): number {
    let lo = 0, hi = this.regions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.regions[mid]!.offset < offset) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Finds a gap of `need` bytes at or after `from`, before `limit`; returns [offset, index]. */
  private findGap(from: number, limit: number, need: number): [number, number] | undefined {
    let index = this.indexAt(from);
    let at = from;
    if (index > 0) {
      const prev = this.regions[index - 1]!;
      at = Math.max(at, Math.ceil((prev.offset + prev.length) / ALIGN) * ALIGN);
    }
    for (; index < this.regions.length; index++) {
      const r = this.regions[index]!;
      if (r.offset - at >= need) break;
      at = Math.max(at, Math.ceil((r.offset + r.length) / ALIGN) * ALIGN);
      if (at >= limit) return undefined;
    }
    if (at + need > Math.min(limit + need, this.memory.length)) return undefined;
    return [at, index];
  }

  /** Allocates `size` bytes for `owner`; the memory is zeroed. */
  alloc(owner: string, size: number, tag = ''): Region {
    assert(size > 0 && Number.isInteger(size), 'arena allocation size is a positive integer');
    const need = Math.ceil(size / ALIGN) * ALIGN;
    const found = this.findGap(this.hint, this.memory.length, need) ?? this.findGap(0, this.hint, need);
    if (found === undefined) throw new ArenaFullError(size, this.name);
    const [at, index] = found;
    const region: Region = { offset: at, length: size, owner, tag, bytes: this.memory.subarray(at, at + size) };
    region.bytes.fill(0);
    this.regions.splice(index, 0, region);
    this.hint = at + need;
    return region;
  }

  free(region: Region): void {
    const i = this.regions.indexOf(region);
    assert(i >= 0, 'freeing a region this arena handed out');
    this.regions.splice(i, 1);
  }

  /** Frees every region of `owner` (a component that unloads or restarts). */
  freeOwner(owner: string): void {
    for (let i = this.regions.length - 1; i >= 0; i--) if (this.regions[i]!.owner === owner) this.regions.splice(i, 1);
  }

  /** Maps `w` beside the arena (replacing an earlier window of the same owner and tag). */
  mapWindow(w: Window): void {
    this.unmapWindows(w.owner, w.tag);
    this.mapped.push(w);
  }

  unmapWindows(owner: string, tag?: string): void {
    for (let i = this.mapped.length - 1; i >= 0; i--) if (this.mapped[i]!.owner === owner && (tag === undefined || this.mapped[i]!.tag === tag)) this.mapped.splice(i, 1);
  }

  /** Everything mapped beside this arena: what code in this address space can reach. */
  windows(): readonly Window[] { return this.mapped.slice(); }

  list(owner?: string): readonly Region[] {
    return owner === undefined ? this.regions.slice() : this.regions.filter((r) => r.owner === owner);
  }

  bytesInUse(owner?: string): number {
    return this.list(owner).reduce((n, r) => n + r.length, 0);
  }
}

/**
 * A 32-bit checksum of memory a word at a time (words.length even): two multiply-xor
 * lanes (FNV-1a's step on 32-bit words). Each step is a bijection of the running
 * value, so a change confined to one word is always seen; garbage over several words
 * escapes with probability about 2^-32.
 */
export function wordChecksum(words: Int32Array): number {
  let a = 0x811c9dc5 ^ words.length;
  let b = 0x01000193;
  for (let i = 0; i < words.length; i += 2) {
    a = Math.imul(a ^ words[i]!, 0x01000193);
    b = Math.imul(b ^ words[i + 1]!, 0x01000193);
  }
  return (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
}

/** FNV-1a over a byte range: cheap, good enough to see that bytes changed. */
export function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

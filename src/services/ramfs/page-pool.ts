// Where ramfs pages come from: the component's arena, taken in chunks of CHUNK_PAGES
// pages and handed out one 4 KiB page at a time. A chunk goes back to the arena when
// its last page is freed.
//
// NOTE: why chunks: the arena's first-fit allocator walks its region list on every
// allocation, and under `monolithic` that list holds every kernel-domain component's
// buffers. One region per 4 KiB page made writing a large /tmp file quadratic in
// the number of pages (measured: 247 MB/s for a 32 MiB file falling to 144 MB/s
// for the next 8 MiB, against 4 GB/s rewriting pages already there), and slower in
// the shared kernel arena than in a server's own, which would skew the comparison.
// The pages are still arena memory, so a neighbour's wild write still reaches them.
//
// The self-check (check()): every chunk carries a checksum of its bytes and a dirty
// mark that ramfs sets whenever it changes them (pages.ts, and alloc/free here). A
// check takes the checksum of a dirty chunk afresh and verifies a clean one: a clean
// chunk whose bytes changed was written by someone else, a wild write. NOTE: a wild
// write into a chunk ramfs also changed since the last check is taken as ramfs's own
// (the writing path pays one store, not a checksum); the files that sit still — the
// programs in /bin — are the ones this catches.

import type { Arena, Region } from '../../lib/arena.js';
import { ArenaFullError, wordChecksum } from '../../lib/arena.js';

export const PAGE_SIZE = 4096;
/** Pages per chunk taken from the arena (64 KiB). */
export const CHUNK_PAGES = 16;

export interface Chunk {
  readonly region: Region;
  /** Indices of free pages in this chunk. */
  readonly free: number[];
  used: number;
  /** Pages below this index have been handed out before; the rest are still as the arena zeroed them. */
  touched: number;
  /** Changed by ramfs since its checksum was taken (check()). */
  dirty: boolean;
  sum: number;
}

/** One page: a 4 KiB view into a chunk. */
export interface Page {
  readonly chunk: Chunk;
  readonly index: number;
  readonly bytes: Uint8Array;
}

export class PagePool {
  // Chunks with at least one free page, in the order they got one.
  private readonly partial = new Set<Chunk>();
  private readonly chunks = new Set<Chunk>();
  private pagesUsed = 0;

  constructor(private readonly arena: Arena, private readonly owner: string) {}

  /** Pages handed out and not yet freed. */
  get inUse(): number { return this.pagesUsed; }

  /** Pages held from the arena but free (counted as free space by statfs). */
  get spare(): number {
    let n = 0;
    for (const c of this.partial) n += c.free.length;
    return n;
  }

  /** A zeroed page, or undefined when the arena has no room even for one page. */
  alloc(): Page | undefined {
    let chunk = this.partial.values().next().value;
    if (chunk === undefined) {
      chunk = this.newChunk();
      if (chunk === undefined) return undefined;
    }
    const index = chunk.free.pop()!;
    if (chunk.free.length === 0) this.partial.delete(chunk);
    chunk.used++;
    this.pagesUsed++;
    const bytes = chunk.region.bytes.subarray(index * PAGE_SIZE, (index + 1) * PAGE_SIZE);
    chunk.dirty = true;
    // A page used before holds an old file's bytes; a fresh one is zero already (and
    // zeroing SharedArrayBuffer memory twice showed up in profiles of large writes).
    if (index < chunk.touched) bytes.fill(0);
    else chunk.touched = index + 1;
    return { chunk, index, bytes };
  }

  free(page: Page): void {
    const { chunk } = page;
    chunk.dirty = true;
    chunk.free.push(page.index);
    chunk.used--;
    this.pagesUsed--;
    if (chunk.used === 0) {
      this.partial.delete(chunk);
      this.chunks.delete(chunk);
      this.arena.free(chunk.region);
    } else {
      this.partial.add(chunk);
    }
  }

  private checkAt = 0;

  /**
   * Checks up to `maxBytes` of chunks, going on where the last call stopped (see the
   * header): what changed behind ramfs's back, or undefined.
   */
  check(maxBytes: number): string | undefined {
    const chunks = [...this.chunks];
    let done = 0;
    for (let n = 0; n < chunks.length && done < maxBytes; n++) {
      const chunk = chunks[this.checkAt++ % chunks.length]!;
      const { region } = chunk;
      const sum = wordChecksum(new Int32Array(region.bytes.buffer, region.bytes.byteOffset, region.length >> 2));
      done += region.length;
      if (chunk.dirty) { chunk.sum = sum; chunk.dirty = false; continue; }
      if (sum !== chunk.sum) return `ramfs: ${region.length} bytes at arena offset ${region.offset} changed behind ramfs's back (a wild write)`;
    }
    return undefined;
  }

  /** The chunks, in the order they were taken from the arena (for an image: image.ts). */
  chunkList(): readonly Chunk[] { return [...this.chunks]; }

  /** Page `index` of `chunk` (an image being restored names its pages so). */
  pageAt(chunk: Chunk, index: number): Page {
    return { chunk, index, bytes: chunk.region.bytes.subarray(index * PAGE_SIZE, (index + 1) * PAGE_SIZE) };
  }

  /**
   * A chunk taken from the arena and filled with `bytes` (an image's chunk: image.ts),
   * its pages free as `free` says; undefined when the arena has no room. Clean, with
   * `sum` (the checksum of `bytes`, checked with the image) as its checksum: the
   * self-check verifies it from the start, so a wild write that lands before the check
   * first reaches the chunk is found rather than taken as the chunk's contents.
   */
  adopt(bytes: Uint8Array, free: readonly number[], touched: number, sum: number): Chunk | undefined {
    let region: Region;
    try { region = this.arena.alloc(this.owner, bytes.length, 'ramfs'); } catch (e) {
      if (e instanceof ArenaFullError) return undefined;
      throw e;
    }
    region.bytes.set(bytes);
    const pages = bytes.length / PAGE_SIZE;
    const chunk: Chunk = { region, free: [...free], used: pages - free.length, touched, dirty: false, sum };
    this.chunks.add(chunk);
    if (chunk.free.length > 0) this.partial.add(chunk);
    this.pagesUsed += chunk.used;
    return chunk;
  }

  /** Returns every chunk to the arena (unmount); pages handed out become invalid. */
  release(): void {
    for (const c of this.chunks) this.arena.free(c.region);
    this.chunks.clear();
    this.partial.clear();
    this.pagesUsed = 0;
  }

  // A whole chunk if the arena has room for one, else a single page: a nearly full
  // arena should still be usable to its last page.
  private newChunk(): Chunk | undefined {
    for (const pages of [CHUNK_PAGES, 1]) {
      try {
        const region = this.arena.alloc(this.owner, pages * PAGE_SIZE, 'ramfs');
        const chunk: Chunk = { region, free: Array.from({ length: pages }, (_, i) => pages - 1 - i), used: 0, touched: 0, dirty: true, sum: 0 };
        this.chunks.add(chunk);
        this.partial.add(chunk);
        return chunk;
      } catch (e) {
        if (!(e instanceof ArenaFullError)) throw e;
      }
    }
    return undefined;
  }
}

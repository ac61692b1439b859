// The bytes of one ramfs file: a sparse map from page number to a 4 KiB page of the
// component's memory arena (page-pool.ts). Under `monolithic` that arena is the
// shared kernel arena (ARCHITECTURE.md rule 4), so file data sits next to other
// kernel-domain components' buffers, where a neighbour's wild write can really reach
// it. Holes (pages never written) read as zeros and cost nothing.
//
// The inode that owns a PageStore (ramfs.ts) keeps the file size; this file only
// knows pages. Callers must keep every offset within the file-size limit.

import { Errno, fail } from '../../abi/errno.js';
import type { Page, PagePool } from './page-pool.js';
import { PAGE_SIZE } from './page-pool.js';
import { zeros } from '../../lib/zeros.js';

export { PAGE_SIZE };

export class PageStore {
  // Page number -> its region in the arena. Only pages that were written exist.
  private readonly pages = new Map<number, Page>();

  constructor(private readonly pool: PagePool) {}

  /** Number of pages allocated (for st_blocks and statfs). */
  get pageCount(): number { return this.pages.size; }

  /** The pages there are, by page number (for an image: image.ts). */
  entries(): IterableIterator<[number, Page]> { return this.pages.entries(); }

  /** Puts `page` at page number `index` (an image being restored: image.ts). */
  adopt(index: number, page: Page): void { this.pages.set(index, page); }

  /** Copies `length` bytes at `offset` into a fresh array; holes read as zeros. */
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, length, (at, bytes) => out.set(bytes, at), false);
    return out;
  }

  /**
   * Hands the `length` bytes at `offset` to `put(at, bytes)` page by page (`at` from
   * the start of the read; `bytes` valid only during the call), holes as zeros unless
   * `holes` is false (the destination is zeroed already).
   */
  readInto(offset: number, length: number, put: (at: number, bytes: Uint8Array) => void, holes = true): void {
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const index = Math.floor(at / PAGE_SIZE);
      const within = at - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - within, length - done);
      const page = this.pages.get(index);
      if (page !== undefined) put(done, page.bytes.subarray(within, within + n));
      else if (holes) put(done, zeros(n));
      done += n;
    }
  }

  /**
   * Writes `data` at `offset`, allocating pages as needed. Returns how many bytes were
   * written: fewer than data.length only when the arena ran out part-way (a short
   * write, as Linux gives); ENOSPC when not even the first byte fit.
   */
  write(offset: number, data: Uint8Array): number {
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const index = Math.floor(at / PAGE_SIZE);
      const within = at - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - within, data.length - done);
      let page = this.pages.get(index);
      if (page === undefined) {
        page = this.pool.alloc();
        if (page === undefined) {
          if (done === 0) fail(Errno.ENOSPC);
          return done;
        }
        this.pages.set(index, page);
      }
      page.bytes.set(data.subarray(done, done + n), within);
      page.chunk.dirty = true;
      done += n;
    }
    return done;
  }

  /**
   * Drops everything at or past `size`: whole pages go back to the pool and the tail
   * of the last partial page is zeroed, so a later extension reads zeros there.
   */
  truncate(size: number): void {
    const keep = Math.ceil(size / PAGE_SIZE);
    for (const [index, page] of this.pages) {
      if (index >= keep) {
        this.pool.free(page);
        this.pages.delete(index);
      }
    }
    const within = size % PAGE_SIZE;
    const last = within !== 0 ? this.pages.get(keep - 1) : undefined;
    if (last !== undefined) { last.bytes.fill(0, within); last.chunk.dirty = true; }
  }

  /** Returns every page to the pool. */
  free(): void {
    for (const page of this.pages.values()) this.pool.free(page);
    this.pages.clear();
  }
}

// The bytes of one ramfs file: a sparse map from page number to a 4 KiB page
// allocated from the component's memory arena. Under `monolithic` that arena is the
// shared kernel arena (ARCHITECTURE.md rule 4), so file data sits next to other
// kernel-domain components' buffers, where a neighbour's wild write can really reach
// it. Holes (pages never written) read as zeros and cost nothing.
//
// The inode that owns a PageStore (ramfs.ts) keeps the file size; this file only
// knows pages. Callers must keep every offset within the file-size limit.

import type { Arena, Region } from '../../lib/arena.js';
import { ArenaFullError } from '../../lib/arena.js';
import { Errno, fail } from '../../abi/errno.js';

export const PAGE_SIZE = 4096;

export class PageStore {
  // Page number -> its region in the arena. Only pages that were written exist.
  private readonly pages = new Map<number, Region>();

  constructor(private readonly arena: Arena, private readonly owner: string) {}

  /** Number of pages allocated (for st_blocks and statfs). */
  get pageCount(): number { return this.pages.size; }

  /** Copies `length` bytes at `offset` into a fresh array; holes read as zeros. */
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const index = Math.floor(at / PAGE_SIZE);
      const within = at - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - within, length - done);
      const page = this.pages.get(index);
      if (page !== undefined) out.set(page.bytes.subarray(within, within + n), done);
      done += n;
    }
    return out;
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
        try {
          page = this.arena.alloc(this.owner, PAGE_SIZE, 'ramfs');
        } catch (e) {
          if (!(e instanceof ArenaFullError)) throw e;
          if (done === 0) fail(Errno.ENOSPC);
          return done;
        }
        this.pages.set(index, page);
      }
      page.bytes.set(data.subarray(done, done + n), within);
      done += n;
    }
    return done;
  }

  /**
   * Drops everything at or past `size`: whole pages go back to the arena and the tail
   * of the last partial page is zeroed, so a later extension reads zeros there.
   */
  truncate(size: number): void {
    const keep = Math.ceil(size / PAGE_SIZE);
    for (const [index, page] of this.pages) {
      if (index >= keep) {
        this.arena.free(page);
        this.pages.delete(index);
      }
    }
    const within = size % PAGE_SIZE;
    if (within !== 0) this.pages.get(keep - 1)?.bytes.fill(0, within);
  }

  /** Returns every page to the arena. */
  free(): void {
    for (const page of this.pages.values()) this.arena.free(page);
    this.pages.clear();
  }
}

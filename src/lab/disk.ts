// The block device's backing for fault campaigns: RAM that models durability. Writes
// land in the live image; `flush` (what fsync reaches) makes them durable. A machine
// that panics loses what was not flushed, like a power cut, and the next boot starts
// from the durable image — so "fsync'd data lost" means something across panics.

import type { Backing } from '../hosts/components.js';

export class DurableRam implements Backing {
  readonly live: Uint8Array;
  readonly durable: Uint8Array;
  private dirty: [number, number][] = [];
  flushes = 0;

  constructor(readonly size: number) {
    this.live = new Uint8Array(size);
    this.durable = new Uint8Array(size);
  }

  read(offset: number, length: number): Uint8Array { return this.live.slice(offset, offset + length); }
  write(offset: number, data: Uint8Array): void { this.live.set(data, offset); this.dirty.push([offset, data.length]); }
  flush(): void {
    for (const [at, n] of this.dirty) this.durable.set(this.live.subarray(at, at + n), at);
    this.dirty = [];
    this.flushes++;
  }

  /** A new disk holding only what was flushed (for a machine that must not share this one). */
  durableCopy(): DurableRam {
    const d = new DurableRam(this.size);
    d.live.set(this.durable);
    d.durable.set(this.durable);
    return d;
  }

  /** After a panic: what was not flushed is gone. */
  powerCut(): void { this.live.set(this.durable); this.dirty = []; }
}

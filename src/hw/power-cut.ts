// Backing stores for the block device's host side (block-device.ts), with crash
// semantics for the fault experiments. MemoryBacking is a RAM disk over a Uint8Array.
// PowerCutBacking wraps any backing: writes since the last flush stay in a volatile
// "drive cache" (reads see them), flush makes them durable, and a power cut — at write
// number N, at a seeded random write, or on demand — drops every unflushed write
// (optionally letting a seeded random subset survive, which is what a drive that
// reorders its cache does), after which every I/O throws.

import { seededRandom } from '../lib/random.js';

/** Host storage behind a block device: synchronous and byte-addressed. */
export interface BlockBacking {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
  /** Makes every completed write durable. */
  flush(): void;
}

/** A RAM disk. */
export class MemoryBacking implements BlockBacking {
  readonly bytes: Uint8Array;
  constructor(sizeOrBytes: number | Uint8Array) {
    this.bytes = typeof sizeOrBytes === 'number' ? new Uint8Array(sizeOrBytes) : sizeOrBytes;
  }
  get size(): number { return this.bytes.length; }
  read(offset: number, length: number): Uint8Array {
    checkRange(this.size, offset, length);
    return this.bytes.slice(offset, offset + length);
  }
  write(offset: number, data: Uint8Array): void {
    checkRange(this.size, offset, data.length);
    this.bytes.set(data, offset);
  }
  flush(): void {}
}

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new RangeError(`backing store: ${length} bytes at ${offset} are outside 0..${size}`);
  }
}

/** Thrown by every I/O after the power went. */
export class PowerLostError extends Error {
  constructor(detail: string) { super(`power lost: ${detail}`); this.name = 'PowerLostError'; }
}

/** The seeded generator the cuts use (re-exported for tests that replay a cut). */
export { seededRandom } from '../lib/random.js';

export interface PowerCutOptions {
  /** Lose power when write number N (1-based, counted from construction) is issued; that write is lost too. */
  cutAtWrite?: number;
  /** With `cutAtWrite` unset: cut at a write chosen from 1..randomWithin by `seed`. */
  randomWithin?: number;
  /** Seed for the random cut point and for which unflushed writes survive. */
  seed?: number;
  /** Let a random subset of the unflushed writes reach the disk (a reordering drive cache). */
  reorder?: boolean;
}

interface PendingWrite { offset: number; data: Uint8Array }

export class PowerCutBacking implements BlockBacking {
  private pending: PendingWrite[] = [];
  private readonly random: () => number;
  private cutAt: number | undefined;
  private dead = false;
  /** Writes issued so far (including the one the power went on). */
  writes = 0;
  flushes = 0;
  /** Unflushed writes dropped, and kept (reorder), at the cut. */
  dropped = 0;
  survived = 0;

  constructor(private readonly inner: BlockBacking, private readonly options: PowerCutOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.cutAt = options.cutAtWrite;
    if (this.cutAt === undefined && options.randomWithin !== undefined) this.cutAt = 1 + Math.floor(this.random() * Math.max(1, options.randomWithin));
  }

  get size(): number { return this.inner.size; }
  get powered(): boolean { return !this.dead; }
  /** The write number the power will go at, if one is set. */
  get cutPoint(): number | undefined { return this.cutAt; }

  private alive(): void {
    if (this.dead) throw new PowerLostError(`the device lost power at write ${this.writes}`);
  }

  read(offset: number, length: number): Uint8Array {
    this.alive();
    const out = this.inner.read(offset, length);
    // The drive cache answers reads with the newest bytes.
    for (const w of this.pending) {
      const from = Math.max(offset, w.offset);
      const to = Math.min(offset + length, w.offset + w.data.length);
      if (from < to) out.set(w.data.subarray(from - w.offset, to - w.offset), from - offset);
    }
    return out;
  }

  write(offset: number, data: Uint8Array): void {
    this.alive();
    checkRange(this.size, offset, data.length);
    this.writes++;
    if (this.cutAt !== undefined && this.writes >= this.cutAt) {
      this.powerCut();
      this.alive();
    }
    this.pending.push({ offset, data: data.slice() });
  }

  flush(): void {
    this.alive();
    for (const w of this.pending) this.inner.write(w.offset, w.data);
    this.pending = [];
    this.inner.flush();
    this.flushes++;
  }

  /** Loses power now: unflushed writes are dropped (or, with reorder, a random subset lands). */
  powerCut(): void {
    if (this.dead) return;
    this.dead = true;
    if (this.options.reorder) {
      // Survivors land in a random order, so a later write to the same place may lose to an earlier one.
      const survivors = this.pending.filter(() => this.random() < 0.5);
      for (let i = survivors.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [survivors[i], survivors[j]] = [survivors[j]!, survivors[i]!];
      }
      for (const w of survivors) this.inner.write(w.offset, w.data);
      this.survived = survivors.length;
    }
    this.dropped = this.pending.length - this.survived;
    this.pending = [];
    this.inner.flush();
  }
}

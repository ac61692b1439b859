// A connection's send buffer: bytes the application wrote and the peer has not yet
// acknowledged, in a ring. `read(offset, n)` copies bytes from anywhere in it (a
// retransmission re-reads them); `view(offset, n)` lends them without a copy when they
// lie in one piece of the ring (the segment is then copied once, into its frame);
// `drop(n)` forgets bytes once acknowledged. Bounded by SO_SNDBUF; it grows on demand,
// as the receive queue does.

import type { Grant } from '../../../../abi/grant.js';

export class SendBuffer {
  private ring = new Uint8Array(0);
  private head = 0;
  private count = 0;

  constructor(public capacity: number) {}

  get size(): number { return this.count; }
  get room(): number { return Math.max(0, this.capacity - this.count); }

  push(data: Uint8Array): number {
    const n = Math.min(this.room, data.length);
    if (n === 0) return 0;
    const tail = this.reserve(n), first = Math.min(n, this.ring.length - tail);
    this.ring.set(data.subarray(0, first), tail);
    if (first < n) this.ring.set(data.subarray(first, n), 0);
    this.count += n;
    return n;
  }

  /** Appends `n` bytes of `src` from its start (the caller checked that they fit: n <= room), copied once from the grant. */
  pushFrom(src: Grant, n: number): void {
    if (n <= 0) return;
    const tail = this.reserve(n), first = Math.min(n, this.ring.length - tail);
    src.copyTo(0, this.ring.subarray(tail, tail + first));
    if (first < n) src.copyTo(first, this.ring.subarray(0, n - first));
    this.count += n;
  }

  // Grows the ring for `n` more bytes; where they start.
  private reserve(n: number): number {
    if (this.count + n > this.ring.length) {
      const next = new Uint8Array(Math.max(this.count + n, Math.min(this.capacity, Math.max(4096, this.ring.length * 2))));
      next.set(this.read(0, this.count));
      this.ring = next;
      this.head = 0;
    }
    return (this.head + this.count) % this.ring.length;
  }

  read(offset: number, n: number): Uint8Array {
    const len = Math.max(0, Math.min(n, this.count - offset));
    const out = new Uint8Array(len);
    if (len === 0) return out;
    const start = (this.head + offset) % this.ring.length;
    const first = Math.min(len, this.ring.length - start);
    out.set(this.ring.subarray(start, start + first));
    if (first < len) out.set(this.ring.subarray(0, len - first), first);
    return out;
  }

  /**
   * The bytes `read(offset, n)` would copy, as a view into the ring when they do not
   * wrap around its end (else a copy). Caller must use the view before the next push
   * or drop: the ring's bytes move under it.
   */
  view(offset: number, n: number): Uint8Array {
    const len = Math.max(0, Math.min(n, this.count - offset));
    if (len === 0) return this.ring.subarray(0, 0);
    const start = (this.head + offset) % this.ring.length;
    return start + len <= this.ring.length ? this.ring.subarray(start, start + len) : this.read(offset, n);
  }

  drop(n: number): void {
    const k = Math.min(n, this.count);
    this.count -= k;
    this.head = this.count === 0 ? 0 : (this.head + k) % this.ring.length;
  }

  clear(): void { this.ring = new Uint8Array(0); this.head = 0; this.count = 0; }
}

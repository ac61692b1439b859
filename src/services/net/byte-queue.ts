// A bounded byte queue: the receive buffer of a stream socket. It grows on demand up
// to its capacity (most connections carry a request and a reply, so none pays for a
// full-size buffer up front), like the kernel's pipes (kernel/fs/pipe.ts).

import type { Grant } from '../../abi/grant.js';

const FIRST_BYTES = 4096;

export class ByteQueue {
  // `size` bytes starting at `head`, wrapping at ring.length.
  private ring = new Uint8Array(0);
  private head = 0;
  private count = 0;

  constructor(public capacity: number) {}

  get size(): number { return this.count; }
  get room(): number { return Math.max(0, this.capacity - this.count); }

  /** Appends as much of `data` as fits; the count appended. */
  push(data: Uint8Array): number {
    const n = Math.min(this.room, data.length);
    if (n === 0) return 0;
    this.grow(this.count + n);
    const tail = (this.head + this.count) % this.ring.length;
    const first = Math.min(n, this.ring.length - tail);
    this.ring.set(data.subarray(0, first), tail);
    if (first < n) this.ring.set(data.subarray(first, n), 0);
    this.count += n;
    return n;
  }

  /** Up to `max` bytes from the front; consumed unless `peek`. */
  take(max: number, peek = false): Uint8Array {
    const n = Math.min(max, this.count);
    const out = new Uint8Array(n);
    if (n === 0) return out;
    const first = Math.min(n, this.ring.length - this.head);
    out.set(this.ring.subarray(this.head, this.head + first), 0);
    if (first < n) out.set(this.ring.subarray(0, n - first), first);
    if (!peek) {
      this.count -= n;
      this.head = this.count === 0 ? 0 : (this.head + n) % this.ring.length;
    }
    return out;
  }

  /** Appends `n` bytes of `src` from its start (the caller checked that they fit: n <= room), copied once from the grant. */
  pushFrom(src: Grant, n: number): void {
    if (n <= 0) return;
    this.grow(this.count + n);
    const tail = (this.head + this.count) % this.ring.length;
    const first = Math.min(n, this.ring.length - tail);
    src.copyTo(0, this.ring.subarray(tail, tail + first));
    if (first < n) src.copyTo(first, this.ring.subarray(0, n - first));
    this.count += n;
  }

  /** Moves up to `dst.length` bytes from the front into `dst` (copied once, into the grant); the count. */
  takeInto(dst: Grant): number {
    const n = Math.min(dst.length, this.count);
    if (n === 0) return 0;
    const first = Math.min(n, this.ring.length - this.head);
    dst.write(0, this.ring.subarray(this.head, this.head + first));
    if (first < n) dst.write(first, this.ring.subarray(0, n - first));
    this.count -= n;
    this.head = this.count === 0 ? 0 : (this.head + n) % this.ring.length;
    return n;
  }

  clear(): void { this.ring = new Uint8Array(0); this.head = 0; this.count = 0; }

  private grow(need: number): void {
    if (need <= this.ring.length) return;
    const next = new Uint8Array(Math.min(Math.max(this.capacity, need), Math.max(need, FIRST_BYTES, this.ring.length * 2)));
    const kept = this.take(this.count, true);
    next.set(kept, 0);
    this.ring = next;
    this.head = 0;
  }
}

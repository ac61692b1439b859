// Pipes: a bounded byte queue between writers and readers, kept in the kernel core in
// every preset (as in Linux; MINIX keeps them in a server, which would be a preset
// choice here later). Readers block while empty and writers exist; writers block
// while full and readers exist; writing with no reader left is EPIPE (+ SIGPIPE).
//
// The bytes live in one ring buffer that grows on demand up to `capacity` (most pipes
// carry a line or two, so none pays for a full-size buffer up front). Data moves with
// two copies, as in Linux: the writer's memory into the ring (`write`), the ring into
// the reader's memory (`readInto`); the syscall layer hands in views of user memory.

import { KernelError, Errno } from '../../abi/errno.js';

interface Waiter { wake(): void; alive(): boolean }

const FIRST_RING_BYTES = 4096;

export class Pipe {
  // The ring: `size` bytes starting at `head`, wrapping at ring.length.
  private ring = new Uint8Array(0);
  private head = 0;
  private size = 0;
  readers = 0;
  writers = 0;
  private readWaiters: Waiter[] = [];
  private writeWaiters: Waiter[] = [];

  constructor(readonly capacity: number) {}

  get buffered(): number { return this.size; }

  private wakeAll(list: Waiter[]): Waiter[] {
    for (const w of list) if (w.alive()) w.wake();
    return [];
  }

  // Makes room for `need` buffered bytes in the ring (need <= capacity).
  private grow(need: number): void {
    if (need <= this.ring.length) return;
    const next = new Uint8Array(Math.min(this.capacity, Math.max(need, FIRST_RING_BYTES, this.ring.length * 2)));
    this.copyOut(next, this.size, false);
    this.ring = next;
    this.head = 0;
  }

  // Copies the first `n` buffered bytes to `dst`; consumes them when `consume`.
  private copyOut(dst: Uint8Array, n: number, consume: boolean): void {
    const first = Math.min(n, this.ring.length - this.head);
    dst.set(this.ring.subarray(this.head, this.head + first), 0);
    if (first < n) dst.set(this.ring.subarray(0, n - first), first);
    if (!consume) return;
    this.size -= n;
    this.head = this.size === 0 ? 0 : (this.head + n) % this.ring.length;
  }

  /**
   * Moves up to `dst.length` bytes into `dst`; resolves with the count, 0 at end of
   * file (no writers left). Caller must keep `dst` valid until this settles.
   */
  async readInto(dst: Uint8Array, alive: () => boolean, nonBlocking = false): Promise<number> {
    while (this.size === 0) {
      if (this.writers === 0 || dst.length === 0) return 0;
      if (nonBlocking) throw new KernelError(Errno.EAGAIN);
      // NOTE: await interleaves with other syscalls on this pipe.
      await new Promise<void>((wake) => this.readWaiters.push({ wake, alive }));
      if (!alive()) return 0;
    }
    const n = Math.min(dst.length, this.size);
    this.copyOut(dst, n, true);
    if (this.writeWaiters.length > 0) this.writeWaiters = this.wakeAll(this.writeWaiters);
    return n;
  }

  /** Resolves with up to `max` bytes; empty at end of file (no writers left). */
  async read(max: number, alive: () => boolean, nonBlocking = false): Promise<Uint8Array> {
    const out = new Uint8Array(Math.max(0, max));
    const n = await this.readInto(out, alive, nonBlocking);
    return out.subarray(0, n);
  }

  /**
   * Writes all of `data`, blocking while full; EPIPE when no reader is left.
   * Caller must keep `data` unchanged until this settles (a blocked writer's memory is).
   */
  async write(data: Uint8Array, alive: () => boolean, nonBlocking = false): Promise<number> {
    let done = 0;
    while (done < data.length || data.length === 0) {
      if (this.readers === 0) throw new KernelError(Errno.EPIPE);
      if (data.length === 0) return 0;
      const room = this.capacity - this.size;
      if (room === 0) {
        if (nonBlocking) { if (done > 0) return done; throw new KernelError(Errno.EAGAIN); }
        await new Promise<void>((wake) => this.writeWaiters.push({ wake, alive }));
        if (!alive()) return done;
        continue;
      }
      const n = Math.min(room, data.length - done);
      this.grow(this.size + n);
      const tail = (this.head + this.size) % this.ring.length;
      const first = Math.min(n, this.ring.length - tail);
      this.ring.set(data.subarray(done, done + first), tail);
      if (first < n) this.ring.set(data.subarray(done + first, done + n), 0);
      this.size += n;
      done += n;
      if (this.readWaiters.length > 0) this.readWaiters = this.wakeAll(this.readWaiters);
    }
    return done;
  }

  closeReader(): void { this.readers--; this.writeWaiters = this.wakeAll(this.writeWaiters); }
  closeWriter(): void { this.writers--; this.readWaiters = this.wakeAll(this.readWaiters); }
}

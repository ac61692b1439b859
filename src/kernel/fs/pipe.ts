// Pipes: a bounded byte queue between writers and readers, kept in the kernel core in
// every preset (as in Linux; MINIX keeps them in a server, which would be a preset
// choice here later). Readers block while empty and writers exist; writers block
// while full and readers exist; writing with no reader left is EPIPE (+ SIGPIPE).

import { KernelError, Errno } from '../../abi/errno.js';

interface Waiter { wake(): void; alive(): boolean }

export class Pipe {
  private chunks: Uint8Array[] = [];
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

  /** Resolves with up to `max` bytes; empty at end of file (no writers left). */
  async read(max: number, alive: () => boolean, nonBlocking = false): Promise<Uint8Array> {
    while (this.size === 0) {
      if (this.writers === 0) return new Uint8Array(0);
      if (nonBlocking) throw new KernelError(Errno.EAGAIN);
      // NOTE: await interleaves with other syscalls on this pipe.
      await new Promise<void>((wake) => this.readWaiters.push({ wake, alive }));
      if (!alive()) return new Uint8Array(0);
    }
    const out = new Uint8Array(Math.min(max, this.size));
    let pos = 0;
    while (pos < out.length) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length, out.length - pos);
      out.set(c.subarray(0, take), pos);
      pos += take;
      if (take === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(take);
    }
    this.size -= out.length;
    this.writeWaiters = this.wakeAll(this.writeWaiters);
    return out;
  }

  /** Writes all of `data`, blocking while full; EPIPE when no reader is left. */
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
      const part = data.slice(done, done + room);
      this.chunks.push(part);
      this.size += part.length;
      done += part.length;
      this.readWaiters = this.wakeAll(this.readWaiters);
    }
    return done;
  }

  closeReader(): void { this.readers--; this.writeWaiters = this.wakeAll(this.writeWaiters); }
  closeWriter(): void { this.writers--; this.readWaiters = this.wakeAll(this.readWaiters); }
}

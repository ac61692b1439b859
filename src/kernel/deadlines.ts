// Bounded waits for component replies the kernel cannot do without (pm's answer to
// an exit): `within(promise, ms)` rejects with ETIMEDOUT when no answer came in time.
// Deadlines are checked on the trap loop's tick (about every 100 ms), so they cost no
// timer slot and no host timer; a late answer is simply dropped.

import { KernelError, Errno } from '../abi/errno.js';

interface Pending { at: number; expire(): void }

export class Deadlines {
  private readonly pending = new Set<Pending>();

  within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { at: performance.now() + ms, expire: () => reject(new KernelError(Errno.ETIMEDOUT, `${what}: no reply within ${ms} ms`)) };
      this.pending.add(entry);
      promise.then(
        (v) => { this.pending.delete(entry); resolve(v); },
        (e: unknown) => { this.pending.delete(entry); reject(e); },
      );
    });
  }

  /** Expires what is past due; called from the kernel loop's tick. */
  tick(now = performance.now()): void {
    for (const d of this.pending) if (d.at <= now) { this.pending.delete(d); d.expire(); }
  }
}

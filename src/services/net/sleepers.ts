// Blocking inside net: a call that must wait (accept with nothing pending, a recv on
// an empty buffer, a send into a full one) sleeps on its socket's queue and is woken
// by any change of that socket, then checks again. `cancel(waiter)` ends every sleep
// of one process with EINTR: the kernel calls it when a handled signal arrives or the
// process dies, so no call stays parked in net for a process that is gone.

import { KernelError, Errno } from '../../abi/errno.js';

interface Sleep {
  readonly waiter: number;
  resolve(): void;
  reject(e: Error): void;
}

export type SleepQueue = Sleep[];

export class Sleepers {
  private readonly byWaiter = new Map<number, Set<Sleep>>();

  /** Sleeps on `queue` until it is woken (resolves) or `waiter` is cancelled (EINTR). */
  sleep(queue: SleepQueue, waiter: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const s: Sleep = { waiter, resolve, reject };
      queue.push(s);
      let set = this.byWaiter.get(waiter);
      if (set === undefined) { set = new Set(); this.byWaiter.set(waiter, set); }
      set.add(s);
    });
  }

  /** Wakes every sleeper of `queue`. */
  wake(queue: SleepQueue): void {
    for (const s of queue.splice(0)) { this.forget(s); s.resolve(); }
  }

  /** Ends the sleeps of `waiter` with EINTR; their queue entries are dropped at the next wake. */
  cancel(waiter: number): void {
    const set = this.byWaiter.get(waiter);
    if (set === undefined) return;
    this.byWaiter.delete(waiter);
    for (const s of set) s.reject(new KernelError(Errno.EINTR));
  }

  /** Sleeps in progress (leak checks). */
  get count(): number { let n = 0; for (const s of this.byWaiter.values()) n += s.size; return n; }

  private forget(s: Sleep): void {
    const set = this.byWaiter.get(s.waiter);
    if (set === undefined) return;
    set.delete(s);
    if (set.size === 0) this.byWaiter.delete(s.waiter);
  }
}

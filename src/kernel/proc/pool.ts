// Fresh process threads started ahead of need, as a zygote would: spawning takes one
// and starts another, so a spawn does not wait for thread start-up. A thread that ran
// a program is never handed to another (one program's state must not leak into the
// next): it is terminated when its process ends. Pooled threads are started with the
// default heap limit (RLIMIT_AS); a process with another limit gets a thread of its own.

import type { Platform, ThreadHandle } from '../platform.js';

export class ThreadPool {
  private readonly fresh: ThreadHandle[] = [];
  private closed = false;

  constructor(private readonly platform: Platform, private readonly size: number, private readonly heapBytes: number) {
    for (let i = 0; i < size; i++) this.fresh.push(this.start());
  }

  private start(heapBytes = this.heapBytes): ThreadHandle { return this.platform.createThread('process', { heapBytes }); }

  /** A fresh thread whose JavaScript heap is bounded by `heapBytes`. */
  take(heapBytes = this.heapBytes): ThreadHandle {
    if (heapBytes !== this.heapBytes) return this.start(heapBytes);
    const t = this.fresh.shift() ?? this.start();
    if (!this.closed) this.fresh.push(this.start());
    return t;
  }

  shutdown(): void {
    this.closed = true;
    for (const t of this.fresh.splice(0)) t.terminate();
  }
}

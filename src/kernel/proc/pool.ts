// Fresh process threads started ahead of need, as a zygote would: spawning takes one
// and starts another, so a spawn does not wait for thread start-up. A thread that ran
// a program is never handed to another (one program's state must not leak into the
// next): it is terminated when its process ends.

import type { Platform, ThreadHandle } from '../platform.js';

export class ThreadPool {
  private readonly fresh: ThreadHandle[] = [];
  private closed = false;

  constructor(private readonly platform: Platform, private readonly size: number) {
    for (let i = 0; i < size; i++) this.fresh.push(platform.createThread('process'));
  }

  take(): ThreadHandle {
    const t = this.fresh.shift() ?? this.platform.createThread('process');
    if (!this.closed) this.fresh.push(this.platform.createThread('process'));
    return t;
  }

  shutdown(): void {
    this.closed = true;
    for (const t of this.fresh.splice(0)) t.terminate();
  }
}

// Process threads: started ahead of need, as a zygote would, and reused. A thread
// locks its realm down and loads the process runtime once (hosts/*/process-worker);
// then it runs one process after another, each program in a fresh compartment with
// its own syscall page and user memory (user/runtime/process.ts, sandbox.ts).
//
// A thread's life:  booting -> ready -> leased (runs one process) -> parked -> ready ...
// - booting: started, still loading; it may be leased already (its start message waits).
// - parked: its process called exit; the kernel answered the exit trap and waits for
//   the thread to report idle (its state word, below) after a macrotask turn, i.e.
//   when no code of the program can run any more. It is then ready again (newest
//   first), or terminated when `maxIdle` threads are already ready. A parked thread
//   counts as one on its way back: none is started to replace it, and a spawn waits
//   for it (`settling`) rather than take another. So the parent of an exited process
//   is told at once (kernel.ts exitProcess), and the thread's idle report overlaps
//   the parent's next spawn (its program read, usually) instead of delaying the
//   parent's wait.
// - A process that is killed, crashes, or whose thread does not report idle within
//   `graceMs` loses its thread: it is terminated, never handed to anyone else.
// - Pooled threads have the default JavaScript heap limit (RLIMIT_AS); a process with
//   another limit gets a thread of its own, started for it and discarded after it.
//
// The state word (one Int32 per thread, shared with it): the thread adds 1 when it
// has booted and 1 each time a process it ran has ended and it is idle again.
//
// Everything here runs on the kernel thread.

import type { Platform, ThreadHandle } from '../platform.js';

/** A thread lent to one process. */
export interface ThreadLease {
  readonly thread: ThreadHandle;
  /** The thread's state word: counts boots and finished processes (see above). */
  readonly state: Int32Array;
  /** Processes this thread ran before this one. */
  readonly runsBefore: number;
  /** A thread started for one process with its own heap limit (RLIMIT_AS): never pooled. */
  readonly ownHeap?: boolean;
}

interface Pooled { thread: ThreadHandle; state: Int32Array }

interface Parking { entry: Pooled; expected: number; done(idle: boolean): void; timer: unknown; settled: Promise<boolean> }

/** Counters for `sysinfo` (SysInfo.THREADS). */
export interface ThreadStats { started: number; reused: number; discarded: number; ready: number; booting: number }

export class ThreadPool {
  // Ready threads, the most recently used last (taken first: its caches are warm).
  private readonly ready: Pooled[] = [];
  private readonly booting: Pooled[] = [];
  private readonly parked = new Set<Parking>();
  private closed = false;
  private started = 0;
  private reused = 0;
  private discarded = 0;

  constructor(
    private readonly platform: Platform,
    /** Threads kept booted ahead of need (ready + booting). */
    private readonly size: number,
    /** Ready threads kept for reuse at most. */
    private readonly maxIdle: number,
    /** How long a parked thread has to report idle (ms). */
    private readonly graceMs: number,
    /** JavaScript heap limit of pooled threads (the default RLIMIT_AS). */
    private readonly heapBytes: number,
  ) {
    // One thread for init at once; the rest after boot (fill), so that their start-up
    // does not compete with the servers' own.
    if (size > 0) this.booting.push(this.create());
  }

  /** Starts threads until `size` are ready, booting or parked (on their way back). */
  fill(): void {
    while (!this.closed && this.ready.length + this.booting.length + this.parked.size < this.size) this.booting.push(this.create());
  }

  /**
   * While a thread is parked: resolves once one of the parked has settled (it is
   * ready again — and taken first, its caches warm from the process before — or it
   * was ended, at the latest after `graceMs`). Undefined when none is parked. A spawn
   * waits for this before it takes a thread.
   */
  settling(): Promise<unknown> | undefined {
    if (this.parked.size === 0) return undefined;
    return Promise.race([...this.parked].map((p) => p.settled));
  }

  private create(heapBytes = this.heapBytes): Pooled {
    const thread = this.platform.createThread('process', { heapBytes });
    const memory = new SharedArrayBuffer(4);
    const entry: Pooled = { thread, state: new Int32Array(memory) };
    this.started++;
    thread.post({ type: 'init', state: memory });
    this.watch(entry);
    return entry;
  }

  // While a thread is not leased, its end (an error while loading, or terminate)
  // just removes it from the pool.
  private watch(entry: Pooled): void {
    entry.thread.onExit(() => {
      for (const list of [this.ready, this.booting]) {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
      }
    });
  }

  private promote(): void {
    for (let i = 0; i < this.booting.length;) {
      const entry = this.booting[i]!;
      // A thread that never ran a process goes to the far end: reused threads come first.
      if (Atomics.load(entry.state, 0) >= 1) { this.booting.splice(i, 1); this.ready.unshift(entry); } else i++;
    }
  }

  /** A thread for a new process (JavaScript heap bounded by `heapBytes`): a ready one if any, else one still booting, else a new one. */
  take(heapBytes = this.heapBytes): ThreadLease {
    // A process with another heap limit gets a thread of its own, discarded after it.
    if (heapBytes !== this.heapBytes) {
      const own = this.create(heapBytes);
      return { thread: own.thread, state: own.state, runsBefore: 0, ownHeap: true };
    }
    this.promote();
    const entry = this.ready.pop() ?? this.booting.shift() ?? this.create();
    this.fill();
    const count = Atomics.load(entry.state, 0);
    const runsBefore = Math.max(0, count - 1);
    if (runsBefore > 0) this.reused++;
    return { thread: entry.thread, state: entry.state, runsBefore };
  }

  /**
   * Takes back the thread of a process that called exit: `wake` answers its exit
   * trap; resolves true once the thread is idle and ready again, false when it was
   * terminated instead (it did not report idle in time, or it ended).
   */
  release(lease: ThreadLease, wake: () => void): Promise<boolean> {
    const entry: Pooled = { thread: lease.thread, state: lease.state };
    // The count once this process is over: its boot, the runs before it, and this one.
    const expected = lease.runsBefore + 2;
    let settle!: (idle: boolean) => void;
    const settled = new Promise<boolean>((resolve) => { settle = resolve; });
    return new Promise<boolean>((resolve) => {
      if (this.closed) { this.discard(entry); resolve(false); settle(false); return; }
      const parking: Parking = {
        entry, expected, timer: undefined, settled,
        done: (idle) => {
          if (!this.parked.delete(parking)) return;
          clearTimeout(parking.timer);
          if (idle && lease.ownHeap !== true && this.ready.length < this.maxIdle) { this.watch(entry); this.ready.push(entry); } else this.discard(entry);
          resolve(idle);
          settle(idle);
          // One that did not come back (or that was not kept) is replaced now.
          this.fill();
        },
      };
      this.parked.add(parking);
      entry.thread.onExit(() => parking.done(false));
      parking.timer = setTimeout(() => parking.done(false), this.graceMs);
      wake();
      this.poll();
    });
  }

  /** Moves parked threads that reported idle to the ready list; true if any did. */
  poll(): boolean {
    let moved = false;
    for (const parking of this.parked) {
      if (Atomics.load(parking.entry.state, 0) >= parking.expected) { parking.done(true); moved = true; }
    }
    return moved;
  }

  /** Ends a thread that ran a process and is not reused. */
  discard(entry: { thread: ThreadHandle }): void {
    this.discarded++;
    entry.thread.terminate();
  }

  stats(): ThreadStats {
    this.promote();
    return { started: this.started, reused: this.reused, discarded: this.discarded, ready: this.ready.length, booting: this.booting.length };
  }

  shutdown(): void {
    this.closed = true;
    for (const parking of [...this.parked]) parking.done(false);
    for (const entry of [...this.ready.splice(0), ...this.booting.splice(0)]) entry.thread.terminate();
  }
}

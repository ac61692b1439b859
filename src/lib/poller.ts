// Adaptive spin-then-wait, the waiting discipline of every thread in the system.
//
// A thread that serves requests (the kernel, a user-domain server) runs `pollLoop`:
// it polls its inbound queues; after work it keeps polling ("spinning") for `spinUs`,
// because a block-and-wake costs ~50 µs on these machines and the next request often
// arrives sooner (competitive spinning: spin about as long as a wake-up would cost);
// then it blocks on one doorbell word that every producer bumps. Spinning yields to
// microtasks on every round, or async handlers would never resume, and to macrotasks
// about once a millisecond, so timers and device interrupts still run.
//
// A caller that must block synchronously (a process in a syscall) uses `spinThenWait`.

export interface LoopHost {
  /** Lets pending macrotasks (timers, messages, waitAsync wake-ups) run. */
  yieldMacrotask(): Promise<void>;
}

/** A doorbell: one Int32 word that producers bump and a consumer sleeps on. */
export class Doorbell {
  readonly word: Int32Array;
  constructor(buffer: SharedArrayBuffer, index = 0) { this.word = new Int32Array(buffer, index * 4, 1); }
  ring(): void { Atomics.add(this.word, 0, 1); Atomics.notify(this.word, 0); }
  seq(): number { return Atomics.load(this.word, 0); }
}

export interface PollLoopOptions {
  doorbell: Doorbell;
  /** Polls every queue once; returns true when it found work. */
  poll: () => boolean;
  spinUs: number;
  host: LoopHost;
  running: () => boolean;
  /** Called about every `tickMs` of loop time (heartbeats). */
  tick?: () => void;
  /** The tick's period (ms; default 100). */
  tickMs?: number;
}

export async function pollLoop(o: PollLoopOptions): Promise<void> {
  let idleSince = performance.now();
  let lastMacro = idleSince;
  let lastTick = idleSince;
  const tickMs = o.tickMs ?? 100;
  while (o.running()) {
    const seen = o.doorbell.seq();
    const worked = o.poll();
    await null; // let async handlers resume
    const now = performance.now();
    if (now - lastMacro > 1) { await o.host.yieldMacrotask(); lastMacro = performance.now(); }
    if (o.tick !== undefined && now - lastTick > tickMs) { o.tick(); lastTick = now; }
    if (worked) { idleSince = now; continue; }
    if ((now - idleSince) * 1000 < o.spinUs) continue;
    // Block until a producer rings, but wake at least once a tick.
    const w = Atomics.waitAsync(o.doorbell.word, 0, seen, tickMs);
    if (w.async) await w.value;
    lastMacro = performance.now();
    idleSince = lastMacro;
  }
}

/**
 * Spins until `word[index]` is no longer `value`, for at most `spinUs`. Returns true
 * when the value changed within the spin.
 */
export function spinFor(word: Int32Array, index: number, value: number, spinUs: number): boolean {
  if (Atomics.load(word, index) !== value) return true;
  if (spinUs <= 0) return false;
  const until = performance.now() + spinUs / 1000;
  do {
    for (let i = 0; i < 64; i++) if (Atomics.load(word, index) !== value) return true;
  } while (performance.now() < until);
  return false;
}

/**
 * Waits synchronously until `word[index]` is no longer `value`: spins for `spinUs`,
 * then sleeps in Atomics.wait. Returns the new value.
 */
export function spinThenWait(word: Int32Array, index: number, value: number, spinUs: number): number {
  spinFor(word, index, value, spinUs);
  for (;;) {
    const v = Atomics.load(word, index);
    if (v !== value) return v;
    Atomics.wait(word, index, value);
  }
}

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
// A caller that must block synchronously (a process in a syscall) spins with `spinFor`,
// then sleeps with `sleepForAnswer` (a request page) or `Doorbell.sleep`.

export interface LoopHost {
  /** Lets pending macrotasks (timers, messages, waitAsync wake-ups) run. */
  yieldMacrotask(): Promise<void>;
}

// A doorbell word counts rings in steps of 2; its low bit says "the consumer may be
// asleep". Ringing notifies only then: a notify costs the ringer 0.1 µs with nobody
// waiting and 9-15 µs with a sleeper, and a consumer that spins needs neither. The
// consumer sets the bit before it sleeps and clears it after; Atomics are sequentially
// consistent, so either the ringer sees the bit or the consumer sees the new count.
const ASLEEP = 1;

/**
 * Rings the doorbell word `word[index]` (for rings without a Doorbell object: a process,
 * a host worker). Returns true when the consumer was asleep (it was woken): its answer
 * cannot come before a wake-up, so a caller waiting for it should not spin (it would
 * only take a core the waking thread may need).
 */
export function ringBell(word: Int32Array, index = 0): boolean {
  if ((Atomics.add(word, index, 2) & ASLEEP) === 0) return false;
  Atomics.notify(word, index);
  return true;
}

/** A doorbell: one Int32 word that producers bump and one consumer sleeps on. */
export class Doorbell {
  readonly word: Int32Array;
  constructor(buffer: SharedArrayBuffer, index = 0) { this.word = new Int32Array(buffer, index * 4, 1); }
  /** True when the consumer was asleep (see ringBell). */
  ring(): boolean { return ringBell(this.word, 0); }
  /** Whether the consumer sleeps on the word now (or is about to). */
  asleep(): boolean { return (Atomics.load(this.word, 0) & ASLEEP) !== 0; }
  /** The ring count, to compare before sleeping. */
  seq(): number { return Atomics.load(this.word, 0) & ~ASLEEP; }

  /** Sleeps until a ring after `seen` (a seq()), at most `timeoutMs`. */
  sleep(seen: number, timeoutMs = Infinity): void {
    const before = Atomics.or(this.word, 0, ASLEEP);
    if ((before & ~ASLEEP) === seen) Atomics.wait(this.word, 0, seen | ASLEEP, timeoutMs);
    Atomics.and(this.word, 0, ~ASLEEP);
  }

  /** sleep() for a thread that must keep its event loop: resolves on a ring or the timeout. */
  async sleepAsync(seen: number, timeoutMs: number): Promise<void> {
    const before = Atomics.or(this.word, 0, ASLEEP);
    if ((before & ~ASLEEP) === seen) {
      const w = Atomics.waitAsync(this.word, 0, seen | ASLEEP, timeoutMs);
      if (w.async) await w.value;
    }
    Atomics.and(this.word, 0, ~ASLEEP);
  }
}

/**
 * Answers on a request page: stores `value` in `ctl[state]` and wakes the waiter only
 * if it sleeps (`ctl[waiting]` set by waitForAnswer), for the same reason as ringBell.
 * Returns true when it woke the waiter.
 */
export function answerWord(ctl: Int32Array, state: number, waiting: number, value: number): boolean {
  Atomics.store(ctl, state, value);
  if (Atomics.load(ctl, waiting) === 0) return false;
  Atomics.notify(ctl, state);
  return true;
}

/**
 * How long a loop keeps polling, idle, after an answer that had to wake its waiter:
 * the waiter's next call comes after its own wake-up, past the loop's spin, and would
 * find the loop asleep too (params.ts kernelSpinAfterWakeUs, serverSpinAfterWakeUs).
 */
export class Linger {
  /** Poll until this performance.now() (ms). */
  until = 0;
  constructor(private readonly us: number) {}
  /** After an answer; `woke`: answerWord's result. */
  answered(woke: boolean): void { if (woke) this.until = performance.now() + this.us / 1000; }
}

/** Sleeps until `ctl[state]` is no longer `value`, flagging `ctl[waiting]` meanwhile (see answerWord). */
export function sleepForAnswer(ctl: Int32Array, state: number, waiting: number, value: number): void {
  Atomics.store(ctl, waiting, 1);
  while (Atomics.load(ctl, state) === value) Atomics.wait(ctl, state, value);
  Atomics.store(ctl, waiting, 0);
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
  /** The longest sleep while idle (ms; default tickMs): a loop whose tick need not run while it sleeps sleeps longer. */
  sleepMs?: number;
  /** Keep polling while idle until `linger.until`, past `spinUs`. */
  linger?: Linger;
}

export async function pollLoop(o: PollLoopOptions): Promise<void> {
  let idleSince = performance.now();
  let lastMacro = idleSince;
  let lastTick = idleSince;
  const tickMs = o.tickMs ?? 100;
  const sleepMs = o.sleepMs ?? tickMs;
  while (o.running()) {
    const seen = o.doorbell.seq();
    const worked = o.poll();
    await null; // let async handlers resume
    const now = performance.now();
    if (now - lastMacro > 1) { await o.host.yieldMacrotask(); lastMacro = performance.now(); }
    if (o.tick !== undefined && now - lastTick > tickMs) { o.tick(); lastTick = now; }
    if (worked) { idleSince = now; continue; }
    if ((now - idleSince) * 1000 < o.spinUs || (o.linger !== undefined && now < o.linger.until)) continue;
    // Block until a producer rings, but wake at least once every sleepMs.
    await o.doorbell.sleepAsync(seen, sleepMs);
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

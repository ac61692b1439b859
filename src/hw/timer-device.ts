// The timer device model: the host keeps one host timer armed for the earliest
// deadline in the device's slots; when it passes, the slots that are due are marked
// fired and the interrupt is raised. The host runs `service()` on the doorbell.

import { DEV_IRQ, TIMER_SLOTS, TIMER_SLOTS_OFFSET, TIMER_MEMORY_BYTES, TIMER_FIRED, sharedClockMs } from '../abi/device.js';

export interface HostTimers {
  set(ms: number, fire: () => void): unknown;
  clear(handle: unknown): void;
}

export class TimerDeviceModel {
  readonly memory = new SharedArrayBuffer(TIMER_MEMORY_BYTES);
  private readonly words = new Int32Array(this.memory, 0, 16);
  private readonly slots = new Float64Array(this.memory, TIMER_SLOTS_OFFSET, TIMER_SLOTS);
  private armed: { at: number; handle: unknown } | undefined;
  fired = 0;

  constructor(private readonly timers: HostTimers) {}

  /** Fires what is due and re-arms the host timer for the next deadline. */
  service(): void {
    const now = sharedClockMs();
    let next = Infinity;
    let due = 0;
    for (let i = 0; i < TIMER_SLOTS; i++) {
      const d = this.slots[i]!;
      if (d <= 0) continue;
      if (d <= now) { this.slots[i] = TIMER_FIRED; due++; } else if (d < next) next = d;
    }
    if (due > 0) {
      this.fired += due;
      Atomics.add(this.words, DEV_IRQ, 1);
      Atomics.notify(this.words, DEV_IRQ);
    }
    if (this.armed !== undefined && this.armed.at !== next) { this.timers.clear(this.armed.handle); this.armed = undefined; }
    if (next !== Infinity && this.armed === undefined) {
      this.armed = { at: next, handle: this.timers.set(Math.max(0, next - now), () => { this.armed = undefined; this.service(); }) };
    }
  }

  stop(): void {
    if (this.armed !== undefined) this.timers.clear(this.armed.handle);
    this.armed = undefined;
  }
}

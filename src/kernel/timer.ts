// Kernel timers on the timer device (abi/device.ts): `sleep(ms)` takes a slot, writes
// the deadline, rings the device and resolves at the interrupt that finds the slot
// fired. nanosleep and poll timeouts use it; the kernel keeps no host timer of its own.

import { TIMER_SLOTS, TIMER_SLOTS_OFFSET, TIMER_FIRED, sharedClockMs } from '../abi/device.js';
import type { DeviceBinding } from '../abi/component.js';
import { KernelError, Errno } from '../abi/errno.js';

export class KernelTimers {
  private readonly slots: Float64Array;
  private readonly waiting = new Map<number, { deadline: number; wake: () => void }>();
  // Sleepers waiting for a slot when all are taken (more sleepers than slots).
  private readonly queued: (() => void)[] = [];
  private running = true;

  constructor(private readonly device: DeviceBinding) {
    this.slots = new Float64Array(device.memory, TIMER_SLOTS_OFFSET, TIMER_SLOTS);
    void this.interruptLoop();
  }

  private async interruptLoop(): Promise<void> {
    while (this.running) {
      await this.device.interrupt();
      // Alarms that fired together wake in deadline order.
      const fired = [...this.waiting].filter(([i]) => this.slots[i] === TIMER_FIRED).sort((a, b) => a[1].deadline - b[1].deadline);
      for (const [i, w] of fired) { this.slots[i] = 0; this.waiting.delete(i); w.wake(); this.queued.shift()?.(); }
    }
  }

  /** Resolves after `ms` milliseconds. */
  async sleep(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new KernelError(Errno.EINVAL);
    const deadline = sharedClockMs() + ms;
    for (;;) {
      for (let i = 0; i < TIMER_SLOTS; i++) {
        if (this.waiting.has(i) || this.slots[i] !== 0) continue;
        return new Promise<void>((resolve) => {
          this.waiting.set(i, { deadline, wake: resolve });
          this.slots[i] = Math.max(deadline, 1);
          this.device.notify();
        });
      }
      // NOTE: await; every slot is armed: wait for one to fire, then try again.
      await new Promise<void>((r) => this.queued.push(r));
    }
  }

  stop(): void { this.running = false; }
}

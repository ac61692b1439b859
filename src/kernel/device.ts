// Interrupt routing: a device's interrupt is delivered in the domain its driver runs
// in. The kernel binds the device's memory into that domain (its own thread for a
// kernel-domain driver, the server's thread for a user-domain one) and the binding
// turns the device's irq word into a promise the driver awaits.

import type { DeviceBinding, DeviceKind } from '../abi/component.js';
import { DEV_DOORBELL, DEV_IRQ } from '../abi/device.js';

export function bindDevice(kind: DeviceKind, memory: SharedArrayBuffer): DeviceBinding {
  const words = new Int32Array(memory, 0, 8);
  let seen = Atomics.load(words, DEV_IRQ);
  return {
    kind,
    memory,
    notify(): void {
      Atomics.add(words, DEV_DOORBELL, 1);
      Atomics.notify(words, DEV_DOORBELL);
    },
    async interrupt(): Promise<void> {
      for (;;) {
        const now = Atomics.load(words, DEV_IRQ);
        if (now !== seen) { seen = now; return; }
        const w = Atomics.waitAsync(words, DEV_IRQ, now);
        if (w.async) await w.value;
      }
    },
  };
}

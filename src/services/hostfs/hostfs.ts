// hostfs: the driver for the host filesystem device (abi/device.ts), which shares
// directories of the host with the machine (`--mount HOSTDIR:GUESTDIR[:ro]`). It
// carries node requests through the device's slots; vfs mounts each share with the
// FileSystem in filesystem.ts on top of it. Like blk, it is placed like any other
// component: in the kernel under monolithic, its own server under microkernel.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { HostFsService } from '../../abi/services.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { BlkSlotState, HOSTFS_SLOTS, HOSTFS_SLOTS_OFFSET, HOSTFS_SLOT_BYTES, HOSTFS_DATA_OFFSET, HOSTFS_SLOT_DATA_BYTES } from '../../abi/device.js';
import { encode, decode, type Value } from '../../lib/codec.js';

export const manifest: Manifest = {
  name: 'hostfs',
  description: 'host filesystem driver (directories shared with --mount)',
  uses: [],
  device: 'hostfs',
};

export function create(ctx: ComponentContext): ComponentInstance & HostFsService {
  const device = ctx.device;
  if (device === undefined || device.kind !== 'hostfs') throw new KernelError(Errno.ENODEV, 'hostfs: no host filesystem device bound');
  const bytes = new Uint8Array(device.memory);
  const slots = Array.from({ length: HOSTFS_SLOTS }, (_, i) => new Int32Array(device.memory, HOSTFS_SLOTS_OFFSET + i * HOSTFS_SLOT_BYTES, 4));
  const windows = Array.from({ length: HOSTFS_SLOTS }, (_, i) => bytes.subarray(HOSTFS_DATA_OFFSET + i * HOSTFS_SLOT_DATA_BYTES, HOSTFS_DATA_OFFSET + (i + 1) * HOSTFS_SLOT_DATA_BYTES));
  const waiting = new Map<number, () => void>();
  // A slot is ours from takeSlot until the reply is read and the slot freed.
  const busy = new Set<number>();
  const slotFree: (() => void)[] = [];
  const shares = (ctx.config.shares ?? []) as { index: number; guest: string; readOnly: boolean }[];
  let running = true;

  async function interruptLoop(): Promise<void> {
    while (running) {
      await device!.interrupt();
      for (let i = 0; i < HOSTFS_SLOTS; i++) {
        if (Atomics.load(slots[i]!, 0) !== BlkSlotState.DONE) continue;
        const wake = waiting.get(i);
        if (wake !== undefined) { waiting.delete(i); wake(); }
        else if (!busy.has(i)) { Atomics.store(slots[i]!, 0, BlkSlotState.FREE); slotFree.shift()?.(); }
      }
    }
  }

  async function takeSlot(): Promise<number> {
    for (;;) {
      for (let i = 0; i < HOSTFS_SLOTS; i++) {
        if (!busy.has(i) && Atomics.load(slots[i]!, 0) === BlkSlotState.FREE) { busy.add(i); return i; }
      }
      await new Promise<void>((r) => slotFree.push(r));
    }
  }

  return {
    async init(): Promise<void> {
      // A previous instance's requests: finished ones are dropped; one still with the
      // device is left to finish and freed by the interrupt loop below.
      for (const s of slots) if (Atomics.load(s, 0) === BlkSlotState.DONE) Atomics.store(s, 0, BlkSlotState.FREE);
      void interruptLoop();
      for (const s of shares) ctx.log(`hostfs: share ${s.index} for ${s.guest}${s.readOnly ? ' (read-only)' : ''}`);
    },
    async shutdown(): Promise<void> { running = false; },
    busy: () => waiting.size > 0,

    async shares() { return shares; },

    async request(op: string, mount: number, args: Record<string, unknown>): Promise<unknown> {
      const req = encode({ op, mount, args: args as Value });
      const i = await takeSlot();
      const slot = slots[i]!;
      if (req.length > windows[i]!.length) { busy.delete(i); slotFree.shift()?.(); throw new KernelError(Errno.E2BIG, 'hostfs: request too large'); }
      windows[i]!.set(req);
      slot[1] = req.length;
      const done = new Promise<void>((r) => waiting.set(i, r));
      Atomics.store(slot, 0, BlkSlotState.SUBMITTED);
      device!.notify();
      await done;
      try {
        const errno = slot[3]!;
        if (errno !== 0) throw new KernelError(errno);
        return decode(windows[i]!.slice(0, slot[2]!));
      } finally {
        Atomics.store(slot, 0, BlkSlotState.FREE);
        busy.delete(i);
        slotFree.shift()?.();
      }
    },
  };
}

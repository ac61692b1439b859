// blk: the driver for the virtual block device (abi/device.ts). It queues requests
// in the device's slots, rings the doorbell, and completes them from one interrupt
// loop. Writes pass through a bounce buffer in the component's arena — kernel memory
// under `monolithic` (ARCHITECTURE.md rule 4) — as a driver's DMA buffer would; reads
// are copied once, from the slot into the caller's buffer.
// Filesystems reach it as a BlockDevice (abi/blk.ts); /dev/blk0 is routed to it by the
// kernel.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { BlkService } from '../../abi/services.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { KernelError, Errno } from '../../abi/errno.js';
import {
  BlkOp, BlkSlotState, BLK_SLOTS, BLK_SLOTS_OFFSET, BLK_SLOT_BYTES, BLK_DATA_OFFSET, BLK_SLOT_DATA_BYTES,
  blkCapacitySectors,
} from '../../abi/device.js';

export const manifest: Manifest = {
  name: 'blk',
  description: 'block device driver (/dev/blk0)',
  uses: [],
  device: 'block',
};

const MAX_SECTORS = BLK_SLOT_DATA_BYTES / SECTOR_SIZE;

interface Waiting { resolve(status: number): void }

export function create(ctx: ComponentContext): ComponentInstance & BlkService {
  const device = ctx.device;
  if (device === undefined || device.kind !== 'block') throw new KernelError(Errno.ENODEV, 'blk: no block device bound');
  const words = new Int32Array(device.memory, 0, 16);
  const bytes = new Uint8Array(device.memory);
  const slotWords = (i: number): Int32Array => new Int32Array(device.memory, BLK_SLOTS_OFFSET + i * BLK_SLOT_BYTES, 4);
  const slotSector = (i: number): Float64Array => new Float64Array(device.memory, BLK_SLOTS_OFFSET + i * BLK_SLOT_BYTES + 16, 1);
  const slots = Array.from({ length: BLK_SLOTS }, (_, i) => ({ words: slotWords(i), sector: slotSector(i) }));
  const bounce = ctx.arena.alloc('blk', BLK_SLOT_DATA_BYTES, 'bounce buffer');
  const waiting = new Map<number, Waiting>();
  // Slots taken by a request of ours, from takeSlot until freed (taken synchronously,
  // so requests queued in the same tick never share a slot).
  const taken = new Set<number>();
  // Slots a previous instance submitted: the device still completes them; we drop the result.
  const stale = new Set<number>();
  const slotFree: (() => void)[] = [];
  let running = true;
  // Requests queued in the same tick share one doorbell: ringing wakes the device's
  // thread (tens of µs here), and the device serves every submitted slot per wake-up.
  let bellQueued = false;
  const ring = (): void => {
    if (bellQueued) return;
    bellQueued = true;
    queueMicrotask(() => { bellQueued = false; device.notify(); });
  };

  function completeSlots(): void {
    for (let i = 0; i < BLK_SLOTS; i++) {
      const s = slots[i]!;
      if (Atomics.load(s.words, 0) !== BlkSlotState.DONE) continue;
      const w = waiting.get(i);
      if (w !== undefined) { waiting.delete(i); w.resolve(Atomics.load(s.words, 3)); }
      else if (stale.delete(i)) { Atomics.store(s.words, 0, BlkSlotState.FREE); slotFree.shift()?.(); }
    }
  }

  async function interruptLoop(): Promise<void> {
    while (running) {
      await device!.interrupt();
      completeSlots();
    }
  }

  async function takeSlot(): Promise<number> {
    for (;;) {
      for (let i = 0; i < BLK_SLOTS; i++) {
        if (!taken.has(i) && !stale.has(i) && Atomics.load(slots[i]!.words, 0) === BlkSlotState.FREE) { taken.add(i); return i; }
      }
      // NOTE: await; every slot is busy, so wait for one to free up.
      await new Promise<void>((r) => slotFree.push(r));
    }
  }

  /** Runs one request through a slot; `fill` stages data, `drain` collects it, both synchronous. */
  async function request(op: number, sector: number, count: number, fill?: (data: Uint8Array) => void, drain?: (data: Uint8Array) => void): Promise<void> {
    const i = await takeSlot();
    const s = slots[i]!;
    const data = bytes.subarray(BLK_DATA_OFFSET + i * BLK_SLOT_DATA_BYTES, BLK_DATA_OFFSET + (i + 1) * BLK_SLOT_DATA_BYTES);
    fill?.(data);
    s.words[1] = op;
    s.words[2] = count;
    s.words[3] = 0;
    s.sector[0] = sector;
    const done = new Promise<number>((resolve) => waiting.set(i, { resolve }));
    Atomics.store(s.words, 0, BlkSlotState.SUBMITTED);
    ring();
    const status = await done;
    try {
      if (status !== 0) throw new KernelError(status, `blk: device error on ${op === BlkOp.READ ? 'read' : op === BlkOp.WRITE ? 'write' : 'flush'} at sector ${sector}`);
      drain?.(data);
    } finally {
      Atomics.store(s.words, 0, BlkSlotState.FREE);
      taken.delete(i);
      slotFree.shift()?.();
    }
  }

  function checkRange(sector: number, count: number): void {
    if (!Number.isInteger(sector) || !Number.isInteger(count) || sector < 0 || count < 0) throw new KernelError(Errno.EINVAL, 'blk: bad sector range');
    if (sector + count > blkCapacitySectors(words)) throw new KernelError(Errno.ENXIO, `blk: sectors ${sector}+${count} past the end of the device`);
  }

  return {
    async init(): Promise<void> {
      for (let i = 0; i < BLK_SLOTS; i++) {
        const state = Atomics.load(slots[i]!.words, 0);
        if (state === BlkSlotState.DONE) Atomics.store(slots[i]!.words, 0, BlkSlotState.FREE);
        else if (state === BlkSlotState.SUBMITTED) stale.add(i);
      }
      void interruptLoop();
      ctx.log(`blk0: ${blkCapacitySectors(words)} sectors (${(blkCapacitySectors(words) * SECTOR_SIZE / 1048576).toFixed(1)} MiB)`);
    },
    async shutdown(): Promise<void> { running = false; },
    busy: () => waiting.size > 0,

    async size(): Promise<number> { return blkCapacitySectors(words) * SECTOR_SIZE; },

    async read(sector: number, count: number): Promise<Uint8Array> {
      checkRange(sector, count);
      const out = new Uint8Array(count * SECTOR_SIZE);
      // One request per slot-sized piece, all queued at once: the device serves the
      // slots in one pass (queue depth up to BLK_SLOTS), so a large read costs one
      // doorbell and one interrupt rather than one of each per 64 KiB. Each piece is
      // copied once, from its slot into the caller's buffer (a driver's DMA target).
      const pieces: Promise<void>[] = [];
      for (let done = 0; done < count; done += MAX_SECTORS) {
        const n = Math.min(MAX_SECTORS, count - done);
        const at = done * SECTOR_SIZE;
        pieces.push(request(BlkOp.READ, sector + done, n, undefined, (data) => { out.set(data.subarray(0, n * SECTOR_SIZE), at); }));
      }
      await Promise.all(pieces);
      return out;
    },

    async write(sector: number, data: Uint8Array): Promise<void> {
      if (!(data instanceof Uint8Array) || data.length % SECTOR_SIZE !== 0) throw new KernelError(Errno.EINVAL, 'blk: write length is not a multiple of 512');
      const count = data.length / SECTOR_SIZE;
      checkRange(sector, count);
      for (let done = 0; done < count; done += MAX_SECTORS) {
        const n = Math.min(MAX_SECTORS, count - done);
        await request(BlkOp.WRITE, sector + done, n, (slot) => {
          bounce.bytes.set(data.subarray(done * SECTOR_SIZE, (done + n) * SECTOR_SIZE));
          slot.set(bounce.bytes.subarray(0, n * SECTOR_SIZE));
        });
      }
    },

    async flush(): Promise<void> {
      await request(BlkOp.FLUSH, 0, 0);
    },
  };
}

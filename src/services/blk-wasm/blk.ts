// blk-wasm: the block driver written in C (blk.c beside this file), compiled to
// WebAssembly and run in the sandbox domain (`--place blk=sandbox`). It serves the
// same service as services/blk/ (abi/services.ts BLK) against the same device.
//
// This file is the glue the kernel runs around the instance, and holds no driver
// logic: it turns each service call into the C driver's submit/complete calls (the
// slot bookkeeping, range checks and register programming are the C's), waits for
// the device's interrupt between them, and moves bulk data through the instance's
// one window — copied in before a write's submit, out after a read's complete, each
// synchronously, so one window serves every request in flight.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { BlkService } from '../../abi/services.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { BlkOp, BLK_SLOT_DATA_BYTES } from '../../abi/device.js';

export const manifest: Manifest = {
  name: 'blk',
  description: 'block device driver (/dev/blk0), C compiled to WebAssembly',
  uses: [],
  device: 'block',
};

/** The driver's module in the image (the initramfs), and the exports the glue calls. */
export const wasm = {
  path: 'lib/modules/blk.wasm',
  window: 'blk_window',
  windowBytes: BLK_SLOT_DATA_BYTES,
  exports: ['kk_init', 'kk_fault', 'blk_window', 'blk_size', 'blk_submit', 'blk_kick', 'blk_done', 'blk_complete'],
} as const;

const MAX_SECTORS = BLK_SLOT_DATA_BYTES / SECTOR_SIZE;

export function create(ctx: ComponentContext): ComponentInstance & BlkService {
  const sandbox = ctx.sandbox;
  const device = ctx.device;
  if (sandbox === undefined) throw new KernelError(Errno.ENODEV, 'blk (WebAssembly): runs only in the sandbox domain');
  if (device === undefined || device.kind !== 'block') throw new KernelError(Errno.ENODEV, 'blk: no block device bound');
  let window = 0;
  const waiting = new Map<number, () => void>();
  const slotFree: (() => void)[] = [];
  let running = true;
  let bellQueued = false;
  // Requests queued in the same tick share one doorbell, as in services/blk.
  const ring = (): void => {
    if (bellQueued) return;
    bellQueued = true;
    queueMicrotask(() => {
      bellQueued = false;
      try { if (running) sandbox.call('blk_kick'); } catch { /* trapped: the supervisor has it */ }
    });
  };

  async function interruptLoop(): Promise<void> {
    while (running) {
      await device!.interrupt();
      if (!running) return;
      let done: number;
      try { done = sandbox!.call('blk_done'); } catch { return; }
      for (let i = 0; done !== 0; i++, done >>>= 1) {
        if ((done & 1) === 0) continue;
        const w = waiting.get(i);
        if (w !== undefined) { waiting.delete(i); w(); }
      }
    }
  }

  /** One request through a slot; `fill` copies a write's data into the window, `drain` a read's out. */
  async function request(op: number, sector: number, count: number, fill?: () => void, drain?: () => void): Promise<void> {
    let slot: number;
    for (;;) {
      fill?.();
      slot = sandbox!.call('blk_submit', op, sector, count);
      if (slot >= 0) break;
      if (slot !== -Errno.EAGAIN) throw new KernelError(-slot, `blk: request refused at sector ${sector}`);
      // NOTE: await; every slot is busy.
      await new Promise<void>((r) => slotFree.push(r));
    }
    const done = new Promise<void>((r) => waiting.set(slot, r));
    ring();
    await done;
    const status = sandbox!.call('blk_complete', slot);
    slotFree.shift()?.();
    if (status !== 0) throw new KernelError(status, `blk: device error on ${op === BlkOp.READ ? 'read' : op === BlkOp.WRITE ? 'write' : 'flush'} at sector ${sector}`);
    drain?.();
  }

  return {
    async init(): Promise<void> {
      sandbox.call('kk_init');
      window = sandbox.call('blk_window');
      void interruptLoop();
    },
    async shutdown(): Promise<void> { running = false; },
    busy: () => waiting.size > 0,

    async size(): Promise<number> { return sandbox.call('blk_size'); },

    async read(sector: number, count: number): Promise<Uint8Array> {
      if (!Number.isInteger(count) || count < 0) throw new KernelError(Errno.EINVAL, 'blk: bad sector range');
      const out = new Uint8Array(count * SECTOR_SIZE);
      const pieces: Promise<void>[] = [];
      for (let done = 0; done < count; done += MAX_SECTORS) {
        const n = Math.min(MAX_SECTORS, count - done);
        const at = done * SECTOR_SIZE;
        pieces.push(request(BlkOp.READ, sector + done, n, undefined, () => { out.set(sandbox.copyOut(window, n * SECTOR_SIZE), at); }));
      }
      await Promise.all(pieces);
      return out;
    },

    async write(sector: number, data: Uint8Array): Promise<void> {
      if (!(data instanceof Uint8Array) || data.length % SECTOR_SIZE !== 0) throw new KernelError(Errno.EINVAL, 'blk: write length is not a multiple of 512');
      const count = data.length / SECTOR_SIZE;
      for (let done = 0; done < count; done += MAX_SECTORS) {
        const n = Math.min(MAX_SECTORS, count - done);
        await request(BlkOp.WRITE, sector + done, n, () => { sandbox.copyIn(window, data.subarray(done * SECTOR_SIZE, (done + n) * SECTOR_SIZE)); });
      }
    },

    async flush(): Promise<void> {
      await request(BlkOp.FLUSH, 0, 0);
    },
  };
}

// The host filesystem device model: takes encoded node requests from the slots,
// has the host's backend (hosts/node/hostfs-backend.ts) carry them out, writes the
// encoded reply or an errno back, and raises the interrupt.

import {
  DEV_IRQ, BlkSlotState, HOSTFS_SLOTS, HOSTFS_SLOTS_OFFSET, HOSTFS_SLOT_BYTES, HOSTFS_DATA_OFFSET, HOSTFS_SLOT_DATA_BYTES,
  HOSTFS_MEMORY_BYTES,
} from '../abi/device.js';
import { Errno, isKernelError } from '../abi/errno.js';
import { encode, decode } from '../lib/codec.js';

/** Carries out one request on the host; throws KernelError for an errno. */
export type HostFsBackend = (op: string, mount: number, args: Record<string, unknown>) => unknown;

export class HostFsDeviceModel {
  readonly memory = new SharedArrayBuffer(HOSTFS_MEMORY_BYTES);
  private readonly words = new Int32Array(this.memory, 0, 16);
  private readonly bytes = new Uint8Array(this.memory);

  constructor(private readonly backend: HostFsBackend) {}

  service(): number {
    let done = 0;
    for (let i = 0; i < HOSTFS_SLOTS; i++) {
      const slot = new Int32Array(this.memory, HOSTFS_SLOTS_OFFSET + i * HOSTFS_SLOT_BYTES, 4);
      if (Atomics.load(slot, 0) !== BlkSlotState.SUBMITTED) continue;
      const window = this.bytes.subarray(HOSTFS_DATA_OFFSET + i * HOSTFS_SLOT_DATA_BYTES, HOSTFS_DATA_OFFSET + (i + 1) * HOSTFS_SLOT_DATA_BYTES);
      let errno = 0;
      let reply: Uint8Array = new Uint8Array(0);
      try {
        const length = slot[1]!;
        if (length < 0 || length > window.length) throw new RangeError('bad request length');
        const req = decode(window.slice(0, length)) as { op?: unknown; mount?: unknown; args?: unknown };
        if (typeof req !== 'object' || req === null || typeof req.op !== 'string' || typeof req.mount !== 'number' || typeof req.args !== 'object' || req.args === null) throw new RangeError('malformed request');
        reply = encode(this.backend(req.op, req.mount, req.args as Record<string, unknown>) ?? null);
        if (reply.length > window.length) { errno = Errno.EOVERFLOW; reply = new Uint8Array(0); }
      } catch (e) {
        errno = isKernelError(e) ? e.errno : Errno.EIO;
      }
      window.set(reply);
      slot[2] = reply.length;
      slot[3] = errno;
      Atomics.store(slot, 0, BlkSlotState.DONE);
      done++;
    }
    if (done > 0) {
      Atomics.add(this.words, DEV_IRQ, 1);
      Atomics.notify(this.words, DEV_IRQ);
    }
    return done;
  }
}

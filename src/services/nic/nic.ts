// nic: the driver for the virtual network device (abi/device.ts, hw/nic-device.ts).
// Transmit: a frame is checked, staged through a bounce buffer in the component's
// arena (kernel memory under `monolithic`, as a C driver's DMA buffer would be),
// copied into the next transmit slot, published, and the doorbell rung (once per tick
// however many frames were queued in it). `transmitMany` takes a batch in one call
// (one message when the driver is a server), which is how the stack sends. Receive: one interrupt loop wakes the
// callers blocked in `receive`, which copy frames out of the receive ring and free
// their slots. One receive is parked at a time: a new one ends the one before (the
// caller of that one died with its net instance).
//
// The ring indices live in the device's memory, not here, so a restarted driver
// (fault nic crash) picks the rings up where the last one left them: frames the device
// had already received wait for the new driver; a transmit call that was in flight
// when the old one died is lost (the caller's TCP retransmits it).
// The stack reaches this driver through services/net/nic-link.ts. A machine with a
// second network device (a bridge, services/bridge/) runs this driver twice: `nic` on
// eth0 and `nic1` on eth1 (nic1.ts), each with its own device and placement.
//
// XDP: while the kernel has a program on eth0 it sets the device's XDP word; received
// frames then go through the kernel call `xdp` before `receive` returns them (the
// driver's receive path, where Linux runs native XDP; here it works wherever the driver
// is placed: a direct call in the kernel domain, a message from a user-domain server).
// Frames the program sends back (XDP_TX) are transmitted from here.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { NicService, NicInfo } from '../../abi/services.js';
import { KernelError, Errno } from '../../abi/errno.js';
import {
  NIC_MTU, NicCounter, NIC_RX_PRODUCED, NIC_RX_CONSUMED, NIC_TX_PRODUCED, NIC_TX_CONSUMED, NIC_SLOTS, NIC_SLOT_BYTES,
  NIC_MIN_FRAME, NIC_MAX_FRAME, NIC_RX_OFFSET, NIC_TX_OFFSET, NIC_XDP, nicMac, nicCounters,
} from '../../abi/device.js';
import { formatMac } from '../net/wire/ethernet.js';

export const manifest: Manifest = {
  name: 'nic',
  description: 'network device driver (eth0)',
  uses: ['kernel.xdp'],
  device: 'nic',
};

/** Most frames one receive() returns. */
const MAX_BATCH = 64;

export function create(ctx: ComponentContext): ComponentInstance & NicService {
  return createDriver(ctx, 'nic', 'eth0');
}

/** The driver of device `kind`, named `ifname` in its log lines. */
export function createDriver(ctx: ComponentContext, kind: 'nic' | 'nic1', ifname: string): ComponentInstance & NicService {
  const device = ctx.device;
  if (device === undefined || device.kind !== kind) throw new KernelError(Errno.ENODEV, `${ctx.name}: no network device bound`);
  const words = new Int32Array(device.memory, 0, 32);
  const bytes = new Uint8Array(device.memory);
  const view = new DataView(device.memory);
  const bounce = ctx.arena.alloc(ctx.name, NIC_SLOT_BYTES, 'transmit bounce buffer');
  const receivers: (() => void)[] = [];
  // The generation of receive calls: a new call ends every call parked before it (they
  // return no frames). The stack keeps one receive parked at a time, so a call still
  // parked when another comes belongs to a net instance that died (its reply would go
  // to a channel nobody reads): left parked, it would take the next frames with it.
  let receiveGeneration = 0;
  let running = true;
  let bellQueued = false;
  const ring = (): void => {
    if (bellQueued) return;
    bellQueued = true;
    // NOTE: a resolved promise, not queueMicrotask (Node wraps each of those in an AsyncResource).
    void Promise.resolve().then(() => { bellQueued = false; device.notify(); });
  };

  const pendingReceive = (): number => {
    const n = (Atomics.load(words, NIC_RX_PRODUCED) - Atomics.load(words, NIC_RX_CONSUMED)) | 0;
    return n < 0 || n > NIC_SLOTS ? NIC_SLOTS : n;
  };

  async function interruptLoop(): Promise<void> {
    while (running) {
      await device!.interrupt();
      if (pendingReceive() > 0) for (const wake of receivers.splice(0)) wake();
    }
  }

  // Takes up to `max` frames out of the receive ring (caller: there is at least one).
  // NOTE: the batch is copied into one buffer and each frame is a view of it: one
  // allocation per batch instead of one per frame (per-frame buffers kept the garbage
  // collector busy for a fifth of the kernel thread). Whoever keeps a frame's bytes
  // past the call copies them (the stack does: receive queues, reassembly, datagrams).
  function take(max: number): Uint8Array[] {
    let consumed = Atomics.load(words, NIC_RX_CONSUMED);
    const produced = Atomics.load(words, NIC_RX_PRODUCED);
    let pending = (produced - consumed) | 0;
    if (pending < 0 || pending > NIC_SLOTS) { consumed = produced; pending = 0; }
    const count = Math.min(max, pending);
    const slots: number[] = [];
    let total = 0;
    for (let i = 0; i < count; i++) {
      const at = NIC_RX_OFFSET + (((consumed + i) >>> 0) % NIC_SLOTS) * NIC_SLOT_BYTES;
      const length = view.getInt32(at, true);
      // A length outside the frame sizes (a wild write by the device's side) skips the slot.
      // Each frame starts 8-aligned in the batch (the stack sums checksums by words of aligned views).
      if (length >= NIC_MIN_FRAME && length <= NIC_MAX_FRAME) { slots.push(at, length); total += (length + 7) & ~7; }
    }
    const batch = new Uint8Array(total);
    const out: Uint8Array[] = [];
    for (let i = 0, into = 0; i < slots.length; i += 2) {
      const at = slots[i]!, length = slots[i + 1]!;
      batch.set(bytes.subarray(at + 4, at + 4 + length), into);
      out.push(batch.subarray(into, into + length));
      into += (length + 7) & ~7;
    }
    Atomics.store(words, NIC_RX_CONSUMED, (consumed + count) | 0);
    return out;
  }

  return {
    async init(): Promise<void> {
      void interruptLoop();
      ctx.log(`${ifname}: ${formatMac(nicMac(words))} mtu ${Atomics.load(words, NIC_MTU)}, ${NIC_SLOTS} receive and ${NIC_SLOTS} transmit slots`);
    },
    async shutdown(): Promise<void> {
      running = false;
      for (const wake of receivers.splice(0)) wake();
    },

    async info(): Promise<NicInfo> {
      return { mac: nicMac(words), mtu: Atomics.load(words, NIC_MTU), counters: nicCounters(words) };
    },

    async transmit(frame: Uint8Array): Promise<boolean> {
      return send(frame);
    },

    async transmitMany(frames: Uint8Array[]): Promise<number> {
      // Every frame is checked before any is queued: a bad one refuses the call whole.
      if (!Array.isArray(frames)) throw new KernelError(Errno.EINVAL, `${ctx.name}: transmitMany needs a list of frames`);
      for (const f of frames) if (!frameOk(f)) return refuse();
      let queued = 0;
      for (const f of frames) if (send(f)) queued++;
      return queued;
    },

    async receive(max: number): Promise<Uint8Array[]> {
      if (!Number.isInteger(max) || max < 1) throw new KernelError(Errno.EINVAL, `${ctx.name}: receive needs max >= 1`);
      const mine = ++receiveGeneration;
      for (const wake of receivers.splice(0)) wake();
      for (;;) {
        if (!running) throw new KernelError(Errno.ENODEV, `${ctx.name}: driver stopped`);
        if (mine !== receiveGeneration) return [];
        if (pendingReceive() > 0) {
          let frames = take(Math.min(max, MAX_BATCH));
          if (frames.length > 0 && Atomics.load(words, NIC_XDP) !== 0) {
            // NOTE: await; the kernel runs eth0's XDP program on the batch.
            const verdict = await ctx.kernel.xdp(frames);
            for (const f of verdict.tx) if (f.length >= NIC_MIN_FRAME && f.length <= NIC_MAX_FRAME) send(f);
            frames = verdict.pass;
          }
          if (frames.length > 0) return frames;
          continue;
        }
        // NOTE: await; other receive and transmit calls run while this one sleeps.
        await new Promise<void>((wake) => receivers.push(wake));
      }
    },
  };

  function frameOk(frame: unknown): frame is Uint8Array {
    return frame instanceof Uint8Array && frame.length >= NIC_MIN_FRAME && frame.length <= NIC_MAX_FRAME;
  }

  function refuse(): never {
    Atomics.add(words, NicCounter.TX_DROPPED_BAD, 1);
    throw new KernelError(Errno.EINVAL, `${ctx.name}: a frame has ${NIC_MIN_FRAME}..${NIC_MAX_FRAME} bytes`);
  }

  function send(frame: Uint8Array): boolean {
    if (!frameOk(frame)) refuse();
    const produced = Atomics.load(words, NIC_TX_PRODUCED);
    const used = (produced - Atomics.load(words, NIC_TX_CONSUMED)) | 0;
    if (used < 0 || used >= NIC_SLOTS) { Atomics.add(words, NicCounter.TX_DROPPED_FULL, 1); ring(); return false; }
    const at = NIC_TX_OFFSET + ((produced >>> 0) % NIC_SLOTS) * NIC_SLOT_BYTES;
    bounce.bytes.set(frame);
    bytes.set(bounce.bytes.subarray(0, frame.length), at + 4);
    view.setInt32(at, frame.length, true);
    Atomics.store(words, NIC_TX_PRODUCED, (produced + 1) | 0);
    ring();
    return true;
  }
}

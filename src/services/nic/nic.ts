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
// Segmentation offload (abi/device.ts): `offload(wanted)` accepts the device's features
// the caller asks for (the stack asks for NIC_F_TSO | NIC_F_GRO unless told not to; a
// caller that never asks, the bridge, sees only real frames). With NIC_F_TSO,
// `transmitMany(frames, mss)` takes large TCP segments, each with its mss; one that is
// not a well-formed large segment (lib/gso.ts gsoShape) refuses the call, counted in
// TX_GSO_BAD. With NIC_F_GRO, `receive` may return large segments; while an XDP program
// is attached they are cut into their frames first (XDP sees what the wire carried).
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
  NIC_MIN_FRAME, NIC_MAX_FRAME, NIC_RX_OFFSET, NIC_TX_OFFSET, NIC_XDP, NIC_FEATURES, NIC_DRIVER_FEATURES, NIC_F_TSO, NIC_F_GRO,
  NIC_MAX_GSO_FRAME, nicGsoSlots, nicRunRead, nicRunWrite, nicMac, nicCounters,
} from '../../abi/device.js';
import { formatMac } from '../net/wire/ethernet.js';
import { gsoShape, wireFrames } from '../../lib/gso.js';

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
  const accepted = (): number => Atomics.load(words, NIC_DRIVER_FEATURES) & Atomics.load(words, NIC_FEATURES);
  // The bounce buffer for large segments, allocated when NIC_F_TSO is accepted. The
  // accepted features live in the device, so a driver restarted after a crash finds
  // TSO still on (the stack goes on sending large segments): it takes its buffer now.
  let bigBounce: Uint8Array | undefined = (accepted() & NIC_F_TSO) !== 0 ? bigBounceBuffer() : undefined;
  function bigBounceBuffer(): Uint8Array | undefined {
    try { return ctx.arena.alloc(ctx.name, NIC_MAX_GSO_FRAME, 'transmit bounce buffer (large segments)').bytes; } catch {
      // No room: TSO off in the device, so large segments are refused (EINVAL) instead of faulting.
      Atomics.and(words, NIC_DRIVER_FEATURES, ~NIC_F_TSO);
      return undefined;
    }
  }
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
    const slots: number[] = [];
    let total = 0, used = 0;
    const gro = (accepted() & NIC_F_GRO) !== 0;
    for (let frames = 0; used < pending && frames < max; frames++) {
      const slot = (consumed + used) >>> 0;
      const at = NIC_RX_OFFSET + (slot % NIC_SLOTS) * NIC_SLOT_BYTES;
      const length = view.getInt32(at, true);
      // A length outside the frame sizes (a wild write by the device's side) skips the slot;
      // a large segment takes its run of slots (delivered when NIC_F_GRO is accepted), or the rest of the ring if it claims more.
      // Each frame starts 8-aligned in the batch (the stack sums checksums by words of aligned views).
      if (length >= NIC_MIN_FRAME && length <= NIC_MAX_FRAME) { slots.push(slot, length, 4); total += (length + 7) & ~7; used++; continue; }
      // NOTE: a run is skipped whole even when GRO was given up since it was queued, so its bytes are never read as frames.
      const run = length > NIC_MAX_FRAME && length <= NIC_MAX_GSO_FRAME ? nicGsoSlots(length) : 1;
      if (gro && run > 1 && run <= pending - used) { slots.push(slot, length, 8); total += (length + 7) & ~7; }
      used += Math.min(run, pending - used);
    }
    const batch = new Uint8Array(total);
    const out: Uint8Array[] = [];
    for (let i = 0, into = 0; i < slots.length; i += 3) {
      const slot = slots[i]!, length = slots[i + 1]!, from = slots[i + 2]!;
      nicRunRead(bytes, NIC_RX_OFFSET, slot, from, length, batch, into);
      out.push(batch.subarray(into, into + length));
      into += (length + 7) & ~7;
    }
    Atomics.store(words, NIC_RX_CONSUMED, (consumed + used) | 0);
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

    async transmitMany(frames: Uint8Array[], mss?: number[]): Promise<number> {
      // Every frame is checked before any is queued: a bad one refuses the call whole.
      if (!Array.isArray(frames)) throw new KernelError(Errno.EINVAL, `${ctx.name}: transmitMany needs a list of frames`);
      if (mss !== undefined && (!Array.isArray(mss) || mss.length !== frames.length)) throw new KernelError(Errno.EINVAL, `${ctx.name}: transmitMany needs one mss per frame`);
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i], m = mss?.[i] ?? 0;
        if (m === 0 ? !frameOk(f) : !largeOk(f, m)) return m === 0 ? refuse() : refuseLarge();
      }
      let queued = 0;
      for (let i = 0; i < frames.length; i++) if (send(frames[i]!, mss?.[i] ?? 0)) queued++;
      return queued;
    },

    async offload(wanted: number): Promise<number> {
      if (!Number.isInteger(wanted) || wanted < 0) throw new KernelError(Errno.EINVAL, `${ctx.name}: offload takes feature bits`);
      let features = wanted & Atomics.load(words, NIC_FEATURES) & (NIC_F_TSO | NIC_F_GRO);
      if ((features & NIC_F_TSO) !== 0 && bigBounce === undefined) {
        bigBounce = bigBounceBuffer();
        if (bigBounce === undefined) features &= ~NIC_F_TSO;
      }
      Atomics.store(words, NIC_DRIVER_FEATURES, features);
      ctx.log(`${ifname}: offload ${(features & NIC_F_TSO) !== 0 ? 'tso' : '-tso'} ${(features & NIC_F_GRO) !== 0 ? 'gro' : '-gro'}`);
      return features;
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
            if (frames.some((f) => f.length > NIC_MAX_FRAME)) frames = frames.flatMap((f) => wireFrames(f, groMss(f), Atomics.load(words, NIC_MTU)));
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

  // The mss a large received segment was cut with is not kept past the ring: XDP's
  // frames are cut at the largest the MTU allows for the segment's headers.
  function groMss(f: Uint8Array): number {
    if (f.length <= NIC_MAX_FRAME) return 0;
    const ip = (f[14]! & 0x0f) * 4, tcp = ((f[14 + ip + 12] ?? 0) >> 4) * 4;
    return Atomics.load(words, NIC_MTU) - ip - tcp;
  }

  function largeOk(frame: unknown, mss: number): frame is Uint8Array {
    return (accepted() & NIC_F_TSO) !== 0 && frame instanceof Uint8Array && gsoShape(frame, mss, Atomics.load(words, NIC_MTU)) !== undefined;
  }

  function refuseLarge(): never {
    Atomics.add(words, NicCounter.TX_DROPPED_BAD, 1);
    Atomics.add(words, NicCounter.TX_GSO_BAD, 1);
    throw new KernelError(Errno.EINVAL, `${ctx.name}: a large segment needs offload accepted, an IPv4/TCP frame of at most ${NIC_MAX_GSO_FRAME} bytes and an mss its frames fit`);
  }

  function refuse(): never {
    Atomics.add(words, NicCounter.TX_DROPPED_BAD, 1);
    throw new KernelError(Errno.EINVAL, `${ctx.name}: a frame has ${NIC_MIN_FRAME}..${NIC_MAX_FRAME} bytes`);
  }

  function send(frame: Uint8Array, mss = 0): boolean {
    if (mss !== 0) {
      if (!largeOk(frame, mss)) refuseLarge();
      return sendLarge(frame, mss);
    }
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

  // A large segment: its descriptor (length, mss) and bytes in a run of slots, published at once.
  function sendLarge(frame: Uint8Array, mss: number): boolean {
    const produced = Atomics.load(words, NIC_TX_PRODUCED);
    const used = (produced - Atomics.load(words, NIC_TX_CONSUMED)) | 0;
    const slots = nicGsoSlots(frame.length);
    if (used < 0 || used + slots > NIC_SLOTS) { Atomics.add(words, NicCounter.TX_DROPPED_FULL, 1); ring(); return false; }
    const at = NIC_TX_OFFSET + ((produced >>> 0) % NIC_SLOTS) * NIC_SLOT_BYTES;
    const staged = bigBounce!.subarray(0, frame.length);
    staged.set(frame);
    nicRunWrite(bytes, NIC_TX_OFFSET, produced >>> 0, 8, staged);
    view.setInt32(at + 4, mss, true);
    view.setInt32(at, frame.length, true);
    Atomics.store(words, NIC_TX_PRODUCED, (produced + slots) | 0);
    ring();
    return true;
  }
}

// The network device model, the host's side of abi/device.ts's NIC: `deliver` puts a
// frame arriving from the back end (a switch, a TAP device, the user-mode gateway) into
// the receive ring and raises the interrupt; `service` takes what the driver queued in
// the transmit ring and hands each frame to `onTransmit`. Both check every length they
// read or are given: a frame too short or too long is dropped and counted, never
// copied; a full receive ring drops the frame and counts it (the rings are all the
// memory a guest or a peer can fill). The host runs `service()` on the doorbell.
//
// Segmentation offload (abi/device.ts): the device offers NIC_F_TSO and NIC_F_GRO
// unless built with `offload: false`. A large segment the driver queued goes to
// `onTransmitGso` whole when the cable carries it so (the in-process cable between
// two machines, frame-port.ts portPair; a switch, through the pipe to a confined
// machine: frame-port.ts streamPort) and the peer's device then takes it whole
// only if its driver accepted NIC_F_GRO; everywhere else — a back end that carries
// real frames, a pcap or impairment stage in the chain, a peer without GRO — the
// device cuts it into <= MTU frames first (lib/gso.ts). The counters count wire
// frames and bytes either way, so `ip -s` and a capture agree.

import {
  DEV_IRQ, NIC_MAC_HI, NIC_MAC_LO, NIC_MTU, NIC_LINK, NicCounter, NIC_RX_PRODUCED, NIC_RX_CONSUMED, NIC_TX_PRODUCED,
  NIC_TX_CONSUMED, NIC_SLOTS, NIC_SLOT_BYTES, NIC_MIN_FRAME, NIC_MAX_FRAME, NIC_DEFAULT_MTU, NIC_RX_OFFSET, NIC_TX_OFFSET,
  NIC_MEMORY_BYTES, NIC_FEATURES, NIC_DRIVER_FEATURES, NIC_F_TSO, NIC_F_GRO, NIC_MAX_GSO_FRAME, nicGsoSlots, nicRunRead, nicRunWrite,
  nicMac, nicCounters, type NicCounters,
} from '../abi/device.js';
import { gsoShape, gsoSegment, type GsoShape } from '../lib/gso.js';

export class NicDeviceModel {
  readonly memory = new SharedArrayBuffer(NIC_MEMORY_BYTES);
  private readonly words = new Int32Array(this.memory, 0, 32);
  private readonly bytes = new Uint8Array(this.memory);
  /** Where transmitted frames go (the back end); set by whoever wires the NIC. */
  onTransmit: (frame: Uint8Array) => void = () => {};
  /**
   * Where a large segment goes whole, when the cable carries it so; false: it did not
   * (the device then sends its frames through onTransmit). Unset: never whole.
   */
  onTransmitGso: ((frame: Uint8Array, mss: number) => boolean) | undefined;

  constructor(mac: Uint8Array, mtu = NIC_DEFAULT_MTU, options: { offload?: boolean } = {}) {
    if (mac.length !== 6) throw new Error('nic: a MAC address has 6 bytes');
    this.words[NIC_MAC_HI] = (mac[0]! << 24) | (mac[1]! << 16) | (mac[2]! << 8) | mac[3]!;
    this.words[NIC_MAC_LO] = (mac[4]! << 8) | mac[5]!;
    this.words[NIC_MTU] = mtu;
    this.words[NIC_LINK] = 1;
    this.words[NIC_FEATURES] = options.offload === false ? 0 : NIC_F_TSO | NIC_F_GRO;
  }

  /** The features both the device offers and the driver accepted. */
  private accepted(): number {
    return Atomics.load(this.words, NIC_FEATURES) & Atomics.load(this.words, NIC_DRIVER_FEATURES);
  }

  get mac(): Uint8Array { return nicMac(this.words); }
  counters(): NicCounters { return nicCounters(this.words); }

  /**
   * A frame from the wire for the guest; false when it was dropped (malformed, or the
   * ring is full). The interrupt is raised once at the end of the current turn for
   * every frame delivered in it (interrupt coalescing, as NICs moderate theirs): a
   * burst the peer's device hands over in one `service()` wakes the driver once.
   */
  deliver(frame: Uint8Array): boolean {
    if (!this.receiveOne(frame)) return false;
    this.queueIrq();
    return true;
  }

  private irqQueued = false;

  private raise(): void {
    Atomics.add(this.words, DEV_IRQ, 1);
    Atomics.notify(this.words, DEV_IRQ);
  }

  /** Several frames, one interrupt; how many went into the ring. */
  deliverAll(frames: readonly Uint8Array[]): number {
    let n = 0;
    for (const f of frames) if (this.receiveOne(f)) n++;
    if (n > 0) this.raise();
    return n;
  }

  /**
   * A large segment from the cable (another device's onTransmitGso): into the receive
   * ring whole when the driver accepted NIC_F_GRO, else as the frames it stands for.
   * False when it was dropped (malformed, or no room for it).
   */
  deliverGso(frame: Uint8Array, mss: number): boolean {
    const mtu = Atomics.load(this.words, NIC_MTU);
    const shape = gsoShape(frame, mss, mtu);
    if (shape === undefined) { Atomics.add(this.words, NicCounter.RX_DROPPED_BAD, 1); return false; }
    if ((this.accepted() & NIC_F_GRO) === 0) {
      let n = 0;
      for (const f of gsoSegment(frame, mss, shape)) if (this.receiveOne(f)) n++;
      if (n > 0) this.queueIrq();
      return n > 0;
    }
    const produced = Atomics.load(this.words, NIC_RX_PRODUCED);
    const used = (produced - Atomics.load(this.words, NIC_RX_CONSUMED)) | 0;
    const slots = nicGsoSlots(frame.length);
    if (used < 0 || used + slots > NIC_SLOTS) { Atomics.add(this.words, NicCounter.RX_DROPPED_FULL, 1); return false; }
    const at = NIC_RX_OFFSET + ((produced >>> 0) % NIC_SLOTS) * NIC_SLOT_BYTES;
    const dv = new DataView(this.memory, at, 8);
    dv.setInt32(0, frame.length, true);
    dv.setInt32(4, mss, true);
    nicRunWrite(this.bytes, NIC_RX_OFFSET, produced >>> 0, 8, frame);
    Atomics.store(this.words, NIC_RX_PRODUCED, (produced + slots) | 0);
    this.countWire(NicCounter.RX_FRAMES, NicCounter.RX_BYTES, frame.length, mss, shape);
    this.queueIrq();
    return true;
  }

  private queueIrq(): void {
    if (this.irqQueued) return;
    // NOTE: a resolved promise, not queueMicrotask (Node wraps each of those in an AsyncResource).
    this.irqQueued = true;
    void Promise.resolve().then(() => { this.irqQueued = false; this.raise(); });
  }

  /** Counts a large segment as the wire frames and bytes it stands for. */
  private countWire(frames: number, bytes: number, length: number, mss: number, shape: GsoShape): void {
    const n = Math.ceil((length - shape.headers) / mss);
    Atomics.add(this.words, frames, n);
    Atomics.add(this.words, bytes, length + (n - 1) * shape.headers);
  }

  private receiveOne(frame: Uint8Array): boolean {
    if (frame.length < NIC_MIN_FRAME || frame.length > NIC_MAX_FRAME) { Atomics.add(this.words, NicCounter.RX_DROPPED_BAD, 1); return false; }
    const produced = Atomics.load(this.words, NIC_RX_PRODUCED);
    const consumed = Atomics.load(this.words, NIC_RX_CONSUMED);
    // NOTE: `consumed` is the driver's word: a driver that wrote nonsense there cannot
    // make the device write outside the ring (the slot index is taken modulo the size)
    // nor hold more than NIC_SLOTS frames.
    const used = (produced - consumed) | 0;
    if (used < 0 || used >= NIC_SLOTS) { Atomics.add(this.words, NicCounter.RX_DROPPED_FULL, 1); return false; }
    const at = NIC_RX_OFFSET + ((produced >>> 0) % NIC_SLOTS) * NIC_SLOT_BYTES;
    new DataView(this.memory, at, 4).setInt32(0, frame.length, true);
    this.bytes.set(frame, at + 4);
    Atomics.store(this.words, NIC_RX_PRODUCED, (produced + 1) | 0);
    Atomics.add(this.words, NicCounter.RX_FRAMES, 1);
    Atomics.add(this.words, NicCounter.RX_BYTES, frame.length);
    return true;
  }

  /** Sends every frame the driver queued; returns how many were taken from the ring. */
  service(): number {
    let consumed = Atomics.load(this.words, NIC_TX_CONSUMED);
    const produced = Atomics.load(this.words, NIC_TX_PRODUCED);
    let pending = (produced - consumed) | 0;
    // A driver that published more than the ring holds (a wild write): take one ring's worth.
    if (pending < 0 || pending > NIC_SLOTS) { pending = 0; consumed = produced; Atomics.add(this.words, NicCounter.TX_DROPPED_BAD, 1); }
    let taken = 0;
    for (; taken < pending; taken++) {
      const at = NIC_TX_OFFSET + ((consumed >>> 0) % NIC_SLOTS) * NIC_SLOT_BYTES;
      const length = new DataView(this.memory, at, 4).getInt32(0, true);
      if (length > NIC_MAX_FRAME) {
        // A large segment's descriptor: its run of slots is consumed whole, good or bad.
        const slots = length <= NIC_MAX_GSO_FRAME ? nicGsoSlots(length) : 1;
        const mss = new DataView(this.memory, at + 4, 4).getInt32(0, true);
        let frame: Uint8Array | undefined;
        let shape: GsoShape | undefined;
        if ((this.accepted() & NIC_F_TSO) !== 0 && length <= NIC_MAX_GSO_FRAME && slots <= pending - taken) {
          frame = new Uint8Array(length);
          nicRunRead(this.bytes, NIC_TX_OFFSET, consumed >>> 0, 8, length, frame, 0);
          shape = gsoShape(frame, mss, Atomics.load(this.words, NIC_MTU));
        }
        const run = Math.min(slots, pending - taken);
        consumed = (consumed + run) | 0;
        taken += run - 1;
        Atomics.store(this.words, NIC_TX_CONSUMED, consumed);
        if (frame === undefined || shape === undefined) {
          Atomics.add(this.words, NicCounter.TX_DROPPED_BAD, 1);
          Atomics.add(this.words, NicCounter.TX_GSO_BAD, 1);
          continue;
        }
        this.countWire(NicCounter.TX_FRAMES, NicCounter.TX_BYTES, length, mss, shape);
        if (this.onTransmitGso?.(frame, mss) !== true) for (const f of gsoSegment(frame, mss, shape)) this.onTransmit(f);
        continue;
      }
      // The copy is the device's DMA read: the frame leaves guest memory here.
      const frame = length >= NIC_MIN_FRAME && length <= NIC_MAX_FRAME ? this.bytes.slice(at + 4, at + 4 + length) : undefined;
      consumed = (consumed + 1) | 0;
      Atomics.store(this.words, NIC_TX_CONSUMED, consumed);
      if (frame === undefined) { Atomics.add(this.words, NicCounter.TX_DROPPED_BAD, 1); continue; }
      Atomics.add(this.words, NicCounter.TX_FRAMES, 1);
      Atomics.add(this.words, NicCounter.TX_BYTES, frame.length);
      this.onTransmit(frame);
    }
    if (pending === 0) Atomics.store(this.words, NIC_TX_CONSUMED, consumed);
    return taken;
  }
}

/**
 * A locally administered unicast MAC address derived from `seed` (a machine's name):
 * the same name gives the same address on every host, two names almost surely differ.
 * The first byte has bit 1 set (locally administered) and bit 0 clear (unicast).
 */
export function macFromSeed(seed: string): Uint8Array {
  // FNV-1a, twice with different offsets, for 48 bits.
  const hash = (basis: number): number => {
    let h = basis >>> 0;
    for (let i = 0; i < seed.length; i++) { h ^= seed.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h;
  };
  const a = hash(0x811c9dc5), b = hash(0x050c5d1f);
  return Uint8Array.of(((a >>> 24) & 0xfc) | 0x02, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, (b >>> 8) & 0xff, b & 0xff);
}

/** Parses "aa:bb:cc:dd:ee:ff"; undefined unless it is six hex pairs naming a unicast address. */
export function parseMac(text: string): Uint8Array | undefined {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(text);
  if (m === null) return undefined;
  const mac = Uint8Array.from(m.slice(1, 7).map((h) => parseInt(h, 16)));
  return (mac[0]! & 1) === 0 ? mac : undefined;
}

// The network device model, the host's side of abi/device.ts's NIC: `deliver` puts a
// frame arriving from the back end (a switch, a TAP device, the user-mode gateway) into
// the receive ring and raises the interrupt; `service` takes what the driver queued in
// the transmit ring and hands each frame to `onTransmit`. Both check every length they
// read or are given: a frame too short or too long is dropped and counted, never
// copied; a full receive ring drops the frame and counts it (the rings are all the
// memory a guest or a peer can fill). The host runs `service()` on the doorbell.

import {
  DEV_IRQ, NIC_MAC_HI, NIC_MAC_LO, NIC_MTU, NIC_LINK, NicCounter, NIC_RX_PRODUCED, NIC_RX_CONSUMED, NIC_TX_PRODUCED,
  NIC_TX_CONSUMED, NIC_SLOTS, NIC_SLOT_BYTES, NIC_MIN_FRAME, NIC_MAX_FRAME, NIC_DEFAULT_MTU, NIC_RX_OFFSET, NIC_TX_OFFSET,
  NIC_MEMORY_BYTES, nicMac, nicCounters, type NicCounters,
} from '../abi/device.js';

export class NicDeviceModel {
  readonly memory = new SharedArrayBuffer(NIC_MEMORY_BYTES);
  private readonly words = new Int32Array(this.memory, 0, 32);
  private readonly bytes = new Uint8Array(this.memory);
  /** Where transmitted frames go (the back end); set by whoever wires the NIC. */
  onTransmit: (frame: Uint8Array) => void = () => {};

  constructor(mac: Uint8Array, mtu = NIC_DEFAULT_MTU) {
    if (mac.length !== 6) throw new Error('nic: a MAC address has 6 bytes');
    this.words[NIC_MAC_HI] = (mac[0]! << 24) | (mac[1]! << 16) | (mac[2]! << 8) | mac[3]!;
    this.words[NIC_MAC_LO] = (mac[4]! << 8) | mac[5]!;
    this.words[NIC_MTU] = mtu;
    this.words[NIC_LINK] = 1;
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
    if (!this.irqQueued) {
      this.irqQueued = true;
      // NOTE: a resolved promise, not queueMicrotask (Node wraps each of those in an AsyncResource).
      void Promise.resolve().then(() => { this.irqQueued = false; this.raise(); });
    }
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

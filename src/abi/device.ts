// The hardware contract: register and queue layouts of kernelkit's virtual devices,
// shared by the drivers (services/blk, services/console) and the device models the
// host runs (hw/). Like a virtio spec: drivers and devices meet only here.
//
// Every device's memory starts with Int32 words:
//   [0] doorbell   driver -> device: bumped after queueing work
//   [1] irq        device -> driver: bumped after completing work (the interrupt)

import { MAX_FRAME, GSO_MAX_FRAME, GSO_MSS_MIN } from '../lib/gso.js';

export const DEV_DOORBELL = 0;
export const DEV_IRQ = 1;

// ---- block device -------------------------------------------------------------------
// Int32 [2] capacity in sectors (low 31 bits) [3] capacity high part (x 2^31)
//       [4] power: 0 on, 1 lost (every request then fails with EIO)
// Request slots at BLK_SLOTS_OFFSET, BLK_SLOT_BYTES each:
//       Int32 [0] state  FREE -> SUBMITTED (driver) -> DONE (device) -> FREE (driver)
//             [1] op     BlkOp
//             [2] count  sectors
//             [3] status 0 or an errno
//       Float64 at byte 16: first sector
// Data for slot i at BLK_DATA_OFFSET + i * BLK_SLOT_DATA_BYTES.

export const BlkOp = { READ: 1, WRITE: 2, FLUSH: 3 } as const;
export const BlkSlotState = { FREE: 0, SUBMITTED: 1, DONE: 2 } as const;
export const BLK_CAPACITY_LO = 2;
export const BLK_CAPACITY_HI = 3;
export const BLK_POWER = 4;
export const BLK_SLOTS = 16;
export const BLK_SLOTS_OFFSET = 64;
export const BLK_SLOT_BYTES = 32;
export const BLK_DATA_OFFSET = 1024;
export const BLK_SLOT_DATA_BYTES = 64 * 1024;
export const BLK_MEMORY_BYTES = BLK_DATA_OFFSET + BLK_SLOTS * BLK_SLOT_DATA_BYTES;

export function blkCapacitySectors(words: Int32Array): number {
  return Atomics.load(words, BLK_CAPACITY_HI) * 0x80000000 + Atomics.load(words, BLK_CAPACITY_LO);
}

// ---- console device -----------------------------------------------------------------
// Int32 [2] input closed (host saw end of input)  [3] host terminal is a TTY (1/0)
//       [4] window size, rows << 16 | columns (the host's terminal; 0 = unknown)
// Byte rings (lib/ring ByteRing): input (host -> driver), output, error output.

export const CON_INPUT_CLOSED = 2;
export const CON_IS_TTY = 3;
export const CON_WINDOW_SIZE = 4;
export const CON_INPUT_OFFSET = 64;
export const CON_INPUT_BYTES = 64 * 1024;
export const CON_OUTPUT_OFFSET = CON_INPUT_OFFSET + 8 + CON_INPUT_BYTES;
export const CON_OUTPUT_BYTES = 256 * 1024;
export const CON_ERROR_OFFSET = CON_OUTPUT_OFFSET + 8 + CON_OUTPUT_BYTES;
export const CON_ERROR_BYTES = 64 * 1024;
export const CON_MEMORY_BYTES = CON_ERROR_OFFSET + 8 + CON_ERROR_BYTES;

// ---- host filesystem device (virtio-fs-like) ------------------------------------------
// Shares directories of the host. Requests are encoded with lib/codec ({ op, mount,
// args }) and name nodes, never paths: args.node is an inode the host side holds open
// (the share's root from 'attach', others from 'lookup', 'create', 'mkdir',
// 'symlink'), args.name one plain component in that directory. Answered with an
// encoded value or an errno (ESTALE: the host closed that node; look it up again).
// Slots at HOSTFS_SLOTS_OFFSET, HOSTFS_SLOT_BYTES each:
//       Int32 [0] state  (BlkSlotState values)  [1] request bytes  [2] reply bytes  [3] errno
// Data window for slot i at HOSTFS_DATA_OFFSET + i * HOSTFS_SLOT_DATA_BYTES: the
// request going in, the reply coming back.

export const HOSTFS_SLOTS = 8;
export const HOSTFS_SLOTS_OFFSET = 64;
export const HOSTFS_SLOT_BYTES = 16;
export const HOSTFS_DATA_OFFSET = 1024;
export const HOSTFS_SLOT_DATA_BYTES = 256 * 1024;
export const HOSTFS_MEMORY_BYTES = HOSTFS_DATA_OFFSET + HOSTFS_SLOTS * HOSTFS_SLOT_DATA_BYTES;
/** Largest read or write in one request (leaves room for the encoding). */
export const HOSTFS_MAX_IO = HOSTFS_SLOT_DATA_BYTES - 4096;

export type HostFsOp =
  | 'attach' | 'lookup' | 'getattr' | 'open' | 'release' | 'readdir' | 'read' | 'write' | 'create' | 'mkdir'
  | 'symlink' | 'readlink' | 'link' | 'unlink' | 'rmdir' | 'rename' | 'truncate' | 'chmod' | 'utimes'
  | 'statfs' | 'fsync';

// ---- timer device -------------------------------------------------------------------
// TIMER_SLOTS one-shot alarms. Float64 slot i at TIMER_SLOTS_OFFSET + 8 * i holds a
// deadline in ms on the shared clock (performance.timeOrigin + performance.now(), the
// same in every thread); 0 = unused. The driver writes a deadline and rings; the
// device rings the interrupt once the deadline passed and sets the slot to -1 (fired).

export const TIMER_SLOTS = 64;
export const TIMER_SLOTS_OFFSET = 64;
export const TIMER_MEMORY_BYTES = TIMER_SLOTS_OFFSET + 8 * TIMER_SLOTS;
export const TIMER_FIRED = -1;

/** The clock every thread agrees on (ms): the host's time origin plus its monotonic time. */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}

// ---- network device (virtio-net-like) -------------------------------------------------
// Int32 [2] MAC bytes 0..3 (big-endian)  [3] MAC bytes 4..5 (low 16 bits)
//       [4] MTU (the IP MTU, 1500)        [5] link: 1 up, 0 no back end
//       [6] XDP: 1 while an XDP program is attached to eth0 (the kernel writes it; the
//           driver then hands the frames it receives to the kernel call `xdp`)
//       [7] features the device offers (NIC_F_*, read-only to the driver)
//       counters, each bumped by the side that sees the event (NicCounter, [8]..[15], [21])
//       [16] receive ring: frames the device produced  [17] frames the driver consumed
//       [18] transmit ring: frames the driver produced [19] frames the device consumed
//       [20] features the driver accepted (a subset of [7]; the driver writes it)
// Two single-producer single-consumer rings of NIC_SLOTS frame buffers (virtio's split
// virtqueue reduced to fixed slots): receive (device -> driver) at NIC_RX_OFFSET,
// transmit (driver -> device) at NIC_TX_OFFSET. Slot k of a ring is `produced % NIC_SLOTS`,
// NIC_SLOT_BYTES apart: Int32 frame length, then the frame (Ethernet header + payload,
// no FCS). A producer finding `produced - consumed === NIC_SLOTS` drops the frame and
// counts it: the rings are all the memory a flood can fill. The producer writes the
// slot before it publishes `produced` (Atomics.store); the consumer reads the slot
// before it publishes `consumed`. The device rings the irq after it produced receive
// frames; the driver rings the doorbell after it produced transmit frames.
//
// Segmentation offload (virtio-net's HOST_TSO4 / GUEST_TSO4 and virtio_net_hdr's
// gso_size): with NIC_F_TSO accepted, the driver may queue one IPv4/TCP segment of up
// to NIC_MAX_GSO_FRAME bytes standing for a run of segments of `mss` payload bytes;
// with NIC_F_GRO accepted the device may put such a segment in the receive ring. A
// large frame is a run of consecutive slots: the first slot's length word holds the
// frame's length (> NIC_MAX_FRAME), the next word the mss (NIC_GSO_MSS_MIN..the MTU
// less 40), and the frame's bytes start 8 bytes into the slot and continue through the
// following slots' whole NIC_SLOT_BYTES (wrapping at the ring's end): nicGsoSlots(length)
// slots, all published at once. The frame's IPv4 and TCP headers are whole and its TCP
// checksum covers the whole segment; wherever it becomes wire frames (a peer that did
// not accept NIC_F_GRO, a capture, a back end that carries only real frames) the device
// cuts it into <= MTU frames, each with its own headers and checksums. A descriptor
// that is not that (a length past NIC_MAX_GSO_FRAME, an mss out of range, not IPv4/TCP,
// more slots than were published) is dropped and counted in TX_GSO_BAD.

export const NIC_MAC_HI = 2;
export const NIC_MAC_LO = 3;
export const NIC_MTU = 4;
export const NIC_LINK = 5;
export const NIC_XDP = 6;
export const NicCounter = {
  /** Frames the device put in the receive ring. */
  RX_FRAMES: 8,
  /** Arriving frames dropped because the receive ring was full. */
  RX_DROPPED_FULL: 9,
  /** Arriving frames dropped as malformed (shorter than a header, longer than NIC_MAX_FRAME). */
  RX_DROPPED_BAD: 10,
  /** Frames the device took from the transmit ring and sent. */
  TX_FRAMES: 11,
  /** Frames the driver dropped because the transmit ring was full. */
  TX_DROPPED_FULL: 12,
  /** Frames refused as malformed (by the driver, or by the device reading a bad slot). */
  TX_DROPPED_BAD: 13,
  /** Bytes received (into the ring) and sent. */
  RX_BYTES: 14,
  TX_BYTES: 15,
  /** Large-segment descriptors refused as malformed (by the driver or the device). */
  TX_GSO_BAD: 21,
} as const;
export const NIC_FEATURES = 7;
export const NIC_DRIVER_FEATURES = 20;
/** The device takes large TCP segments in the transmit ring (virtio's HOST_TSO4). */
export const NIC_F_TSO = 1;
/** The driver takes large TCP segments in the receive ring (virtio's GUEST_TSO4). */
export const NIC_F_GRO = 2;
/** Largest frame with offload: an Ethernet header and the largest IPv4 datagram. */
export const NIC_MAX_GSO_FRAME = GSO_MAX_FRAME;
/** Smallest mss a large segment may name (RFC 9293's 536 less room for options). */
export const NIC_GSO_MSS_MIN = GSO_MSS_MIN;
/** Slots a frame of `length` bytes occupies (one for a frame up to NIC_MAX_FRAME). */
export function nicGsoSlots(length: number): number {
  return length <= NIC_MAX_FRAME ? 1 : Math.ceil((8 + length) / NIC_SLOT_BYTES);
}
/** Copies `n` bytes of the slot run starting at slot `slot` (byte `from` into it) of the ring at `ring` into `into`. */
export function nicRunRead(bytes: Uint8Array, ring: number, slot: number, from: number, n: number, into: Uint8Array, at: number): void {
  const start = (slot % NIC_SLOTS) * NIC_SLOT_BYTES + from;
  const ringBytes = NIC_SLOTS * NIC_SLOT_BYTES;
  const first = Math.min(n, ringBytes - start);
  into.set(bytes.subarray(ring + start, ring + start + first), at);
  if (first < n) into.set(bytes.subarray(ring, ring + n - first), at + first);
}
/** Writes `data` into the slot run starting at slot `slot`, byte `from` into it, of the ring at `ring`. */
export function nicRunWrite(bytes: Uint8Array, ring: number, slot: number, from: number, data: Uint8Array): void {
  const start = (slot % NIC_SLOTS) * NIC_SLOT_BYTES + from;
  const ringBytes = NIC_SLOTS * NIC_SLOT_BYTES;
  const first = Math.min(data.length, ringBytes - start);
  bytes.set(data.subarray(0, first), ring + start);
  if (first < data.length) bytes.set(data.subarray(first), ring);
}
export const NIC_RX_PRODUCED = 16;
export const NIC_RX_CONSUMED = 17;
export const NIC_TX_PRODUCED = 18;
export const NIC_TX_CONSUMED = 19;
export const NIC_SLOTS = 1024;
export const NIC_SLOT_BYTES = 2048;
/** Smallest frame: an Ethernet header. */
export const NIC_MIN_FRAME = 14;
/** Largest frame: header + 1500 bytes of payload (no FCS, no VLAN tag). */
export const NIC_MAX_FRAME = MAX_FRAME;
export const NIC_DEFAULT_MTU = 1500;
export const NIC_RX_OFFSET = 128;
export const NIC_TX_OFFSET = NIC_RX_OFFSET + NIC_SLOTS * NIC_SLOT_BYTES;
export const NIC_MEMORY_BYTES = NIC_TX_OFFSET + NIC_SLOTS * NIC_SLOT_BYTES;

/** The MAC address in a NIC's registers. */
export function nicMac(words: Int32Array): Uint8Array {
  const hi = Atomics.load(words, NIC_MAC_HI), lo = Atomics.load(words, NIC_MAC_LO);
  return Uint8Array.of(hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

/** The counters a NIC's registers hold, by name. */
export type NicCounters = { [K in keyof typeof NicCounter as Lowercase<K>]: number };

export function nicCounters(words: Int32Array): NicCounters {
  const out: Record<string, number> = {};
  for (const [name, word] of Object.entries(NicCounter)) out[name.toLowerCase()] = Atomics.load(words, word) >>> 0;
  return out as NicCounters;
}

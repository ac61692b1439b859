// The hardware contract: register and queue layouts of kernelkit's virtual devices,
// shared by the drivers (services/blk, services/console) and the device models the
// host runs (hw/). Like a virtio spec: drivers and devices meet only here.
//
// Every device's memory starts with Int32 words:
//   [0] doorbell   driver -> device: bumped after queueing work
//   [1] irq        device -> driver: bumped after completing work (the interrupt)

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
//       counters, each bumped by the side that sees the event (NicCounter, [8]..[15])
//       [16] receive ring: frames the device produced  [17] frames the driver consumed
//       [18] transmit ring: frames the driver produced [19] frames the device consumed
// Two single-producer single-consumer rings of NIC_SLOTS frame buffers (virtio's split
// virtqueue reduced to fixed slots): receive (device -> driver) at NIC_RX_OFFSET,
// transmit (driver -> device) at NIC_TX_OFFSET. Slot k of a ring is `produced % NIC_SLOTS`,
// NIC_SLOT_BYTES apart: Int32 frame length, then the frame (Ethernet header + payload,
// no FCS). A producer finding `produced - consumed === NIC_SLOTS` drops the frame and
// counts it: the rings are all the memory a flood can fill. The producer writes the
// slot before it publishes `produced` (Atomics.store); the consumer reads the slot
// before it publishes `consumed`. The device rings the irq after it produced receive
// frames; the driver rings the doorbell after it produced transmit frames.

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
} as const;
export const NIC_RX_PRODUCED = 16;
export const NIC_RX_CONSUMED = 17;
export const NIC_TX_PRODUCED = 18;
export const NIC_TX_CONSUMED = 19;
export const NIC_SLOTS = 256;
export const NIC_SLOT_BYTES = 2048;
/** Smallest frame: an Ethernet header. */
export const NIC_MIN_FRAME = 14;
/** Largest frame: header + 1500 bytes of payload (no FCS, no VLAN tag). */
export const NIC_MAX_FRAME = 1514;
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

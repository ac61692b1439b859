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

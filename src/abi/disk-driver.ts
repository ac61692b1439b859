// A disk that carries its own filesystem driver: the header in its first sector says
// where the driver (a WebAssembly module) and the filesystem are, and the module's
// SHA-256. This is all the kernel knows of such a disk: the format of the filesystem
// is the driver's business (kernel/fs/disk-driver.ts loads it into the sandbox domain
// as the `diskfs` component; services/diskfs/ is the glue). `kernelkit mkfs --format
// NAME --embed-driver` writes it (hosts/disk-image.ts).
//
//   offset  size  field
//   0       8     magic "KKDRIVER"
//   8       4     version (1), little-endian like every field
//   12      4     header bytes (512)
//   16      4     driver offset in bytes (a multiple of 512)
//   20      4     driver length in bytes
//   24      4     filesystem offset in bytes (a multiple of 512, past the driver)
//   28      4     filesystem length in bytes (a multiple of 512)
//   32      16    format name, ASCII, NUL-padded (for messages only)
//   48      32    SHA-256 of the driver's bytes
//   80      432   zero

import { KernelError, Errno } from './errno.js';
import { SECTOR_SIZE } from './blk.js';

export const DISK_DRIVER_MAGIC = 'KKDRIVER';
export const DISK_DRIVER_VERSION = 1;
export const DISK_DRIVER_HEADER_BYTES = SECTOR_SIZE;

export interface DiskDriverHeader {
  driverOffset: number;
  driverLength: number;
  fsOffset: number;
  fsLength: number;
  format: string;
  /** Lower-case hex. */
  sha256: string;
}

const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

/** Whether `first` (the disk's first bytes) starts with the magic. */
export function hasDiskDriver(first: Uint8Array): boolean {
  return first.length >= 8 && ascii(first.subarray(0, 8)) === DISK_DRIVER_MAGIC;
}

/**
 * Reads the header from the disk's first sector; a disk of `diskBytes`. Refuses a bad
 * one with EINVAL (no magic: not such a disk) or EUCLEAN (a field lies), saying which.
 */
export function parseDiskDriverHeader(sector: Uint8Array, diskBytes: number): DiskDriverHeader {
  if (sector.length < DISK_DRIVER_HEADER_BYTES) throw new KernelError(Errno.EINVAL, 'disk driver header: short read');
  if (!hasDiskDriver(sector)) throw new KernelError(Errno.EINVAL, `no embedded driver: bad magic '${ascii(sector.subarray(0, 8)).replace(/[^ -~]/g, '.')}' (expected ${DISK_DRIVER_MAGIC})`);
  const v = new DataView(sector.buffer, sector.byteOffset, DISK_DRIVER_HEADER_BYTES);
  const bad = (why: string): never => { throw new KernelError(Errno.EUCLEAN, `disk driver header: ${why}`); };
  const version = v.getUint32(8, true);
  if (version !== DISK_DRIVER_VERSION) bad(`version ${version}; this kernel reads ${DISK_DRIVER_VERSION}`);
  if (v.getUint32(12, true) !== DISK_DRIVER_HEADER_BYTES) bad(`header size ${v.getUint32(12, true)}`);
  const h = {
    driverOffset: v.getUint32(16, true), driverLength: v.getUint32(20, true),
    fsOffset: v.getUint32(24, true), fsLength: v.getUint32(28, true),
  };
  if (h.driverOffset < DISK_DRIVER_HEADER_BYTES || h.driverOffset % SECTOR_SIZE !== 0) bad(`driver offset ${h.driverOffset} is not a whole sector past the header`);
  if (h.driverLength === 0 || h.driverOffset + h.driverLength > diskBytes) bad(`driver (${h.driverLength} bytes at ${h.driverOffset}) lies outside the disk of ${diskBytes} bytes`);
  if (h.fsOffset % SECTOR_SIZE !== 0 || h.fsLength % SECTOR_SIZE !== 0 || h.fsLength === 0) bad(`filesystem area ${h.fsOffset}+${h.fsLength} is not whole sectors`);
  if (h.fsOffset < h.driverOffset + h.driverLength) bad('the filesystem area overlaps the driver');
  if (h.fsOffset + h.fsLength > diskBytes) bad(`filesystem area ${h.fsOffset}+${h.fsLength} lies outside the disk of ${diskBytes} bytes`);
  const name = sector.subarray(32, 48);
  const end = name.indexOf(0);
  const format = ascii(name.subarray(0, end < 0 ? 16 : end)).replace(/[^ -~]/g, '?');
  const sha256 = [...sector.subarray(48, 80)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { ...h, format, sha256 };
}

/** The header sector for a disk laid out as `h`. */
export function writeDiskDriverHeader(h: DiskDriverHeader): Uint8Array {
  const out = new Uint8Array(DISK_DRIVER_HEADER_BYTES);
  const v = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = DISK_DRIVER_MAGIC.charCodeAt(i);
  v.setUint32(8, DISK_DRIVER_VERSION, true);
  v.setUint32(12, DISK_DRIVER_HEADER_BYTES, true);
  v.setUint32(16, h.driverOffset, true);
  v.setUint32(20, h.driverLength, true);
  v.setUint32(24, h.fsOffset, true);
  v.setUint32(28, h.fsLength, true);
  for (let i = 0; i < Math.min(15, h.format.length); i++) out[32 + i] = h.format.charCodeAt(i) & 0x7f;
  for (let i = 0; i < 32; i++) out[48 + i] = parseInt(h.sha256.slice(i * 2, i * 2 + 2), 16);
  return out;
}

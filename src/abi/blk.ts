// The block-device contract: what the blk driver offers to filesystems and /dev/blk0.

export const SECTOR_SIZE = 512;

/** A block device addressed in 512-byte sectors. Methods throw KernelError(EIO) on failure. */
export interface BlockDevice {
  /** Capacity in bytes (a multiple of SECTOR_SIZE). */
  size(): Promise<number>;
  read(sector: number, count: number): Promise<Uint8Array>;
  /** data.length must be a multiple of SECTOR_SIZE. */
  write(sector: number, data: Uint8Array): Promise<void>;
  /** Returns once every completed write is durable. */
  flush(): Promise<void>;
}

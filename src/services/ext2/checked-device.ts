// A block device whose every answer is checked before ext2 believes it. The driver
// may sit in another domain and may be faulty (a `bad-reply` fault answers with
// garbage, or claims a write it never did): a read must return exactly the bytes
// asked for, and a write or flush must return nothing. Anything else is EIO, so a
// broken driver fails requests instead of silently losing or corrupting data.

import type { BlockDevice } from '../../abi/blk.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { KernelError, Errno } from '../../abi/errno.js';

export function checkedDevice(device: BlockDevice): BlockDevice {
  const malformed = (what: string): never => { throw new KernelError(Errno.EIO, `block device returned a malformed reply to ${what}`); };
  return {
    async size(): Promise<number> {
      const n: unknown = await device.size();
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n % SECTOR_SIZE !== 0) malformed('size');
      return n as number;
    },
    async read(sector: number, count: number): Promise<Uint8Array> {
      const data: unknown = await device.read(sector, count);
      if (!(data instanceof Uint8Array) || data.length !== count * SECTOR_SIZE) malformed(`read of ${count} sectors at ${sector}`);
      return data as Uint8Array;
    },
    async write(sector: number, data: Uint8Array): Promise<void> {
      const r: unknown = await device.write(sector, data);
      if (r !== undefined && r !== null) malformed(`write at ${sector}`);
    },
    async flush(): Promise<void> {
      const r: unknown = await device.flush();
      if (r !== undefined && r !== null) malformed('flush');
    },
  };
}

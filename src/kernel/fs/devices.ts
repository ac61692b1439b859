// Device files: the kernel routes reads and writes on a device node to the driver by
// major number, without vfs in the data path (vfs only resolved the name).
//   1  memory devices, in the kernel core: 3 null, 5 zero
//   5  tty: the console driver (1 console, 2 ttyerr)
//   8  block: the blk driver (0 blk0)

import { KernelError, Errno } from '../../abi/errno.js';
import { Major, majorOf, minorOf } from '../../abi/fs.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import type { BlkService, ConsoleService } from '../../abi/services.js';

export interface DeviceDrivers {
  console(): ConsoleService;
  blk(): BlkService;
}

export async function deviceRead(d: DeviceDrivers, rdev: number, offset: number, length: number, reader = 0): Promise<Uint8Array> {
  const major = majorOf(rdev), minor = minorOf(rdev);
  switch (major) {
    case Major.MEM:
      if (minor === 3) return new Uint8Array(0);
      if (minor === 5) return new Uint8Array(length);
      break;
    case Major.TTY:
      return d.console().read(minor, length, reader);
    case Major.BLK: {
      const blk = d.blk();
      const size = await blk.size();
      if (offset >= size || length === 0) return new Uint8Array(0);
      const end = Math.min(size, offset + length);
      const first = Math.floor(offset / SECTOR_SIZE);
      const last = Math.ceil(end / SECTOR_SIZE);
      // The reply check (abi/services.ts) holds blk to exactly the sectors asked for.
      const data = await blk.read(first, last - first);
      const start = offset - first * SECTOR_SIZE;
      return data.slice(start, start + (end - offset));
    }
  }
  throw new KernelError(Errno.ENXIO, `no device ${major},${minor}`);
}

export async function deviceWrite(d: DeviceDrivers, rdev: number, offset: number, data: Uint8Array): Promise<number> {
  const major = majorOf(rdev), minor = minorOf(rdev);
  switch (major) {
    case Major.MEM:
      if (minor === 3 || minor === 5) return data.length;
      break;
    case Major.TTY: {
      return d.console().write(minor, data);
    }
    case Major.BLK: {
      const blk = d.blk();
      const size = await blk.size();
      if (offset >= size) throw new KernelError(Errno.ENOSPC);
      const end = Math.min(size, offset + data.length);
      const first = Math.floor(offset / SECTOR_SIZE);
      const last = Math.ceil(end / SECTOR_SIZE);
      // Read-modify-write for partial sectors.
      const buf = (offset % SECTOR_SIZE !== 0 || end % SECTOR_SIZE !== 0) ? await blk.read(first, last - first) : new Uint8Array((last - first) * SECTOR_SIZE);
      buf.set(data.subarray(0, end - offset), offset - first * SECTOR_SIZE);
      await blk.write(first, buf);
      return end - offset;
    }
  }
  throw new KernelError(Errno.ENXIO, `no device ${major},${minor}`);
}

export async function deviceSize(d: DeviceDrivers, rdev: number): Promise<number> {
  if (majorOf(rdev) !== Major.BLK) throw new KernelError(Errno.ENOTTY);
  return d.blk().size();
}

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

function expectBytes(v: unknown, who: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new KernelError(Errno.EIO, `${who} returned a malformed reply`);
  return v;
}

export async function deviceRead(d: DeviceDrivers, rdev: number, offset: number, length: number, reader = 0): Promise<Uint8Array> {
  const major = majorOf(rdev), minor = minorOf(rdev);
  switch (major) {
    case Major.MEM:
      if (minor === 3) return new Uint8Array(0);
      if (minor === 5) return new Uint8Array(length);
      break;
    case Major.TTY:
      return expectBytes(await d.console().read(minor, length, reader), 'console');
    case Major.BLK: {
      const blk = d.blk();
      const size = await blk.size();
      if (offset >= size || length === 0) return new Uint8Array(0);
      const end = Math.min(size, offset + length);
      const first = Math.floor(offset / SECTOR_SIZE);
      const last = Math.ceil(end / SECTOR_SIZE);
      const data = expectBytes(await blk.read(first, last - first), 'blk');
      if (data.length !== (last - first) * SECTOR_SIZE) throw new KernelError(Errno.EIO, 'blk returned a short read');
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
      const n = await d.console().write(minor, data);
      if (typeof n !== 'number') throw new KernelError(Errno.EIO, 'console returned a malformed reply');
      return n;
    }
    case Major.BLK: {
      const blk = d.blk();
      const size = await blk.size();
      if (offset >= size) throw new KernelError(Errno.ENOSPC);
      const end = Math.min(size, offset + data.length);
      const first = Math.floor(offset / SECTOR_SIZE);
      const last = Math.ceil(end / SECTOR_SIZE);
      // Read-modify-write for partial sectors.
      const buf = (offset % SECTOR_SIZE !== 0 || end % SECTOR_SIZE !== 0) ? expectBytes(await blk.read(first, last - first), 'blk') : new Uint8Array((last - first) * SECTOR_SIZE);
      buf.set(data.subarray(0, end - offset), offset - first * SECTOR_SIZE);
      // A write must answer with nothing; anything else is a driver claiming what it did not do.
      const r: unknown = await blk.write(first, buf);
      if (r !== undefined && r !== null) throw new KernelError(Errno.EIO, 'blk returned a malformed reply');
      return end - offset;
    }
  }
  throw new KernelError(Errno.ENXIO, `no device ${major},${minor}`);
}

export async function deviceSize(d: DeviceDrivers, rdev: number): Promise<number> {
  if (majorOf(rdev) !== Major.BLK) throw new KernelError(Errno.ENOTTY);
  return d.blk().size();
}

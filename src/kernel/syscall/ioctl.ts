// ioctl: terminal process group, modes and window size; block device size.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { TIOC, BLKGETSIZE64, TERM_MODE_COOKED } from '../../abi/syscalls.js';
import { Major, majorOf } from '../../abi/fs.js';
import { deviceSize } from '../fs/devices.js';
import { drivers } from '../fs/io.js';

export async function sysIoctl(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  if (file.kind !== 'dev' || file.target.rdev === undefined) throw new KernelError(Errno.ENOTTY);
  const rdev = file.target.rdev;
  switch (a[1]) {
    case TIOC.SPGRP:
      if (majorOf(rdev) !== Major.TTY) throw new KernelError(Errno.ENOTTY);
      if (!Number.isInteger(a[2]) || a[2]! <= 0) throw new KernelError(Errno.EINVAL);
      await k.console.setForeground(a[2]!);
      return 0;
    case TIOC.GPGRP:
      if (majorOf(rdev) !== Major.TTY) throw new KernelError(Errno.ENOTTY);
      return k.console.getForeground();
    case TIOC.GMODE:
      if (majorOf(rdev) !== Major.TTY) throw new KernelError(Errno.ENOTTY);
      return k.console.getMode();
    case TIOC.SMODE:
      if (majorOf(rdev) !== Major.TTY) throw new KernelError(Errno.ENOTTY);
      if (!Number.isInteger(a[2]) || a[2]! < 0 || (a[2]! & ~TERM_MODE_COOKED) !== 0) throw new KernelError(Errno.EINVAL);
      await k.console.setMode(a[2]!);
      return 0;
    case TIOC.GWINSZ: {
      if (majorOf(rdev) !== Major.TTY) throw new KernelError(Errno.ENOTTY);
      const size = await k.console.getWindowSize();
      // No size known (the host's output is not a terminal): not a terminal to size.
      if (size === 0) throw new KernelError(Errno.ENOTTY);
      return size;
    }
    case TIOC.SWINSZ:
      if (majorOf(rdev) !== Major.TTY) throw new KernelError(Errno.ENOTTY);
      if (!Number.isInteger(a[2]) || a[2]! <= 0 || a[2]! > 0x7fffffff || (a[2]! & 0xffff) === 0) throw new KernelError(Errno.EINVAL);
      await k.console.setWindowSize(a[2]!);
      return 0;
    case BLKGETSIZE64:
      p.copyoutFloat64(a[2]!, [await deviceSize(drivers(k), rdev)]);
      return 0;
    default:
      throw new KernelError(Errno.ENOTTY);
  }
}

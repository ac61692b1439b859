// fcntl: descriptor and status flags.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { F, FD_CLOEXEC } from '../../abi/syscalls.js';
import { O } from '../../abi/fs.js';

export function sysFcntl(_k: Kernel, p: Process, a: number[]): number {
  const entry = p.fds.get(a[0]!);
  switch (a[1]) {
    case F.GETFD: return entry.cloexec ? FD_CLOEXEC : 0;
    case F.SETFD: entry.cloexec = (a[2]! & FD_CLOEXEC) !== 0; return 0;
    case F.GETFL: return entry.file.flags;
    case F.SETFL: {
      // Only the status flags may change, as in Linux.
      const changeable = O.APPEND | O.NONBLOCK;
      entry.file.flags = (entry.file.flags & ~changeable) | (a[2]! & changeable);
      return 0;
    }
    default: throw new KernelError(Errno.EINVAL);
  }
}

// umask: sets the mask open and mkdir clear from new files' modes; returns the old one. Inherited by spawn.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export function sysUmask(_k: Kernel, p: Process, a: number[]): number {
  if (!Number.isInteger(a[0])) throw new KernelError(Errno.EINVAL);
  const old = p.cred.umask;
  p.cred.umask = a[0]! & 0o777;
  return old;
}

// wait: pm decides which child; the kernel drops the reaped process from its table.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { WNOHANG } from '../../abi/syscalls.js';

export async function sysWait(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [target, statusPtr, options] = [a[0]!, a[1]!, a[2]!];
  if (!Number.isInteger(target)) throw new KernelError(Errno.EINVAL);
  p.copyoutInt32(statusPtr, [0, 0, 0]); // EFAULT before blocking, not after
  p.state = 'blocked';
  let r: { pid: number; code: number; signal: number };
  try {
    r = await k.pm.wait(p.pid, target, (options & WNOHANG) !== 0);
  } finally {
    if (p.state === 'blocked') p.state = 'running';
  }
  if (r.pid !== 0) k.procs.delete(r.pid);
  p.copyoutInt32(statusPtr, [r.pid, r.code, r.signal]);
  return r.pid;
}

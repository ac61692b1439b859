// getsid: session of a process (0 = caller), from pm.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export async function sysGetsid(k: Kernel, p: Process, a: number[]): Promise<number> {
  if (!Number.isInteger(a[0]) || a[0]! < 0) throw new KernelError(Errno.EINVAL);
  return await k.pm.getsid(p.pid, a[0]!);
}

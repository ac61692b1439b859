// kill: pm checks and resolves the targets; the kernel delivers.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export async function sysKill(k: Kernel, p: Process, a: number[]): Promise<number> {
  if (!Number.isInteger(a[0]) || !Number.isInteger(a[1])) throw new KernelError(Errno.EINVAL);
  await k.signal(p.pid, a[0]!, a[1]!);
  return 0;
}

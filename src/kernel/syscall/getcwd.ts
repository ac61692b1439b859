// getcwd: the kernel holds the cwd.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export function sysGetcwd(_k: Kernel, p: Process, a: number[]): number {
  const bytes = new TextEncoder().encode(p.cwd);
  if (bytes.length > a[1]!) throw new KernelError(Errno.ERANGE);
  p.copyout(a[0]!, bytes);
  return bytes.length;
}

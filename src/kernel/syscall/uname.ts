// uname: system name, release, preset, machine.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export function sysUname(k: Kernel, p: Process, a: number[]): number {
  const text = ['kernelkit', k.config.release, k.config.preset, k.platform.machine.host].join('\0');
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > a[1]!) throw new KernelError(Errno.ERANGE);
  p.copyout(a[0]!, bytes);
  return bytes.length;
}

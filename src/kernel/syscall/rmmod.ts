// rmmod: unloads; EBUSY while in use.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

const ESSENTIAL = ['vfs', 'pm', 'console'];

export async function sysRmmod(k: Kernel, p: Process, a: number[]): Promise<number> {
  const name = p.copyinString(a[0]!, a[1]!);
  if (!k.components.has(name)) throw new KernelError(Errno.ENOENT, `${name} is not loaded`);
  if (ESSENTIAL.includes(name)) throw new KernelError(Errno.EBUSY, `${name} is in use by the kernel`);
  await k.components.unload(name);
  k.log.log(`rmmod ${name}`);
  return 0;
}

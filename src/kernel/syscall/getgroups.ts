// getgroups: writes the supplementary groups as int32s; size 0 asks for the count.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export function sysGetgroups(_k: Kernel, p: Process, a: number[]): number {
  const size = a[0]!, ptr = a[1]!;
  const groups = p.cred.groups;
  if (!Number.isInteger(size) || size < 0) throw new KernelError(Errno.EINVAL);
  if (size === 0) return groups.length;
  if (size < groups.length) throw new KernelError(Errno.EINVAL, 'getgroups: buffer too small');
  p.copyoutInt32(ptr, groups);
  return groups.length;
}

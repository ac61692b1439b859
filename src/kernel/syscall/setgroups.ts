// setgroups: replaces the supplementary groups (root only).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Cap, NGROUPS_MAX, isId } from '../../abi/cred.js';
import { requireCap } from './util.js';

export function sysSetgroups(_k: Kernel, p: Process, a: number[]): number {
  const size = a[0]!, ptr = a[1]!;
  if (!Number.isInteger(size) || size < 0 || size > NGROUPS_MAX) throw new KernelError(Errno.EINVAL);
  requireCap(p, Cap.SETGID, 'setgroups');
  const groups: number[] = [];
  for (let i = 0; i < size; i++) {
    const g = p.readInt32(ptr + i * 4);
    if (!isId(g)) throw new KernelError(Errno.EINVAL);
    if (!groups.includes(g)) groups.push(g);
  }
  p.cred.groups = groups;
  return 0;
}

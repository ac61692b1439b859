// setresgid: sets real, effective and saved group ids (-1 leaves one).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Cap, capable, isId } from '../../abi/cred.js';

export function sysSetresgid(_k: Kernel, p: Process, a: number[]): number {
  const c = p.cred;
  const want = [a[0]!, a[1]!, a[2]!];
  if (!want.every((v) => v === -1 || isId(v))) throw new KernelError(Errno.EINVAL);
  const mine = [c.gid, c.egid, c.sgid];
  if (!capable(c, Cap.SETGID) && !want.every((v) => v === -1 || mine.includes(v))) throw new KernelError(Errno.EPERM);
  const [r, e, s] = want as [number, number, number];
  if (r !== -1) c.gid = r;
  if (e !== -1) c.egid = e;
  if (s !== -1) c.sgid = s;
  return 0;
}

// setgid: POSIX rules, as setuid for groups.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Cap, capable, isId } from '../../abi/cred.js';

export function sysSetgid(_k: Kernel, p: Process, a: number[]): number {
  const gid = a[0]!;
  if (!isId(gid)) throw new KernelError(Errno.EINVAL);
  const c = p.cred;
  if (capable(c, Cap.SETGID)) { c.gid = gid; c.egid = gid; c.sgid = gid; }
  else if (gid === c.gid || gid === c.sgid) c.egid = gid;
  else throw new KernelError(Errno.EPERM, `setgid(${gid}): not root, and not the real or saved gid`);
  return 0;
}

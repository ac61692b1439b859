// setpgid: pm keeps groups and checks the move (ESRCH: no such process or not the
// caller or its child; EINVAL: a negative group; EPERM: no such group in the session);
// the kernel mirrors the result for ps.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export async function sysSetpgid(k: Kernel, p: Process, a: number[]): Promise<number> {
  if (!Number.isSafeInteger(a[1]) || a[1]! < 0) throw new KernelError(Errno.EINVAL);
  if (!Number.isSafeInteger(a[0]) || a[0]! < 0) throw new KernelError(Errno.ESRCH);
  await k.pm.setpgid(p.pid, a[0]!, a[1]!);
  const target = k.procs.get(a[0] === 0 ? p.pid : a[0]!);
  if (target !== undefined) target.pgid = await k.pm.getpgid(p.pid, target.pid);
  return 0;
}

// setpgid: pm keeps groups; the kernel mirrors them for ps.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export async function sysSetpgid(k: Kernel, p: Process, a: number[]): Promise<number> {
  if (!Number.isInteger(a[0]) || !Number.isInteger(a[1])) throw new KernelError(Errno.EINVAL);
  await k.pm.setpgid(p.pid, a[0]!, a[1]!);
  const target = k.procs.get(a[0] === 0 ? p.pid : a[0]!);
  if (target !== undefined) target.pgid = await k.pm.getpgid(p.pid, target.pid);
  return 0;
}

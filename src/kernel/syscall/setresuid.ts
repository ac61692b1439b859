// setresuid: sets real, effective and saved user ids (-1 leaves one); unprivileged callers pick among their current three.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Cap, capable, isId } from '../../abi/cred.js';

/** Tells pm the process's user ids changed. */
export async function publishIds(k: Kernel, p: Process): Promise<void> {
  await k.pm.setids(p.pid, p.cred.uid, p.cred.euid, p.cred.suid);
}

export async function sysSetresuid(k: Kernel, p: Process, a: number[]): Promise<number> {
  const c = p.cred;
  const want = [a[0]!, a[1]!, a[2]!];
  if (!want.every((v) => v === -1 || isId(v))) throw new KernelError(Errno.EINVAL);
  const mine = [c.uid, c.euid, c.suid];
  if (!capable(c, Cap.SETUID) && !want.every((v) => v === -1 || mine.includes(v))) throw new KernelError(Errno.EPERM);
  const [r, e, s] = want as [number, number, number];
  if (r !== -1) c.uid = r;
  if (e !== -1) c.euid = e;
  if (s !== -1) c.suid = s;
  await publishIds(k, p);
  return 0;
}

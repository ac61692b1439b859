// setuid: POSIX rules; the new ids go to pm (kill and per-user limits use them).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Cap, capable, isId } from '../../abi/cred.js';
import { publishIds } from './setresuid.js';

/** With CAP_SETUID every id becomes `uid`; otherwise only the effective id, to the real or saved one. */
export async function sysSetuid(k: Kernel, p: Process, a: number[]): Promise<number> {
  const uid = a[0]!;
  if (!isId(uid)) throw new KernelError(Errno.EINVAL);
  const c = p.cred;
  if (capable(c, Cap.SETUID)) { c.uid = uid; c.euid = uid; c.suid = uid; }
  else if (uid === c.uid || uid === c.suid) c.euid = uid;
  else throw new KernelError(Errno.EPERM, `setuid(${uid}): not root, and not the real or saved uid`);
  await publishIds(k, p);
  return 0;
}

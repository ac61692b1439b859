// fchmod: permission bits of an open file (the owner's or root's to set).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { fsCred } from '../../abi/cred.js';
import { checkGeneration } from '../fs/io.js';

export async function sysFchmod(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  if (!Number.isInteger(a[1])) throw new KernelError(Errno.EINVAL);
  if (file.kind !== 'vfs' && file.kind !== 'dev') throw new KernelError(Errno.EINVAL);
  checkGeneration(k, file);
  await k.vfs.fsetattr(file.target.vfsHandle!, { mode: a[1]! & 0o7777 }, fsCred(p.cred, p.pid));
  return 0;
}

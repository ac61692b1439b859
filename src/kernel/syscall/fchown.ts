// fchown: owner and group of an open file.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { fsCred } from '../../abi/cred.js';
import { checkGeneration } from '../fs/io.js';
import { ownerAttr } from './chown.js';

export async function sysFchown(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const attr = ownerAttr(a[1]!, a[2]!);
  if (file.kind !== 'vfs' && file.kind !== 'dev') throw new KernelError(Errno.EINVAL);
  checkGeneration(k, file);
  await k.vfs.fsetattr(file.target.vfsHandle!, attr, fsCred(p.cred, p.pid));
  return 0;
}

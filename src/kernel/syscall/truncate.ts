// truncate: sets a file's size through vfs.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysTruncate(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  if (!Number.isInteger(a[2]) || a[2]! < 0) throw new KernelError(Errno.EINVAL);
  await k.vfs.setattr(await pathBase(k, p, AT.FDCWD, path), path, { size: a[2]! }, true, fsCred(p.cred, p.pid));
  return 0;
}

// statfs: usage of the filesystem holding a path.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { encode } from '../../lib/codec.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysStatfs(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const bytes = encode(await k.vfs.statfs(await pathBase(k, p, AT.FDCWD, path), path, fsCred(p.cred, p.pid)));
  if (bytes.length > a[3]!) throw new KernelError(Errno.ERANGE);
  p.copyout(a[2]!, bytes);
  return bytes.length;
}

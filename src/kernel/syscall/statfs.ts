// statfs: usage of the filesystem holding a path.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { encode } from '../../lib/codec.js';
import { fsCred } from '../../abi/cred.js';

export async function sysStatfs(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const bytes = encode(await k.vfs.statfs(p.cwd, path, fsCred(p.cred)));
  if (bytes.length > a[3]!) throw new KernelError(Errno.ERANGE);
  p.copyout(a[2]!, bytes);
  return bytes.length;
}

// futimens: times of an open file (flags: AT_TIMESPEC, as utimens).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { times } from './utimens.js';
import { atFlags } from '../fs/at.js';
import { AT } from '../../abi/fs.js';
import { checkGeneration } from '../fs/io.js';
import { fsCred } from '../../abi/cred.js';

export async function sysFutimens(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  if (file.kind !== 'vfs') throw new KernelError(Errno.EINVAL);
  checkGeneration(k, file);
  await k.vfs.fsetattr(file.target.vfsHandle!, times(a[1]!, a[2]!, atFlags(a[3] ?? 0, AT.TIMESPEC), p), fsCred(p.cred, p.pid));
  return 0;
}

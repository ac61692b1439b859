// fdatasync: makes the file's data durable.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { checkGeneration } from '../fs/io.js';

export async function sysFdatasync(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  if (file.kind === 'pipe' || file.kind === 'socket') throw new KernelError(Errno.EINVAL);
  if (file.kind === 'dev') { if (file.target.rdev !== undefined && file.target.rdev >> 8 === 8) await k.blk.flush(); return 0; }
  checkGeneration(k, file);
  await k.vfs.fsync(file.target.vfsHandle!, true);
  return 0;
}

// ftruncate: only regular files open for writing.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { checkGeneration } from '../fs/io.js';

export async function sysFtruncate(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  if (!Number.isInteger(a[1]) || a[1]! < 0) throw new KernelError(Errno.EINVAL);
  if (file.kind !== 'vfs' || file.target.isDir === true || !file.writable) throw new KernelError(Errno.EINVAL);
  checkGeneration(k, file);
  await k.vfs.ftruncate(file.target.vfsHandle!, a[1]!);
  return 0;
}

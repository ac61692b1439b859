// open: vfs resolves and opens; the kernel installs the lowest free descriptor.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { openFile } from '../fs/io.js';
import { O } from '../../abi/fs.js';
import { closeFile } from '../fs/io.js';

export async function sysOpen(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const flags = a[2]!, mode = a[3]!;
  if (!Number.isInteger(flags) || !Number.isInteger(mode) || (flags & O.ACCMODE) === 3) throw new KernelError(Errno.EINVAL);
  const file = await openFile(k, p, path, flags, mode & 0o7777 & ~p.cred.umask);
  try {
    return p.fds.install(file, (flags & O.CLOEXEC) !== 0);
  } catch (e) {
    await closeFile(k, file);
    throw e;
  }
}

// openat: vfs resolves from the directory fd (or the cwd) and opens; the kernel
// installs the lowest free descriptor. O_RESOLVE_BENEATH keeps the path inside the
// directory (fs/at.ts, services/vfs/namei.ts).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { openFile, closeFile } from '../fs/io.js';
import { pathBase } from '../fs/at.js';
import { O } from '../../abi/fs.js';
import { fsCred } from '../../abi/cred.js';

export async function sysOpenat(k: Kernel, p: Process, a: number[]): Promise<number> {
  return openAt(k, p, a[0]!, p.copyinString(a[1]!, a[2]!), a[3]!, a[4]!);
}

/** open and openat: checks the flags, opens, installs. */
export async function openAt(k: Kernel, p: Process, dirfd: number, path: string, flags: number, mode: number): Promise<number> {
  if (!Number.isInteger(flags) || !Number.isInteger(mode) || (flags & O.ACCMODE) === 3) throw new KernelError(Errno.EINVAL);
  const beneath = (flags & O.RESOLVE_BENEATH) !== 0;
  const file = await openFile(k, await pathBase(k, p, dirfd, path, beneath), path, flags, mode & 0o7777 & ~p.cred.umask, fsCred(p.cred, p.pid));
  try {
    return p.fds.install(file, (flags & O.CLOEXEC) !== 0);
  } catch (e) {
    await closeFile(k, file);
    throw e;
  }
}

// chdir: vfs opens the directory; the kernel keeps it open as the cwd (fs/at.ts).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, openDir, setCwd } from '../fs/at.js';

export async function sysChdir(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const base = await pathBase(k, p, AT.FDCWD, path);
  // chdir needs search permission only (resolveDir checks it); the open that keeps the
  // directory as the cwd is the kernel's own, not a read by the caller.
  await k.vfs.resolveDir(base, path, fsCred(p.cred, p.pid));
  const dir = await openDir(k, base, path);
  await setCwd(k, p, dir, dir.path);
  return 0;
}

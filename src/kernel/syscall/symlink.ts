// symlink: through vfs; the target is stored as given.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysSymlink(k: Kernel, p: Process, a: number[]): Promise<number> {
  const first = p.copyinString(a[0]!, a[1]!);
  const second = p.copyinString(a[2]!, a[3]!);
  await k.vfs.symlink(await pathBase(k, p, AT.FDCWD, second), first, second, fsCred(p.cred, p.pid));
  return 0;
}

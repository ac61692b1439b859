// rmdir: through vfs.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysRmdir(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  await k.vfs.rmdir(await pathBase(k, p, AT.FDCWD, path), path, fsCred(p.cred, p.pid));
  return 0;
}

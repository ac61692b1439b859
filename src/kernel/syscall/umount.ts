// umount: through vfs.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { requireCap } from './util.js';
import { Cap, fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysUmount(k: Kernel, p: Process, a: number[]): Promise<number> {
  requireCap(p, Cap.SYS_ADMIN, 'umount');
  const target = p.copyinString(a[0]!, a[1]!);
  const dir = await k.vfs.resolveDir(await pathBase(k, p, AT.FDCWD, target), target, fsCred(p.cred, p.pid));
  await k.vfs.umount(String(dir));
  return 0;
}

// link: a hard link through vfs.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysLink(k: Kernel, p: Process, a: number[]): Promise<number> {
  const first = p.copyinString(a[0]!, a[1]!);
  const second = p.copyinString(a[2]!, a[3]!);
  await k.vfs.link(await pathBase(k, p, AT.FDCWD, first), first, second, await pathBase(k, p, AT.FDCWD, second), false, fsCred(p.cred, p.pid));
  return 0;
}

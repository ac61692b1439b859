// symlinkat: the new link's name is from the directory fd; its target is stored as
// given (it is resolved when the link is followed, never here).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';

export async function sysSymlinkat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const target = p.copyinString(a[0]!, a[1]!);
  const path = p.copyinString(a[3]!, a[4]!);
  const beneath = atFlags(a[5]!, AT.RESOLVE_BENEATH) !== 0;
  await k.vfs.symlink(await pathBase(k, p, a[2]!, path, beneath), target, path, fsCred(p.cred, p.pid));
  return 0;
}

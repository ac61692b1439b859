// renameat: both names from their own directory fds. The two paths sit back to back
// at `paths` (oldLen bytes, then newLen bytes), leaving room for the flags.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';

export async function sysRenameat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [from, to] = twoPaths(p, a[2]!, a[3]!, a[4]!);
  const beneath = atFlags(a[5]!, AT.RESOLVE_BENEATH) !== 0;
  await k.vfs.rename(await pathBase(k, p, a[0]!, from, beneath), from, to, await pathBase(k, p, a[1]!, to, beneath), fsCred(p.cred, p.pid));
  return 0;
}

/** The two back-to-back paths of renameat/linkat. */
export function twoPaths(p: Process, ptr: number, firstLen: number, secondLen: number): [string, string] {
  if (!Number.isInteger(firstLen) || !Number.isInteger(secondLen) || firstLen < 0 || secondLen < 0) throw new KernelError(Errno.EINVAL);
  return [p.copyinString(ptr, firstLen), p.copyinString(ptr + firstLen, secondLen)];
}

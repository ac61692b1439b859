// utimens: times in ns; UTIME_NOW and UTIME_OMIT as in utimensat(2). flags 0x100 = AT_SYMLINK_NOFOLLOW.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { UTIME_NOW, UTIME_OMIT } from '../../abi/syscalls.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysUtimens(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  await k.vfs.setattr(await pathBase(k, p, AT.FDCWD, path), path, times(a[2]!, a[3]!), (a[4]! & 0x100) === 0, fsCred(p.cred, p.pid));
  return 0;
}

/** Turns (atime, mtime) arguments with UTIME_NOW/UTIME_OMIT into a SetAttr. */
export function times(atime: number, mtime: number): { atimeNs?: number; mtimeNs?: number } {
  const now = Date.now() * 1e6;
  const pick = (t: number): number | undefined => {
    if (t === UTIME_OMIT) return undefined;
    if (t === UTIME_NOW) return now;
    if (!Number.isFinite(t) || t < 0) throw new KernelError(Errno.EINVAL);
    return t;
  };
  const out: { atimeNs?: number; mtimeNs?: number } = {};
  const at = pick(atime), mt = pick(mtime);
  if (at !== undefined) out.atimeNs = at;
  if (mt !== undefined) out.mtimeNs = mt;
  return out;
}

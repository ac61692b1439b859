// chown: owner and group through vfs (-1 leaves one; flags 0x100 = AT_SYMLINK_NOFOLLOW); vfs checks who may.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';
import { KernelError, Errno } from '../../abi/errno.js';
import type { SetAttr } from '../../abi/fs.js';
import { fsCred, isId } from '../../abi/cred.js';

/** The SetAttr for owner `uid` and group `gid`, -1 meaning "leave". */
export function ownerAttr(uid: number, gid: number): SetAttr {
  if ((uid !== -1 && !isId(uid)) || (gid !== -1 && !isId(gid))) throw new KernelError(Errno.EINVAL);
  return { ...(uid !== -1 ? { uid } : {}), ...(gid !== -1 ? { gid } : {}) };
}

export async function sysChown(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  if (!Number.isInteger(a[4]) || (a[4]! & ~0x100) !== 0) throw new KernelError(Errno.EINVAL);
  await k.vfs.setattr(await pathBase(k, p, AT.FDCWD, path), path, ownerAttr(a[2]!, a[3]!), (a[4]! & 0x100) === 0, fsCred(p.cred, p.pid));
  return 0;
}

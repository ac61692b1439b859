// utimensat: times in ns from the directory fd (or the cwd); UTIME_NOW and UTIME_OMIT
// as in utimensat(2); AT_SYMLINK_NOFOLLOW sets a symlink's own times.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';
import { times } from './utimens.js';

export async function sysUtimensat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[1]!, a[2]!);
  const flags = atFlags(a[5]!, AT.SYMLINK_NOFOLLOW | AT.RESOLVE_BENEATH | AT.TIMESPEC);
  const attr = times(a[3]!, a[4]!, flags, p);
  const base = await pathBase(k, p, a[0]!, path, (flags & AT.RESOLVE_BENEATH) !== 0);
  await k.vfs.setattr(base, path, attr, (flags & AT.SYMLINK_NOFOLLOW) === 0, fsCred(p.cred, p.pid));
  return 0;
}

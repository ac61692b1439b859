// fstatat: file status from the directory fd (or the cwd); AT_SYMLINK_NOFOLLOW is lstat.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';
import { writeStat } from './util.js';

export async function sysFstatat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[1]!, a[2]!);
  const flags = atFlags(a[4]!, AT.SYMLINK_NOFOLLOW | AT.RESOLVE_BENEATH);
  const base = await pathBase(k, p, a[0]!, path, (flags & AT.RESOLVE_BENEATH) !== 0);
  writeStat(p, a[3]!, await k.vfs.stat(base, path, (flags & AT.SYMLINK_NOFOLLOW) === 0, fsCred(p.cred, p.pid)));
  return 0;
}

// unlinkat: unlink, or rmdir with AT_REMOVEDIR, from the directory fd (or the cwd).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';

export async function sysUnlinkat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[1]!, a[2]!);
  const flags = atFlags(a[3]!, AT.REMOVEDIR | AT.RESOLVE_BENEATH);
  const base = await pathBase(k, p, a[0]!, path, (flags & AT.RESOLVE_BENEATH) !== 0);
  if ((flags & AT.REMOVEDIR) !== 0) await k.vfs.rmdir(base, path, fsCred(p.cred, p.pid));
  else await k.vfs.unlink(base, path, fsCred(p.cred, p.pid));
  return 0;
}

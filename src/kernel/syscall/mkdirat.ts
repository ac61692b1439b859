// mkdirat: through vfs, from the directory fd (or the cwd).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';

export async function sysMkdirat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[1]!, a[2]!);
  const flags = atFlags(a[4]!, AT.RESOLVE_BENEATH);
  await k.vfs.mkdir(await pathBase(k, p, a[0]!, path, flags !== 0), path, (a[3]! | 0) & 0o7777 & ~p.cred.umask, fsCred(p.cred, p.pid));
  return 0;
}

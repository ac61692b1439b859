// lstat: through vfs, not following a final symlink.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { writeStat } from './util.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysLstat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  writeStat(p, a[2]!, await k.vfs.stat(await pathBase(k, p, AT.FDCWD, path), path, false, fsCred(p.cred, p.pid)));
  return 0;
}

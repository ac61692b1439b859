// unlink: through vfs.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';

export async function sysUnlink(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  await k.vfs.unlink(p.cwd, path, fsCred(p.cred));
  return 0;
}

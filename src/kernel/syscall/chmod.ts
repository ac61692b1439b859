// chmod: permission bits through vfs.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';

export async function sysChmod(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  await k.vfs.setattr(p.cwd, path, { mode: (a[2]! | 0) & 0o7777 }, true, fsCred(p.cred));
  return 0;
}

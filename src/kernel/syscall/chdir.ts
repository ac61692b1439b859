// chdir: vfs checks and canonicalizes; the kernel keeps the cwd.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export async function sysChdir(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const dir = await k.vfs.resolveDir(p.cwd, path);
  p.cwd = dir;
  return 0;
}

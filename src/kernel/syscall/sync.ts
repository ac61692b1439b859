// sync: every filesystem.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';

export async function sysSync(k: Kernel): Promise<number> {
  await k.vfs.sync();
  return 0;
}

// sched_yield: lets the kernel's event loop run once.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';

export async function sysSchedYield(k: Kernel): Promise<number> {
  await k.platform.yieldMacrotask();
  return 0;
}

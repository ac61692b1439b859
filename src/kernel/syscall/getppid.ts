// getppid: answered by pm.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export async function sysGetppid(k: Kernel, p: Process): Promise<number> {
  return k.pm.getppid(p.pid);
}

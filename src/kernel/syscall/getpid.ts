// getpid: answered by pm, so under microkernel it is a message to the pm server (MINIX 3 does the same).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export async function sysGetpid(k: Kernel, p: Process): Promise<number> {
  return k.pm.getpid(p.pid);
}

// exit: ends the caller; the status is truncated to 8 bits as in Unix.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export async function sysExit(k: Kernel, p: Process, a: number[]): Promise<number> {
  // The thread is answered by the pool (it may run the next process), not by dispatch.
  await k.exitProcess(p, (a[0]! | 0) & 0xff, 0, true);
  return 0;
}

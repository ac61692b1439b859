// nanosleep: an alarm on the timer device; the process sleeps in its trap.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';

export async function sysNanosleep(k: Kernel, p: Process, a: number[]): Promise<number> {
  const ns = a[0]!;
  if (!Number.isFinite(ns) || ns < 0) throw new KernelError(Errno.EINVAL);
  p.state = 'blocked';
  await k.timers.sleep(ns / 1e6);
  if (p.state === 'blocked') p.state = 'running';
  return 0;
}

// clock_gettime: realtime and monotonic clocks in ns, and the time since boot
// (CLOCK_BOOTTIME: since the kernel log's zero, so dmesg and uptime agree).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { CLOCK } from '../../abi/syscalls.js';

export function sysClockGettime(k: Kernel, p: Process, a: number[]): number {
  let ns: number;
  if (a[0] === CLOCK.REALTIME) ns = Date.now() * 1e6;
  else if (a[0] === CLOCK.MONOTONIC) ns = Math.round(performance.now() * 1e6);
  else if (a[0] === CLOCK.BOOTTIME) ns = Math.round(k.log.sinceBootMs() * 1e6);
  else throw new KernelError(Errno.EINVAL);
  p.copyoutFloat64(a[1]!, [ns]);
  return 0;
}

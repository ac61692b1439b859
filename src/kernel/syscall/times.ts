// times: the caller's CPU time and its reaped children's, as four float64 in ms.
// Decodes and checks the arguments; the account is proc/times.ts.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { userMs } from '../proc/times.js';

export function sysTimes(_k: Kernel, p: Process, a: number[]): number {
  p.copyoutFloat64(a[0]!, [userMs(p, performance.now()), p.cpu.systemMs, p.cpu.childUserMs, p.cpu.childSystemMs]);
  return 0;
}

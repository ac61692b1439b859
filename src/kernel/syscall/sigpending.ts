// sigpending: the process collects handled signals (its runtime runs the handlers).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export function sysSigpending(_k: Kernel, p: Process): number {
  return p.takePendingSignals() >>> 0;
}

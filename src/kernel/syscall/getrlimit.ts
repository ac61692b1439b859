// getrlimit: writes a resource limit of the caller as two float64 (soft, hard).
// Decodes and checks the arguments; the limits are proc/limits.ts.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { isRlimitResource } from '../../abi/rlimit.js';

export function sysGetrlimit(_k: Kernel, p: Process, a: number[]): number {
  const [resource, out] = [a[0]!, a[1]!];
  if (!isRlimitResource(resource)) throw new KernelError(Errno.EINVAL, 'unknown resource');
  const { soft, hard } = p.limits.get(resource);
  p.copyoutFloat64(out, [soft, hard]);
  return 0;
}

// setrlimit: sets a resource limit of the caller (and, through spawn, of its future
// children). Lowering is always allowed; raising the hard limit needs privilege.
// Decodes and checks the arguments; the rules are proc/limits.ts.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { RLIMIT, isRlimitResource } from '../../abi/rlimit.js';

export function sysSetrlimit(k: Kernel, p: Process, a: number[]): number {
  const [resource, soft, hard] = [a[0]!, a[1]!, a[2]!];
  if (!isRlimitResource(resource)) throw new KernelError(Errno.EINVAL, 'unknown resource');
  // Raising a hard limit is root's (an effective uid of 0), as in Linux (CAP_SYS_RESOURCE).
  const privileged = p.cred.euid === 0;
  const ceiling = resource === RLIMIT.NOFILE ? k.params.maxFdsPerProcess : Infinity;
  p.limits.set(resource, soft, hard, privileged, ceiling);
  if (resource === RLIMIT.NOFILE) p.fds.limit = soft;
  if (resource === RLIMIT.CPU) p.cpu.stage = 0; // a new limit is checked afresh
  return 0;
}

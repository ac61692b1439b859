// sigaction: sets a disposition; returns the old one.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { NSIG, Signal, SigDisposition } from '../../abi/signal.js';

export function sysSigaction(_k: Kernel, p: Process, a: number[]): number {
  const [sig, disposition] = [a[0]!, a[1]!];
  if (!Number.isInteger(sig) || sig <= 0 || sig >= NSIG || sig === Signal.SIGKILL || sig === Signal.SIGSTOP) throw new KernelError(Errno.EINVAL);
  if (disposition !== SigDisposition.DEFAULT && disposition !== SigDisposition.IGNORE && disposition !== SigDisposition.HANDLE) throw new KernelError(Errno.EINVAL);
  const old = p.dispositions[sig]!;
  p.dispositions[sig] = disposition;
  return old;
}

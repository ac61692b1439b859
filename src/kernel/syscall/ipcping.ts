// ipcping: a round trip to the echo component (ENODEV unless insmod echo).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import type { EchoService } from '../../abi/services.js';

export async function sysIpcping(k: Kernel, _p: Process, a: number[]): Promise<number> {
  const n = a[0]!;
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw new KernelError(Errno.EINVAL);
  const echo = k.components.iface<EchoService>('echo');
  if (n === 0) return echo.ping();
  return (await echo.echo(new Uint8Array(n))).length;
}

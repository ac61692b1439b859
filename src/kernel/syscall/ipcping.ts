// ipcping: a round trip to the echo component (ENODEV unless insmod echo).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { expectNumber } from './util.js';

export async function sysIpcping(k: Kernel, _p: Process, a: number[]): Promise<number> {
  const n = a[0]!;
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw new KernelError(Errno.EINVAL);
  const echo = k.components.iface<{ echo(d: Uint8Array): Promise<Uint8Array>; ping(): Promise<number> }>('echo');
  if (n === 0) return expectNumber(await echo.ping());
  const r = await echo.echo(new Uint8Array(n));
  if (!(r instanceof Uint8Array)) throw new KernelError(Errno.EIO, 'echo returned a malformed reply');
  return r.length;
}

// listen: a stream socket starts accepting connections.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { socketFd } from './sockaddr.js';

export async function sysListen(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  if (!Number.isInteger(a[1]!)) throw new KernelError(Errno.EINVAL);
  await net.listen(id, Math.max(0, a[1]!));
  return 0;
}

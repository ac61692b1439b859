// setsockopt: sets an int32 socket option (SO_REUSEADDR, SO_KEEPALIVE, SO_RCVBUF,
// SO_SNDBUF, TCP_NODELAY).
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { socketFd } from './sockaddr.js';

export async function sysSetsockopt(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  const [level, name, ptr, len] = [a[1]!, a[2]!, a[3]!, a[4]!];
  if (!Number.isInteger(level) || !Number.isInteger(name)) throw new KernelError(Errno.EINVAL);
  if (len < 4) throw new KernelError(Errno.EINVAL, 'option value shorter than an int32');
  const value = new DataView(p.copyin(ptr, 4).buffer).getInt32(0, true);
  await net.setOption(id, level, name, value);
  return 0;
}

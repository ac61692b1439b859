// getsockopt: reads an int32 socket option (the setsockopt ones, SO_TYPE, SO_ERROR).
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { socketFd } from './sockaddr.js';

export async function sysGetsockopt(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  const [level, name, ptr, lenPtr] = [a[1]!, a[2]!, a[3]!, a[4]!];
  if (!Number.isInteger(level) || !Number.isInteger(name)) throw new KernelError(Errno.EINVAL);
  const room = new DataView(p.copyin(lenPtr, 4).buffer).getInt32(0, true);
  if (room < 4) throw new KernelError(Errno.EINVAL, 'option buffer shorter than an int32');
  p.copyin(ptr, 4);
  const value = await net.getOption(id, level, name);
  p.copyoutInt32(ptr, [value]);
  p.copyoutInt32(lenPtr, [4]);
  return 0;
}

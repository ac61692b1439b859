// getsockname: the local address of a socket.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { socketFd, writeSockAddr } from './sockaddr.js';

export async function sysGetsockname(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  p.copyin(a[2]!, 4);
  writeSockAddr(p, a[1]!, a[2]!, await net.localAddress(id));
  return 0;
}

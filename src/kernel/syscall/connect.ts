// connect: connects a stream socket (blocking until the peer takes it unless
// non-blocking), or sets a datagram socket's default destination.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { O } from '../../abi/fs.js';
import { blockingNetCall } from '../fs/socket.js';
import { readSockAddr, socketFd } from './sockaddr.js';

export async function sysConnect(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { file, net, id } = socketFd(k, p, a[0]!);
  const addr = readSockAddr(p, a[1]!, a[2]!);
  await blockingNetCall(k, p, net, () => net.connect(id, addr, (file.flags & O.NONBLOCK) !== 0, p.pid));
  return 0;
}

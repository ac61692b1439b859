// shutdown: ends receiving (SHUT_RD), sending (SHUT_WR) or both on a socket.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { socketFd } from './sockaddr.js';

export async function sysShutdown(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  await net.shut(id, a[1]!);
  return 0;
}

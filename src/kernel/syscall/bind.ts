// bind: a socket's local address. A port below 1024 needs CAP_NET_BIND_SERVICE (root),
// checked here because net does not know who asks.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { AF } from '../../abi/net.js';
import { Cap } from '../../abi/cred.js';
import { readSockAddr, socketFd } from './sockaddr.js';
import { requireCap } from './util.js';

export async function sysBind(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  const addr = readSockAddr(p, a[1]!, a[2]!);
  if (addr.family === AF.INET && addr.port > 0 && addr.port < 1024) requireCap(p, Cap.NET_BIND_SERVICE, `bind to port ${addr.port}`);
  await net.bind(id, addr);
  return 0;
}

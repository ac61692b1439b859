// socket: a new socket in the net component (loaded on first use) and its descriptor.
// AF_PACKET (capture) is root's.
// Decodes and checks the arguments; the work is done in fs/socket.ts and services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { AF, SOCK, SOCK_TYPE_MASK } from '../../abi/net.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { makeSocketFile, netService } from '../fs/socket.js';

const TYPE_FLAGS = SOCK.NONBLOCK | SOCK.CLOEXEC;

export async function sysSocket(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [domain, type, protocol] = [a[0]!, a[1]!, a[2]!];
  if (![domain, type, protocol].every(Number.isInteger) || type < 0) throw new KernelError(Errno.EINVAL);
  if ((type & ~(TYPE_FLAGS | 0xf)) !== 0) throw new KernelError(Errno.EINVAL, `socket type flags ${type}`);
  // Capturing every frame of the machine is root's (Linux: CAP_NET_RAW).
  if (domain === AF.PACKET && p.cred.euid !== 0) throw new KernelError(Errno.EPERM, 'AF_PACKET sockets need root');
  const net = await netService(k);
  const id = await net.socket(domain, type & ~TYPE_FLAGS, protocol);
  try {
    return p.fds.install(makeSocketFile(k, id, (type & SOCK.NONBLOCK) !== 0, (type & SOCK_TYPE_MASK) === SOCK.STREAM && domain !== AF.PACKET), (type & SOCK.CLOEXEC) !== 0);
  } catch (e) {
    await net.close(id).catch(() => {});
    throw e;
  }
}

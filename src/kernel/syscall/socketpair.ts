// socketpair: two connected AF_UNIX stream sockets, written as two int32 descriptors.
// Decodes and checks the arguments; the work is done in fs/socket.ts and services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { SOCK } from '../../abi/net.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { makeSocketFile, netService } from '../fs/socket.js';

export async function sysSocketpair(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [domain, type, protocol, fds] = [a[0]!, a[1]!, a[2]!, a[3]!];
  if (![domain, type, protocol].every(Number.isInteger) || type < 0 || (type & ~(SOCK.NONBLOCK | SOCK.CLOEXEC | 0xf)) !== 0) throw new KernelError(Errno.EINVAL);
  if (protocol !== 0) throw new KernelError(Errno.EPROTONOSUPPORT);
  p.copyoutInt32(fds, [0, 0]);
  const net = await netService(k);
  const { a: first, b: second } = await net.pair(domain, type & 0xf);
  const nonBlocking = (type & SOCK.NONBLOCK) !== 0, cloexec = (type & SOCK.CLOEXEC) !== 0;
  let fd1 = -1;
  try {
    fd1 = p.fds.install(makeSocketFile(k, first, nonBlocking, true), cloexec);
    const fd2 = p.fds.install(makeSocketFile(k, second, nonBlocking, true), cloexec);
    p.copyoutInt32(fds, [fd1, fd2]);
    return 0;
  } catch (e) {
    if (fd1 >= 0) p.fds.remove(fd1);
    await net.close(first).catch(() => {});
    await net.close(second).catch(() => {});
    throw e;
  }
}

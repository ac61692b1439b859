// accept: the next connection on a listening socket, as a new descriptor (accept4's
// flags: SOCK_NONBLOCK, SOCK_CLOEXEC). Blocks unless the socket is non-blocking.
// Decodes and checks the arguments; the work is done in fs/socket.ts and services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { O } from '../../abi/fs.js';
import { SOCK } from '../../abi/net.js';
import { blockingNetCall, makeSocketFile } from '../fs/socket.js';
import { socketFd, writeSockAddr } from './sockaddr.js';

export async function sysAccept(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { file, net, id } = socketFd(k, p, a[0]!);
  const [addr, lenPtr, flags] = [a[1]!, a[2]!, a[3]!];
  if (!Number.isInteger(flags) || (flags & ~(SOCK.NONBLOCK | SOCK.CLOEXEC)) !== 0) throw new KernelError(Errno.EINVAL, `accept4 flags ${flags}`);
  // Check the address buffer before waiting, so a bad pointer does not lose a connection.
  if (lenPtr !== 0) p.copyin(lenPtr, 4);
  const r = await blockingNetCall(k, p, net, () => net.accept(id, (file.flags & O.NONBLOCK) !== 0, p.pid));
  let fd: number;
  try {
    fd = p.fds.install(makeSocketFile(k, r.id, (flags & SOCK.NONBLOCK) !== 0, true), (flags & SOCK.CLOEXEC) !== 0);
  } catch (e) {
    await net.close(r.id).catch(() => {});
    throw e;
  }
  try { writeSockAddr(p, addr, lenPtr, r.peer); } catch { /* the connection is the caller's anyway */ }
  return fd;
}

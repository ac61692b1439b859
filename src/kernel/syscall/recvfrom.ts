// recvfrom: receives into the buffer (one datagram, or what a stream has); the
// sender's address to addr unless addrLenPtr is 0.
// Decodes and checks the arguments; the work is done in fs/socket.ts and services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { MSG } from '../../abi/net.js';
import { socketReceive } from '../fs/socket.js';
import { socketFd, writeSockAddr } from './sockaddr.js';
import { checkRange } from './util.js';

const KNOWN = MSG.DONTWAIT | MSG.PEEK;

export async function sysRecvfrom(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { file } = socketFd(k, p, a[0]!);
  const [buf, len, flags, addr, lenPtr] = [a[1]!, a[2]!, a[3]!, a[4]!, a[5]!];
  if (!Number.isInteger(flags) || (flags & ~KNOWN) !== 0) throw new KernelError(Errno.EINVAL, `recv flags ${flags}`);
  checkRange(p, buf, len);
  if (lenPtr !== 0) p.copyin(lenPtr, 4);
  const r = await socketReceive(k, p, file, len, flags);
  const n = Math.min(r.data.length, len);
  p.copyout(buf, n === r.data.length ? r.data : r.data.subarray(0, n));
  writeSockAddr(p, addr, lenPtr, r.from);
  return n;
}

// sendto: sends bytes (a datagram, to addr when addrLen > 0). The process's buffer is
// handed to net as a view (kernel domain) or copied into the message (user domain).
// Decodes and checks the arguments; the work is done in fs/socket.ts and services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { MSG } from '../../abi/net.js';
import { socketSend } from '../fs/socket.js';
import { readSockAddr, socketFd } from './sockaddr.js';
import { checkRange } from './util.js';

const KNOWN = MSG.DONTWAIT | MSG.NOSIGNAL;

export async function sysSendto(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { file } = socketFd(k, p, a[0]!);
  const [buf, len, flags, addr, addrLen] = [a[1]!, a[2]!, a[3]!, a[4]!, a[5]!];
  if (!Number.isInteger(flags) || (flags & ~KNOWN) !== 0) throw new KernelError(Errno.EINVAL, `send flags ${flags}`);
  checkRange(p, buf, len);
  const to = addrLen > 0 ? readSockAddr(p, addr, addrLen) : undefined;
  return socketSend(k, p, file, p.userView(buf, len), flags, to);
}

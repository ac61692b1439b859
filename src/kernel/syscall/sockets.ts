// sockets: the socket table for ss and netstat (encoded SocketInfo records; ERANGE
// when the buffer is short). Empty when net is not loaded: no socket was ever made.
// netinfo: the interfaces, addresses, routes and neighbours for ip (an encoded
// NetInfo); when net is not loaded, just the loopback interface it would bring.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { loadedNet } from '../fs/socket.js';
import { encode } from '../../lib/codec.js';
import { LOOPBACK_NETINFO } from '../../abi/net.js';

export async function sysSockets(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [buf, len] = [a[0]!, a[1]!];
  const rows = await (await loadedNet(k))?.sockets() ?? [];
  const bytes = encode(rows as unknown as Parameters<typeof encode>[0]);
  if (bytes.length > len) throw new KernelError(Errno.ERANGE);
  p.copyout(buf, bytes);
  return bytes.length;
}

export async function sysNetinfo(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [buf, len] = [a[0]!, a[1]!];
  const info = await (await loadedNet(k))?.netinfo() ?? LOOPBACK_NETINFO;
  const bytes = encode(info as unknown as Parameters<typeof encode>[0]);
  if (bytes.length > len) throw new KernelError(Errno.ERANGE);
  p.copyout(buf, bytes);
  return bytes.length;
}

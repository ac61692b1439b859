// sockets: the socket table for ss and netstat (encoded SocketInfo records; ERANGE
// when the buffer is short). Empty when net is not loaded: no socket was ever made.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { loadedNet } from '../fs/socket.js';
import { encode } from '../../lib/codec.js';

export async function sysSockets(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [buf, len] = [a[0]!, a[1]!];
  const rows = await (await loadedNet(k))?.sockets() ?? [];
  const bytes = encode(rows as unknown as Parameters<typeof encode>[0]);
  if (bytes.length > len) throw new KernelError(Errno.ERANGE);
  p.copyout(buf, bytes);
  return bytes.length;
}

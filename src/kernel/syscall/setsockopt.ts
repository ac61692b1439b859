// setsockopt: sets an int32 socket option (SO_REUSEADDR, SO_KEEPALIVE, SO_RCVBUF,
// SO_SNDBUF, TCP_NODELAY, SO_DETACH_FILTER, SO_LOCK_FILTER), or attaches a socket
// filter: SO_ATTACH_FILTER takes a struct sock_fprog (abi/cbpf.ts), whose
// instructions are copied in here and checked by net, where they run.
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { SOL_SOCKET } from '../../abi/net.js';
import { SO_ATTACH_FILTER, SOCK_FPROG_SIZE, SOCK_FILTER_SIZE, BPF_MAXINSNS } from '../../abi/cbpf.js';
import { socketFd } from './sockaddr.js';

export async function sysSetsockopt(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  const [level, name, ptr, len] = [a[1]!, a[2]!, a[3]!, a[4]!];
  if (!Number.isInteger(level) || !Number.isInteger(name)) throw new KernelError(Errno.EINVAL);
  if (level === SOL_SOCKET && name === SO_ATTACH_FILTER) {
    await net.attachFilter(id, readProgram(p, ptr, len));
    return 0;
  }
  if (len < 4) throw new KernelError(Errno.EINVAL, 'option value shorter than an int32');
  const value = new DataView(p.copyin(ptr, 4).buffer).getInt32(0, true);
  await net.setOption(id, level, name, value);
  return 0;
}

/** The instructions a struct sock_fprog at `ptr` points to (EINVAL: no or too many instructions; EFAULT: off user memory). */
function readProgram(p: Process, ptr: number, len: number): Uint8Array {
  if (len < SOCK_FPROG_SIZE) throw new KernelError(Errno.EINVAL, 'option value shorter than a struct sock_fprog');
  const fprog = new DataView(p.copyin(ptr, SOCK_FPROG_SIZE).buffer);
  const count = fprog.getUint16(0, true), filter = fprog.getUint32(4, true);
  if (count === 0 || count > BPF_MAXINSNS) throw new KernelError(Errno.EINVAL, `socket filter of ${count} instructions`);
  return p.copyin(filter, count * SOCK_FILTER_SIZE);
}

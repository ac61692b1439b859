// Helpers shared by the socket syscalls: the descriptor's socket, and sockaddrs in
// and out of user memory (layouts in abi/net.ts). A sockaddr out is truncated to the
// caller's buffer and its full length written back, as Linux does.

import { KernelError, Errno } from '../../abi/errno.js';
import { decodeSockAddr, encodeSockAddr, SOCKADDR_MAX, type SockAddr } from '../../abi/net.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import type { OpenFile } from '../fs/file.js';
import { socketOf } from '../fs/socket.js';
import type { NetService } from '../../abi/services.js';

/** The socket behind descriptor `fd` (EBADF, ENOTSOCK). */
export function socketFd(k: Kernel, p: Process, fd: number): { file: OpenFile; net: NetService; id: number } {
  const file = p.fds.get(fd).file;
  return { file, ...socketOf(k, file) };
}

/** Reads the sockaddr a process passed (EINVAL for a bad length, EFAULT off its memory). */
export function readSockAddr(p: Process, ptr: number, len: number): SockAddr {
  if (!Number.isInteger(len) || len < 2 || len > SOCKADDR_MAX) throw new KernelError(Errno.EINVAL, `sockaddr length ${len}`);
  return decodeSockAddr(p.copyin(ptr, len));
}

/**
 * Writes `addr` to (ptr, *lenPtr): at most the buffer's length, the full length to
 * *lenPtr. Nothing when lenPtr is 0 (user memory starts at 0, so ptr 0 is an address).
 */
export function writeSockAddr(p: Process, ptr: number, lenPtr: number, addr: SockAddr): void {
  if (lenPtr === 0) return;
  const room = new DataView(p.copyin(lenPtr, 4).buffer).getInt32(0, true);
  if (room < 0) throw new KernelError(Errno.EINVAL, 'negative sockaddr length');
  const bytes = encodeSockAddr(addr);
  p.copyout(ptr, bytes.subarray(0, Math.min(room, bytes.length)));
  p.copyoutInt32(lenPtr, [bytes.length]);
}

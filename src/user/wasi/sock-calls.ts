// sock_* calls: preview1's four socket functions, on the listening sockets the
// launcher preopened (listen.ts) and the connections accepted from them. A module
// cannot make a socket, bind, connect or name an address: what it can reach is the
// listeners it was given, so a socket call on anything else answers an errno.
//
// Answers follow wasmtime's preview1 with its preopened TCP listeners (`--tcplisten`,
// wasi-common): sock_accept takes only NONBLOCK in its fdflags (EINVAL otherwise),
// sock_recv only RECV_PEEK and RECV_WAITALL (ENOTSUP otherwise) and never reports
// RECV_DATA_TRUNCATED on a stream, sock_send no flags (ENOTSUP), sock_shutdown RD, WR
// or both (EINVAL otherwise). A descriptor that is no socket is ENOTSOCK, as
// wasmtime's current preview1 answers; a closed one EBADF. Everything else is the
// kernel's answer (EAGAIN on a non-blocking socket with nothing to do, EINVAL accepting
// on a connection, ENOTCONN receiving on a listener, EPIPE after the peer left).
//
// Neighbours: fd-calls.ts (fd_read/fd_write work on sockets too), listen.ts (the
// preopened listeners), docs/wasi.md "Sockets".

import { accept, recv, send, shutdown, MSG, SHUT, SOCK } from '../libc/index.js';
import { E, R, FDFLAGS, FILETYPE, RIFLAGS, SDFLAGS, RIGHTS_SOCKET } from './constants.js';
import { call, type WasiContext } from './context.js';
import type { FdEntry, FdTable } from './fd-table.js';
import { WasiError, type GuestMemory, type IoVec } from './memory.js';

const u = (x: number): number => x >>> 0;

/** Whether a table entry is a socket (a preopened listener, an accepted connection, or stdio that is one). */
export const isSocket = (e: FdEntry): boolean => e.type === FILETYPE.SOCKET_STREAM || e.type === FILETYPE.SOCKET_DGRAM;

// The entry for `fd` when it is a socket still holding `right`: EBADF when fd is not
// open, ENOTSOCK when it is no socket, ENOTCAPABLE when the guest gave the right up.
function socketEntry(fds: FdTable, fd: number, right: bigint): FdEntry {
  if (!isSocket(fds.get(fd))) throw new WasiError(E.NOTSOCK);
  return fds.need(fd, right);
}

// Puts received bytes into the guest's buffers in order.
function scatter(mem: GuestMemory, iovs: IoVec[], parts: Uint8Array[]): void {
  let v = 0, at = 0;
  for (const part of parts) {
    let from = 0;
    while (from < part.length) {
      const iov = iovs[v] as IoVec;
      const n = Math.min(iov.len - at, part.length - from);
      mem.put(iov.ptr + at, part.subarray(from, from + n));
      from += n;
      at += n;
      if (at === iov.len) { v++; at = 0; }
    }
  }
}

export function sockCalls(ctx: WasiContext): Record<string, (...args: never[]) => number> {
  const { mem, fds } = ctx;
  return {
    sock_accept: call((fd: number, flags: number, roFdPtr: number) => {
      const e = socketEntry(fds, fd, R.SOCK_ACCEPT);
      if ((flags & ~FDFLAGS.NONBLOCK) !== 0) throw new WasiError(E.INVAL);
      // Checked before accepting: a connection taken off the queue is never dropped for a bad pointer.
      mem.check(u(roFdPtr), 4);
      const c = accept(e.kfd, flags & FDFLAGS.NONBLOCK ? SOCK.NONBLOCK : 0);
      const entry: FdEntry = { kfd: c.fd, type: FILETYPE.SOCKET_STREAM, rightsBase: RIGHTS_SOCKET, rightsInheriting: 0n, flags: flags & FDFLAGS.NONBLOCK };
      mem.u32(u(roFdPtr), fds.add(entry));
    }),

    sock_recv: call((fd: number, iovsPtr: number, iovsLen: number, riFlags: number, roDatalenPtr: number, roFlagsPtr: number) => {
      const e = socketEntry(fds, fd, R.FD_READ);
      if ((riFlags & ~(RIFLAGS.RECV_PEEK | RIFLAGS.RECV_WAITALL)) !== 0) throw new WasiError(E.NOTSUP);
      const iovs = mem.iovecs(u(iovsPtr), u(iovsLen));
      mem.check(u(roDatalenPtr), 4);
      mem.check(u(roFlagsPtr), 2);
      let total = 0;
      if (riFlags & RIFLAGS.RECV_PEEK) {
        // As wasmtime: a peek fills the first buffer only, and leaves the bytes queued.
        const first = iovs[0];
        if (first !== undefined && first.len > 0) {
          const data = recv(e.kfd, first.len, MSG.PEEK);
          mem.put(first.ptr, data);
          total = data.length;
        }
      } else {
        // One receive of up to the buffers' total (RECV_WAITALL: until they are full or the stream ends).
        const want = iovs.reduce((n, v) => n + v.len, 0);
        const parts: Uint8Array[] = [];
        while (total < want) {
          let data: Uint8Array;
          // Bytes already received are the answer; an error after them is the next call's.
          try { data = recv(e.kfd, want - total); } catch (err) { if (total > 0) break; throw err; }
          if (data.length === 0) break;
          parts.push(data);
          total += data.length;
          if ((riFlags & RIFLAGS.RECV_WAITALL) === 0) break;
        }
        scatter(mem, iovs, parts);
      }
      mem.u32(u(roDatalenPtr), total);
      mem.u16(u(roFlagsPtr), 0);
    }),

    sock_send: call((fd: number, iovsPtr: number, iovsLen: number, siFlags: number, soDatalenPtr: number) => {
      const e = socketEntry(fds, fd, R.FD_WRITE);
      if (siFlags !== 0) throw new WasiError(E.NOTSUP);
      const data = mem.gather(mem.iovecs(u(iovsPtr), u(iovsLen)));
      mem.check(u(soDatalenPtr), 4);
      // NOTE: no SIGPIPE: a module gets EPIPE, as under wasmtime (whose host ignores the signal).
      const n = data.length === 0 ? 0 : send(e.kfd, data, MSG.NOSIGNAL);
      mem.u32(u(soDatalenPtr), n);
    }),

    sock_shutdown: call((fd: number, how: number) => {
      const e = socketEntry(fds, fd, R.SOCK_SHUTDOWN);
      const both = SDFLAGS.RD | SDFLAGS.WR;
      if (how === both) shutdown(e.kfd, SHUT.RDWR);
      else if (how === SDFLAGS.RD) shutdown(e.kfd, SHUT.RD);
      else if (how === SDFLAGS.WR) shutdown(e.kfd, SHUT.WR);
      else throw new WasiError(E.INVAL);
    }),
  };
}

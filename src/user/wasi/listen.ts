// Preopened listening sockets, as `wasmtime run --tcplisten ADDR` gives them: the
// runtime (not the module) opens a TCP socket, binds it, listens, and hands it to the
// module as a descriptor before the preopened directories — the first at fd 3, the
// next at 4, in the order given. A module finds it there (the convention wasmtime's
// users follow) or by looking for a descriptor whose fd_fdstat_get says
// SOCKET_STREAM; sock_accept (sock-calls.ts) takes its connections.
//
// A launcher asks for listeners with `options.listen` or, from a command line, the
// environment variable KERNELKIT_WASI_LISTEN (`kernelkit run --listen` sets it for
// the whole session); runWasm removes the variable from the module's environment.

import { socket, setsockopt, bind, listen, close, inet, AF, SOCK, SO, SOL_SOCKET } from '../libc/index.js';
import { FILETYPE, RIGHTS_SOCKET } from './constants.js';
import type { FdEntry } from './fd-table.js';
import type { ListenAddress } from '../../abi/wasi-listen.js';

export { LISTEN_ENV, parseListenAddress, parseListenList, type ListenAddress } from '../../abi/wasi-listen.js';

/** The backlog of a preopened listener (what Rust's std and wasmtime ask for). */
export const LISTEN_BACKLOG = 128;

/**
 * Opens one listener and describes it for the fd table. Throws the kernel's error
 * (EADDRINUSE, EACCES below port 1024 for an ordinary user...) with the address in it.
 */
export function openListener(a: ListenAddress): FdEntry {
  const kfd = socket(AF.INET, SOCK.STREAM);
  try {
    setsockopt(kfd, SOL_SOCKET, SO.REUSEADDR, 1);
    bind(kfd, inet(a.addr, a.port));
    listen(kfd, LISTEN_BACKLOG);
  } catch (e) {
    try { close(kfd); } catch { /* the error below is what matters */ }
    throw e;
  }
  return { kfd, type: FILETYPE.SOCKET_STREAM, rightsBase: RIGHTS_SOCKET, rightsInheriting: 0n, flags: 0, listener: `${a.addr}:${a.port}` };
}

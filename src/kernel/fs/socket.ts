// Sockets in the file layer: an OpenFile of kind 'socket' holds the number of a
// socket in the net component (services/net/), and read, write, close and poll on it
// become net's recv, send, close and poll. The socket syscalls (syscall/socket.ts and
// its neighbours) decode their arguments and call the helpers here.
//
// net is loaded at the first socket() if the boot did not load it (as Linux loads a
// protocol family's module on first use), into the domain the preset gives it.
// A call that blocks inside net is cancelled (EINTR) when the process gets a signal
// it handles or dies: the kernel remembers which processes wait there.

import { KernelError, Errno } from '../../abi/errno.js';
import { O, S } from '../../abi/fs.js';
import { MSG, type SockAddr } from '../../abi/net.js';
import type { NetService } from '../../abi/services.js';
import { Signal } from '../../abi/signal.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { OpenFile } from './file.js';

const loading = new WeakMap<Kernel, Promise<void>>();
const waitingInNet = new WeakMap<Kernel, Set<Process>>();

/** The net component, loaded on first use. */
export async function netService(k: Kernel): Promise<NetService> {
  if (!k.components.has('net') && !loading.has(k)) {
    const mod = k.modules['net'];
    if (mod === undefined) throw new KernelError(Errno.EAFNOSUPPORT, 'no net component in this system');
    const p = k.components.load(mod, k.domainOf('net')).then(() => { k.log.log(`net: loaded on first use, ${k.domainOf('net')} domain`); });
    loading.set(k, p);
    p.finally(() => loading.delete(k)).catch(() => {});
  }
  // NOTE: a caller that finds net being loaded waits for the load to finish before its first call.
  await loading.get(k);
  return k.components.iface<NetService>('net');
}

/** The net component if it is loaded (after a load in progress ends), else undefined: no socket was ever made. */
export async function loadedNet(k: Kernel): Promise<NetService | undefined> {
  await loading.get(k)?.catch(() => {});
  return k.components.has('net') ? k.components.iface<NetService>('net') : undefined;
}

/** The net service for an open socket; EIO when net restarted since it was made (its sockets went with it). */
export function socketOf(k: Kernel, f: OpenFile): { net: NetService; id: number } {
  if (f.kind !== 'socket' || f.target.socket === undefined) throw new KernelError(Errno.ENOTSOCK);
  if (f.generation !== (k.components.get('net')?.generation ?? -1)) throw new KernelError(Errno.EIO, 'socket was open in a net instance that has been restarted');
  return { net: k.components.iface<NetService>('net'), id: f.target.socket };
}

/** `stream`: a SOCK_STREAM socket (TCP or AF_UNIX), which the direct path to net may serve (proc/direct-net.ts). */
export function makeSocketFile(k: Kernel, id: number, nonBlocking: boolean, stream = false): OpenFile {
  const f = new OpenFile('socket', O.RDWR | (nonBlocking ? O.NONBLOCK : 0), `socket:[${id}]`, { socket: id, mode: S.IFSOCK | 0o777, ...(stream ? { stream } : {}) });
  f.generation = k.components.get('net')?.generation ?? 0;
  return f;
}

/**
 * Runs `call`, a net call that may block, so that a handled signal or the process's
 * death ends it (EINTR). Marks the process blocked meanwhile.
 */
export async function blockingNetCall<T>(k: Kernel, p: Process, net: NetService, call: () => Promise<T>): Promise<T> {
  if (p.signalPending) throw new KernelError(Errno.EINTR);
  let set = waitingInNet.get(k);
  if (set === undefined) { set = new Set(); waitingInNet.set(k, set); }
  const interrupt = (): void => { void net.cancel(p.pid).catch(() => {}); };
  set.add(p);
  p.interrupt = interrupt;
  p.state = 'blocked';
  try {
    return await call();
  } finally {
    set.delete(p);
    if (p.interrupt === interrupt) p.interrupt = undefined;
    if (p.state === 'blocked') p.state = 'running';
  }
}

/** A dying process's blocked net calls end (kernel.exitProcess). */
export async function cancelNetWaits(k: Kernel, p: Process): Promise<void> {
  if (waitingInNet.get(k)?.has(p) !== true || !k.components.has('net')) return;
  await k.components.iface<NetService>('net').cancel(p.pid).catch(() => {});
}

const nonBlocking = (f: OpenFile, flags: number): boolean => (f.flags & O.NONBLOCK) !== 0 || (flags & MSG.DONTWAIT) !== 0;

/** recv(2) and read(2) on a socket: the bytes and who sent them. */
export async function socketReceive(k: Kernel, p: Process, f: OpenFile, max: number, flags: number): Promise<{ data: Uint8Array; from: SockAddr }> {
  const { net, id } = socketOf(k, f);
  return blockingNetCall(k, p, net, () => net.recv(id, max, (flags & MSG.PEEK) !== 0, nonBlocking(f, flags), p.pid));
}

/** send(2) and write(2) on a socket; EPIPE also sends SIGPIPE unless MSG_NOSIGNAL. */
export async function socketSend(k: Kernel, p: Process, f: OpenFile, data: Uint8Array, flags: number, to?: SockAddr): Promise<number> {
  const { net, id } = socketOf(k, f);
  try {
    return await blockingNetCall(k, p, net, () => net.send(id, data, to, nonBlocking(f, flags), p.pid));
  } catch (e) {
    if (e instanceof KernelError && e.errno === Errno.EPIPE && (flags & MSG.NOSIGNAL) === 0) k.deliver(p, Signal.SIGPIPE);
    throw e;
  }
}

export async function closeSocket(k: Kernel, f: OpenFile): Promise<void> {
  let s: { net: NetService; id: number };
  try { s = socketOf(k, f); } catch { return; }
  await s.net.close(s.id);
}

/** poll(2) on a socket: POLL bits (net answers from the socket's state). */
export async function pollSocket(k: Kernel, f: OpenFile): Promise<number> {
  const { net, id } = socketOf(k, f);
  return net.poll(id);
}

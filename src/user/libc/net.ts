// libc's socket calls: thin wrappers over the socket syscalls (abi/syscalls.ts
// 120–133), with addresses as SockAddr values ({ family, addr, port }) encoded in
// Linux's sockaddr layouts (abi/net.ts). Like the rest of libc they throw SysError.

import { SYS } from '../../abi/syscalls.js';
import { AF, SOCKADDR_MAX, SOL_SOCKET, SOL_PACKET, PACKET_STATISTICS, encodeSockAddr, decodeSockAddr, type NetInfo, type SockAddr, type SocketInfo } from '../../abi/net.js';
import { SO_ATTACH_FILTER, SOCK_FPROG_SIZE, SOCK_FILTER_SIZE } from '../../abi/cbpf.js';
import { decode } from '../../lib/codec.js';
import { syscall, scratch, memory, maxTransfer } from './trap.js';
// NOTE: index.ts re-exports this file; SysError is used only inside calls, after both loaded.
import { SysError } from './index.js';

export { AF, SOCK, IPPROTO, SOL_SOCKET, SOL_PACKET, PACKET_STATISTICS, SO, TCP_NODELAY, MSG, SHUT, parseIpv4, formatIpv4 } from '../../abi/net.js';
export type { LinkInfo, NetInfo, SockAddr, SocketInfo } from '../../abi/net.js';

function check(r: number, call: string, subject?: string): number {
  if (r < 0) throw new SysError(-r, call, subject);
  return r;
}

function view(): DataView { const m = memory(); return new DataView(m.buffer, m.byteOffset, m.byteLength); }

function putAddr(a: SockAddr): [number, number] {
  const bytes = encodeSockAddr(a);
  const at = scratch(bytes.length);
  memory().set(bytes, at);
  return [at, bytes.length];
}

// A sockaddr buffer and its in/out length word.
function addrOut(): [number, number] {
  const at = scratch(SOCKADDR_MAX), lenAt = scratch(4);
  view().setInt32(lenAt, SOCKADDR_MAX, true);
  return [at, lenAt];
}

function getAddr(at: number, lenAt: number): SockAddr {
  const len = Math.min(view().getInt32(lenAt, true), SOCKADDR_MAX);
  return decodeSockAddr(memory().slice(at, at + len));
}

/** "host:port" or a Unix path, for messages. */
export function showAddr(a: SockAddr): string { return a.family === AF.UNIX ? a.addr : `${a.addr}:${a.port}`; }

/** An IPv4 socket address. */
export const inet = (addr: string, port: number): SockAddr => ({ family: AF.INET, addr, port });
/** A Unix socket address. */
export const unix = (path: string): SockAddr => ({ family: AF.UNIX, addr: path, port: 0 });

export const socket = (domain: number, type: number, protocol = 0): number => check(syscall(SYS.socket, domain, type, protocol), 'socket');

export function socketpair(domain: number, type: number, protocol = 0): [number, number] {
  const at = scratch(8);
  check(syscall(SYS.socketpair, domain, type, protocol, at), 'socketpair');
  return [view().getInt32(at, true), view().getInt32(at + 4, true)];
}

export function bind(fd: number, a: SockAddr): void {
  const [at, len] = putAddr(a);
  check(syscall(SYS.bind, fd, at, len), 'bind', showAddr(a));
}

export const listen = (fd: number, backlog = 128): void => { check(syscall(SYS.listen, fd, backlog), 'listen'); };

/** The next connection: its descriptor and the peer's address. `flags`: SOCK.NONBLOCK, SOCK.CLOEXEC. */
export function accept(fd: number, flags = 0): { fd: number; peer: SockAddr } {
  const [at, lenAt] = addrOut();
  const r = check(syscall(SYS.accept, fd, at, lenAt, flags), 'accept');
  return { fd: r, peer: getAddr(at, lenAt) };
}

export function connect(fd: number, a: SockAddr): void {
  const [at, len] = putAddr(a);
  check(syscall(SYS.connect, fd, at, len), 'connect', showAddr(a));
}

// Where `b` already lies in user memory, the offset to pass as is.
function inUserMemory(b: Uint8Array): number {
  const m = memory();
  return b.buffer === m.buffer && b.byteOffset >= m.byteOffset && b.byteOffset + b.length <= m.byteOffset + m.length ? b.byteOffset - m.byteOffset : -1;
}

/** One send: the count sent (a non-blocking stream may take less). `to` for a datagram socket. */
export function send(fd: number, data: Uint8Array | string, flags = 0, to?: SockAddr): number {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data.subarray(0, maxTransfer() - 256);
  let at = inUserMemory(bytes);
  if (at < 0) { at = scratch(bytes.length); memory().set(bytes, at); }
  if (to === undefined) return check(syscall(SYS.sendto, fd, at, bytes.length, flags, 0, 0), 'send');
  const [addrAt, addrLen] = putAddr(to);
  return check(syscall(SYS.sendto, fd, at, bytes.length, flags, addrAt, addrLen), 'sendto', showAddr(to));
}

export const sendto = (fd: number, data: Uint8Array | string, to: SockAddr, flags = 0): number => send(fd, data, flags, to);

/** One receive of at most `max` bytes; empty at end of stream. */
export function recv(fd: number, max = 65536, flags = 0): Uint8Array {
  const n = Math.min(max, maxTransfer() - 256);
  const at = scratch(n);
  const r = check(syscall(SYS.recvfrom, fd, at, n, flags, 0, 0), 'recv');
  return memory().slice(at, at + r);
}

/** One receive with the sender's address. */
export function recvfrom(fd: number, max = 65536, flags = 0): { data: Uint8Array; from: SockAddr } {
  const n = Math.min(max, maxTransfer() - 256);
  const at = scratch(n);
  const [addrAt, lenAt] = addrOut();
  const r = check(syscall(SYS.recvfrom, fd, at, n, flags, addrAt, lenAt), 'recvfrom');
  return { data: memory().slice(at, at + r), from: getAddr(addrAt, lenAt) };
}

export const shutdown = (fd: number, how: number): void => { check(syscall(SYS.shutdown, fd, how), 'shutdown'); };

export function getsockname(fd: number): SockAddr {
  const [at, lenAt] = addrOut();
  check(syscall(SYS.getsockname, fd, at, lenAt), 'getsockname');
  return getAddr(at, lenAt);
}

export function getpeername(fd: number): SockAddr {
  const [at, lenAt] = addrOut();
  check(syscall(SYS.getpeername, fd, at, lenAt), 'getpeername');
  return getAddr(at, lenAt);
}

export function setsockopt(fd: number, level: number, name: number, value: number): void {
  const at = scratch(4);
  view().setInt32(at, value, true);
  check(syscall(SYS.setsockopt, fd, level, name, at, 4), 'setsockopt');
}

/**
 * Attaches a classic BPF program (struct sock_filter[], abi/cbpf.ts) to a socket:
 * setsockopt(SOL_SOCKET, SO_ATTACH_FILTER) with a struct sock_fprog pointing at it.
 */
export function attachFilter(fd: number, program: Uint8Array): void {
  const code = scratch(Math.max(1, program.byteLength)), fprog = scratch(SOCK_FPROG_SIZE);
  memory().set(program, code);
  view().setUint16(fprog, program.byteLength / SOCK_FILTER_SIZE, true);
  view().setUint32(fprog + 4, code, true);
  check(syscall(SYS.setsockopt, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, SOCK_FPROG_SIZE), 'setsockopt');
}

/** The socket filter attached to a socket, empty without one (getsockopt SO_GET_FILTER, which counts in instructions). */
export function socketFilter(fd: number): Uint8Array {
  const countAt = scratch(4);
  view().setInt32(countAt, 0, true);
  check(syscall(SYS.getsockopt, fd, SOL_SOCKET, SO_ATTACH_FILTER, 0, countAt), 'getsockopt');
  const count = view().getInt32(countAt, true);
  if (count === 0) return new Uint8Array(0);
  // Scratch memory is given anew for each call.
  const lenAt = scratch(4), at = scratch(count * SOCK_FILTER_SIZE);
  view().setInt32(lenAt, count, true);
  check(syscall(SYS.getsockopt, fd, SOL_SOCKET, SO_ATTACH_FILTER, at, lenAt), 'getsockopt');
  return memory().slice(at, at + view().getInt32(lenAt, true) * SOCK_FILTER_SIZE);
}

/** An AF_PACKET socket's frames seen and dropped (its queue full) since the last call, which resets them (getsockopt SOL_PACKET PACKET_STATISTICS). */
export function packetStats(fd: number): { packets: number; drops: number } {
  const at = scratch(8), lenAt = scratch(4);
  view().setInt32(lenAt, 8, true);
  check(syscall(SYS.getsockopt, fd, SOL_PACKET, PACKET_STATISTICS, at, lenAt), 'getsockopt');
  return { packets: view().getUint32(at, true), drops: view().getUint32(at + 4, true) };
}

export function getsockopt(fd: number, level: number, name: number): number {
  const at = scratch(4), lenAt = scratch(4);
  view().setInt32(lenAt, 4, true);
  check(syscall(SYS.getsockopt, fd, level, name, at, lenAt), 'getsockopt');
  return view().getInt32(at, true);
}

/** A table the kernel encodes into the caller's buffer (ERANGE: a larger buffer, up to one transfer). */
function table(nr: number, name: string, size: number): unknown {
  for (;;) {
    const at = scratch(size);
    const r = syscall(nr, at, size);
    if (r === -34 /* ERANGE */ && size < maxTransfer()) { size = Math.min(size * 4, maxTransfer()); continue; }
    check(r, name);
    return decode(memory().slice(at, at + r));
  }
}

/** The socket table (ss, netstat). */
export const sockets = (): SocketInfo[] => table(SYS.sockets, 'sockets', 65536) as SocketInfo[];

/** Interfaces, addresses, routes and neighbours (ip). */
export const netinfo = (): NetInfo => table(SYS.netinfo, 'netinfo', 16384) as NetInfo;

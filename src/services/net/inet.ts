// AF_INET sockets on the TCP/IP stack (stack/): what the socket layer (sockets.ts)
// does for a TCP or UDP socket whose peer is not on the loopback network, once an
// interface is attached (`attachInterface`, called by whoever owns the NIC).
// A stream socket holds a stack Connection (`s.tcp`); a listener also holds a stack
// Listener (`s.tcpListener`) beside its loopback queue; a UDP socket's port is an
// endpoint in the stack's UDP table. The stack wakes a socket's sleepers through the
// connection's onChange; every call ends with `stack.settle()` so what it sent goes
// out and its timer is set. Loopback (127.0.0.0/8) keeps its direct path in sockets.ts.

import { KernelError, Errno } from '../../abi/errno.js';
import { AF, SOCK, type SockAddr } from '../../abi/net.js';
import { POLL } from '../../abi/syscalls.js';
import type { Clock, InterfaceConfig, Link } from './link.js';
import type { Socket } from './socket.js';
import type { Sleepers } from './sleepers.js';
import { Stack } from './stack/stack.js';
import { formatAddress, parseAddress } from './stack/address.js';
import type { UdpEndpoint } from './stack/udp.js';
import type { Buffers } from './stack/tcp/tcp.js';
import type { Grant } from '../../abi/grant.js';

/** What inet.ts needs from the socket layer. */
export interface InetHost {
  readonly sleepers: Sleepers;
  /** A new socket in the table (ENFILE when full). */
  make(family: number, type: number): Socket;
  changed(s: Socket): void;
}

const OPENING = new Set(['SYN_SENT', 'SYN_RECEIVED']);

/** A TCP connection's buffers from its socket's options: autotuned unless the application set them. */
const buffersOf = (s: Socket): Buffers => ({
  receive: s.options.receiveBuffer, send: s.options.sendBuffer, autoReceive: !s.options.receiveBufferSet, autoSend: !s.options.sendBufferSet,
});

export class Inet {
  constructor(readonly stack: Stack, private readonly host: InetHost) {}

  static attach(link: Link, config: InterfaceConfig, clock: Clock, host: InetHost): Inet {
    const stack = new Stack(clock);
    stack.attach(link, config);
    return new Inet(stack, host);
  }

  get address(): string { return formatAddress(this.stack.address); }

  /** Whether `addr` is this machine's interface address. */
  isLocal(addr: string): boolean { return parseAddress(addr) === this.stack.address; }

  private addressOf(addr: string): number {
    const a = parseAddress(addr);
    if (a === undefined) throw new KernelError(Errno.EINVAL, `bad IPv4 address ${addr}`);
    return a;
  }

  private sockAddr(a: number, port: number): SockAddr { return { family: AF.INET, addr: formatAddress(a), port }; }

  // ---- TCP ------------------------------------------------------------------------------

  /** connect() of a stream socket whose local port is bound; waits for the handshake unless non-blocking (EINPROGRESS). */
  async connect(s: Socket, addr: SockAddr, nonBlocking: boolean, waiter: number): Promise<void> {
    if (s.tcp !== undefined) {
      if (OPENING.has(s.tcp.state)) throw new KernelError(Errno.EALREADY);
      throw new KernelError(Errno.EISCONN);
    }
    const remote = this.addressOf(addr.addr);
    if (!this.stack.routable(remote)) throw new KernelError(Errno.ENETUNREACH, `${addr.addr}: no route`);
    if (addr.port === 0) throw new KernelError(Errno.ECONNREFUSED, `${addr.addr}:0`);
    const port = s.local!.port;
    if (this.stack.tcp.inUse(port, remote, addr.port)) throw new KernelError(Errno.EADDRNOTAVAIL, `${addr.addr}:${addr.port} from port ${port} is in use`);
    const c = this.stack.tcp.connect(port, remote, addr.port, buffersOf(s));
    c.noDelay = s.options.noDelay;
    c.keepAlive = s.options.keepAlive;
    c.onChange = () => this.host.changed(s);
    s.tcp = c;
    s.local = this.sockAddr(this.stack.address, port);
    s.remote = this.sockAddr(remote, addr.port);
    s.state = 'ESTABLISHED';
    this.stack.settle();
    if (nonBlocking) throw new KernelError(Errno.EINPROGRESS);
    await this.waitConnected(s, waiter);
  }

  private async waitConnected(s: Socket, waiter: number): Promise<void> {
    const c = s.tcp!;
    while (OPENING.has(c.state)) await this.host.sleepers.sleep(s.sleepers, waiter);
    if (c.state === 'CLOSED') this.fail(s);
  }

  /** Throws the connection's error once (SO_ERROR semantics), or ECONNRESET for one that is gone without one. */
  private fail(s: Socket): never {
    const c = s.tcp!;
    const e = c.error !== 0 ? c.error : Errno.ECONNRESET;
    c.error = 0;
    s.error = 0;
    throw new KernelError(e);
  }

  /** listen(): the stack also takes SYNs for this port (unless bound to a loopback address). */
  listen(s: Socket): void {
    const local = s.local!;
    if (local.addr !== '0.0.0.0' && !this.isLocal(local.addr)) return;
    if (s.tcpListener !== undefined) { s.tcpListener.backlog = s.backlog; return; }
    const l = this.stack.tcp.listen(local.port, s.backlog, buffersOf(s));
    l.noDelay = s.options.noDelay;
    l.keepAlive = s.options.keepAlive;
    l.onChange = () => this.host.changed(s);
    s.tcpListener = l;
  }

  /** A connection the stack has ready on this listener, as a new socket; undefined when none. */
  accept(s: Socket): Socket | undefined {
    const l = s.tcpListener;
    if (l === undefined) return undefined;
    const c = l.ready.shift();
    if (c === undefined) return undefined;
    c.listener = undefined;
    let n: Socket;
    try { n = this.host.make(AF.INET, SOCK.STREAM); } catch (e) { c.abort(0); this.stack.settle(); throw e; }
    n.tcp = c;
    n.state = 'ESTABLISHED';
    n.local = this.sockAddr(c.localAddress, c.localPort);
    n.remote = this.sockAddr(c.remoteAddress, c.remotePort);
    n.options.noDelay = c.noDelay;
    n.options.keepAlive = c.keepAlive;
    n.options.receiveBuffer = s.options.receiveBuffer;
    n.options.sendBuffer = s.options.sendBuffer;
    n.options.receiveBufferSet = s.options.receiveBufferSet;
    n.options.sendBufferSet = s.options.sendBufferSet;
    c.onChange = () => this.host.changed(n);
    return n;
  }

  async send(s: Socket, data: Uint8Array, nonBlocking: boolean, waiter: number): Promise<number> {
    const c = s.tcp!;
    if (OPENING.has(c.state)) {
      if (nonBlocking) throw new KernelError(Errno.EAGAIN);
      await this.waitConnected(s, waiter);
    }
    let done = 0;
    for (;;) {
      if (c.state === 'CLOSED' && c.error !== 0) { if (done > 0) return done; this.fail(s); }
      if (s.sendDone || !c.canWrite) { if (done > 0) return done; throw new KernelError(Errno.EPIPE); }
      done += c.write(data.subarray(done));
      this.stack.settle();
      if (done === data.length) return done;
      if (nonBlocking) { if (done > 0) return done; throw new KernelError(Errno.EAGAIN); }
      await this.host.sleepers.sleep(s.sleepers, waiter);
    }
  }

  async recv(s: Socket, max: number, peek: boolean, nonBlocking: boolean, waiter: number): Promise<Uint8Array | undefined> {
    const c = s.tcp!;
    for (;;) {
      if (s.closed) throw new KernelError(Errno.EBADF);
      if (c.rx.size > 0 && !s.receiveDone) {
        const data = c.read(max, peek);
        this.stack.settle();
        return data;
      }
      if (c.error !== 0) this.fail(s);
      if (c.atEnd || c.state === 'CLOSED' || s.receiveDone || max === 0) return new Uint8Array(0);
      if (nonBlocking) throw new KernelError(Errno.EAGAIN);
      await this.host.sleepers.sleep(s.sleepers, waiter);
    }
  }

  /**
   * The direct path's send (SocketLayer.directSend): served only when `send` would take
   * it without waiting and without an error; undefined otherwise (the kernel path).
   */
  directSend(s: Socket, src: Grant, nonBlocking: boolean): number | undefined {
    const c = s.tcp!;
    if (OPENING.has(c.state) || c.error !== 0 || c.state === 'CLOSED' || s.sendDone || !c.canWrite) return undefined;
    const take = directTake(src.length, c.sendBuffer.room, nonBlocking);
    if (take === undefined || take < 0) return take;
    c.writeFrom(src, take);
    this.stack.settle();
    return take;
  }

  /** The direct path's recv: what `recv` answers without waiting; undefined when it would wait (or an error it would report differently). */
  directRecv(s: Socket, dst: Grant, nonBlocking: boolean): number | undefined {
    const c = s.tcp!;
    if (c.rx.size > 0 && !s.receiveDone) {
      const n = c.readInto(dst);
      this.stack.settle();
      return n;
    }
    if (c.error !== 0) { try { this.fail(s); } catch (e) { return -(e as KernelError).errno; } }
    if (c.atEnd || c.state === 'CLOSED' || s.receiveDone || dst.length === 0) return 0;
    return nonBlocking ? -Errno.EAGAIN : undefined;
  }

  shutdown(s: Socket, read: boolean, write: boolean): void {
    const c = s.tcp!;
    if (read) { s.receiveDone = true; }
    if (write && !s.sendDone) { s.sendDone = true; c.shutdownWrite(); }
    this.stack.settle();
  }

  /** close(): the connection finishes on its own (FIN, TIME_WAIT) or is reset if data was left unread. */
  close(s: Socket): void {
    if (s.tcp !== undefined) { s.tcp.close(); s.tcp = undefined; }
    if (s.tcpListener !== undefined) { this.stack.tcp.unlisten(s.tcpListener); s.tcpListener = undefined; }
    if (s.echoBound && s.local !== undefined) { this.stack.icmp.echoListeners.delete(s.local.port); s.echoBound = false; }
    if (s.udpEndpoint !== undefined && s.local !== undefined) {
      if (this.stack.udp.ports.get(s.local.port) === s.udpEndpoint) this.stack.udp.ports.delete(s.local.port);
      s.udpEndpoint = undefined;
    }
    this.stack.settle();
  }

  poll(s: Socket): number {
    if (s.tcpListener !== undefined && s.tcpListener.ready.length > 0) return POLL.IN;
    const c = s.tcp;
    if (c === undefined) return 0;
    if (OPENING.has(c.state)) return 0;
    let r = 0;
    if (c.error !== 0) r |= POLL.ERR;
    if (c.rx.size > 0 || c.atEnd || c.state === 'CLOSED' || s.receiveDone) r |= POLL.IN;
    if (c.state === 'CLOSED' || s.sendDone || (c.canWrite && c.sendBuffer.room > 0)) r |= POLL.OUT;
    if (c.state === 'CLOSED' || (c.finReceived && s.sendDone)) r |= POLL.HUP;
    return r;
  }

  /** Applies the socket's options to its connection or listener. */
  options(s: Socket): void {
    const c = s.tcp;
    if (c !== undefined) {
      c.noDelay = s.options.noDelay;
      if (c.keepAlive !== s.options.keepAlive) { c.keepAlive = s.options.keepAlive; c.armKeepalive(); }
      // Buffers only grow on a live connection: the window already offered may not shrink.
      c.rx.capacity = Math.max(c.rx.capacity, s.options.receiveBuffer);
      c.sendBuffer.capacity = Math.max(c.sendBuffer.size, s.options.sendBuffer);
      if (s.options.receiveBufferSet) c.autoReceive = false;
      if (s.options.sendBufferSet) c.autoSend = false;
      c.output();
      this.stack.settle();
    }
    const l = s.tcpListener;
    if (l !== undefined) {
      l.noDelay = s.options.noDelay;
      l.keepAlive = s.options.keepAlive;
      l.buffers = buffersOf(s);
    }
  }

  // ---- UDP ------------------------------------------------------------------------------

  /** Puts a bound UDP socket's port in the stack's table (once). */
  bindUdp(s: Socket): void {
    if (s.udpEndpoint !== undefined || s.local === undefined) return;
    const local = s.local;
    if (local.addr !== '0.0.0.0' && !this.isLocal(local.addr)) return;
    const e: UdpEndpoint = {
      receive: (from, fromPort, data) => {
        if (s.remote !== undefined && (s.remote.port !== fromPort || this.addressOf(s.remote.addr) !== from)) return; // connected elsewhere
        if (s.datagramBytes + data.length > s.options.receiveBuffer) return; // full: dropped, as UDP does
        s.datagrams.push({ data, from: this.sockAddr(from, fromPort) });
        s.datagramBytes += data.length;
        this.host.changed(s);
      },
      error: (type, code, to, toPort) => {
        if (type === 3 && s.remote !== undefined && s.remote.port === toPort && this.addressOf(s.remote.addr) === to) {
          s.error = code === 3 ? Errno.ECONNREFUSED : Errno.EHOSTUNREACH;
          this.host.changed(s);
        }
      },
    };
    if (this.stack.udp.ports.has(local.port)) return;
    this.stack.udp.ports.set(local.port, e);
    s.udpEndpoint = e;
  }

  sendDatagram(s: Socket, data: Uint8Array, dest: SockAddr): number {
    const dst = this.addressOf(dest.addr);
    if (!this.stack.routable(dst)) throw new KernelError(Errno.ENETUNREACH, `${dest.addr}: no route`);
    this.bindUdp(s);
    this.stack.udp.send(s.local!.port, dst, dest.port, data);
    this.stack.settle();
    return data.length;
  }

  // ---- ping sockets (ping.ts) ---------------------------------------------------------------

  /** Registers a ping socket's echo id with the stack's ICMP layer (once). */
  bindEcho(s: Socket): void {
    if (s.local === undefined || this.stack.icmp.echoListeners.has(s.local.port)) return;
    this.stack.icmp.echoListeners.set(s.local.port, (r) => {
      if (s.remote !== undefined && this.addressOf(s.remote.addr) !== r.from) return;
      const reply = new Uint8Array(8 + r.payload.length);
      reply.set([0, 0, 0, 0, r.id >> 8, r.id & 0xff, r.sequence >> 8, r.sequence & 0xff]);
      reply.set(r.payload, 8);
      if (s.datagramBytes + reply.length > s.options.receiveBuffer) return;
      s.datagrams.push({ data: reply, from: this.sockAddr(r.from, 0) });
      s.datagramBytes += reply.length;
      this.host.changed(s);
    });
    s.echoBound = true;
  }

  /** Sends an echo request (made by ping.ts) through the stack. */
  sendEcho(s: Socket, request: Uint8Array, dest: SockAddr): void {
    const dst = this.addressOf(dest.addr);
    if (!this.stack.routable(dst)) throw new KernelError(Errno.ENETUNREACH, `${dest.addr}: no route`);
    this.bindEcho(s);
    this.stack.sendIp(dst, 1, request);
    this.stack.settle();
  }

  /** The connection's TCP state for the socket table (ss). */
  stateOf(s: Socket): string | undefined { return s.tcp?.state; }
}

/**
 * How much of an `n`-byte send the direct path takes when `room` bytes fit: all of it,
 * or (non-blocking) what fits, -EAGAIN when nothing does; undefined when a blocking send
 * would have to wait (the kernel path does it).
 */
export function directTake(n: number, room: number, nonBlocking: boolean): number | undefined {
  if (n > room && !nonBlocking) return undefined;
  if (n > 0 && room === 0) return -Errno.EAGAIN;
  return Math.min(n, room);
}

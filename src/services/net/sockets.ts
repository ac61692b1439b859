// The socket layer: the operations of NetService (abi/services.ts) on the socket
// table. AF_UNIX stream sockets and AF_INET sockets on the loopback network
// (127.0.0.0/8) are connected here directly, one end's sends landing in the other
// end's receive queue: one copy in, one copy out, as a Unix domain socket in Linux.
// Addresses off the loopback network go through the TCP/IP stack (inet.ts, stack/)
// once an interface is attached (`attachInterface`); without one they are ENETUNREACH.
//
// Every call checks its arguments and answers a bad one with an errno; a call that
// must wait sleeps on the socket (sleepers.ts) and checks again when woken.

import { KernelError, Errno } from '../../abi/errno.js';
import { AF, SOCK, SOCK_TYPE_MASK, IPPROTO, ETH_P_ALL_BE, PACKET_HOST, PACKET_OUTGOING, SOL_SOCKET, SO, TCP_NODELAY, SHUT, parseIpv4, type SockAddr, type SocketInfo } from '../../abi/net.js';
import type { NetService } from '../../abi/services.js';
import { POLL } from '../../abi/syscalls.js';
import { Socket, type Datagram } from './socket.js';
import { PortTable, UnixNames } from './ports.js';
import { Sleepers } from './sleepers.js';
import { Inet, directTake } from './inet.js';
import { echoReply, echoRequest } from './ping.js';
import { checkFilter, runFilter } from './socket-filter.js';
import { SO_DETACH_FILTER, SO_LOCK_FILTER, encodeFilter } from '../../abi/cbpf.js';
import type { Clock, InterfaceConfig, Link } from './link.js';
import type { Stack } from './stack/stack.js';
import type { Grant } from '../../abi/grant.js';

/** Tunables of the socket layer (the component's configuration may override them). */
export interface SocketLimits {
  /** Open sockets at most (ENFILE beyond). */
  maxSockets: number;
  /** SO_RCVBUF and SO_SNDBUF when not set, and the range a process may set them in. */
  defaultBuffer: number;
  minBuffer: number;
  maxBuffer: number;
  /** listen()'s backlog is clamped to this (SOMAXCONN). */
  maxBacklog: number;
}

export const DEFAULT_LIMITS: SocketLimits = { maxSockets: 1024, defaultBuffer: 212992, minBuffer: 2048, maxBuffer: 4 << 20, maxBacklog: 4096 };

/** The largest UDP payload over IPv4 (65535 - 20 - 8). */
export const MAX_DATAGRAM = 65507;

const ANY: SockAddr = { family: AF.INET, addr: '0.0.0.0', port: 0 };
const UNNAMED: SockAddr = { family: AF.UNIX, addr: '', port: 0 };
const isLoopback = (addr: string): boolean => parseIpv4(addr)?.[0] === 127;
const parseIpv4Number = (addr: string): number => (parseIpv4(addr) ?? [0, 0, 0, 0]).reduce((a, b) => ((a << 8) | b) >>> 0, 0);

// netinfo is the component's (component.ts): it needs the nic driver's counters.
export class SocketLayer implements Omit<NetService, 'netinfo'> {
  private readonly table = new Map<number, Socket>();
  private nextId = 1;
  private readonly tcp: PortTable;
  private readonly udp: PortTable;
  private readonly icmpIds: PortTable;
  private readonly unixNames = new UnixNames();
  readonly sleepers = new Sleepers();
  private inet: Inet | undefined;

  /** `random` (in [0, 1)) picks where each port table's ephemeral search starts; seed it in tests. */
  constructor(private readonly limits: SocketLimits = DEFAULT_LIMITS, random: () => number = Math.random) {
    this.tcp = new PortTable('tcp', random);
    this.udp = new PortTable('udp', random);
    this.icmpIds = new PortTable('icmp', random);
  }

  /**
   * Attaches a network interface: AF_INET sockets whose peers are off the loopback
   * network then go through a TCP/IP stack on `link`. The caller (the NIC's side)
   * hands each arriving frame to the returned stack's `receive`.
   */
  attachInterface(link: Link, config: InterfaceConfig, clock: Clock): Stack {
    if (this.inet !== undefined) throw new KernelError(Errno.EEXIST, 'an interface is already attached');
    const inet = Inet.attach(link, config, clock, { sleepers: this.sleepers, make: (f, t) => this.make(f, t), changed: (x) => this.changed(x) });
    this.inet = inet;
    for (const x of this.table.values()) if (x.family === AF.INET && x.type === SOCK.DGRAM) { if (x.icmp) inet.bindEcho(x); else inet.bindUdp(x); }
    return inet.stack;
  }

  /** Whether `addr` is reached through the stack (an interface exists and it is not loopback). */
  private offLoopback(addr: string): Inet | undefined {
    return this.inet !== undefined && !isLoopback(addr) && addr !== '0.0.0.0' ? this.inet : undefined;
  }

  get open(): number { return this.table.size; }

  private get(id: unknown): Socket {
    const s = typeof id === 'number' ? this.table.get(id) : undefined;
    if (s === undefined) throw new KernelError(Errno.EBADF, `no socket ${String(id)}`);
    return s;
  }

  private make(family: number, type: number): Socket {
    if (this.table.size >= this.limits.maxSockets) throw new KernelError(Errno.ENFILE, 'socket table full');
    const s = new Socket(this.nextId++, family, type, { receiveBuffer: this.limits.defaultBuffer, sendBuffer: this.limits.defaultBuffer });
    this.table.set(s.id, s);
    return s;
  }

  private changed(s: Socket | undefined): void { if (s !== undefined) this.sleepers.wake(s.sleepers); }

  /** Reports and clears a pending error (ECONNRESET, ECONNREFUSED ...). */
  private takeError(s: Socket): void {
    if (s.error === 0) return;
    const e = s.error;
    s.error = 0;
    throw new KernelError(e);
  }

  // ---- making and naming sockets --------------------------------------------------

  async socket(family: number, type: number, protocol: number): Promise<number> {
    const kind = type & SOCK_TYPE_MASK;
    if (family === AF.PACKET) return this.captureSocket(kind, protocol);
    if (family !== AF.INET && family !== AF.UNIX) throw new KernelError(Errno.EAFNOSUPPORT, `address family ${family}`);
    if (kind !== SOCK.STREAM && kind !== SOCK.DGRAM) throw new KernelError(Errno.EPROTONOSUPPORT, `socket type ${kind}`);
    if (family === AF.UNIX && kind !== SOCK.STREAM) throw new KernelError(Errno.EPROTONOSUPPORT, 'AF_UNIX supports SOCK_STREAM only');
    const ping = family === AF.INET && kind === SOCK.DGRAM && protocol === IPPROTO.ICMP;
    if (family === AF.INET && protocol !== 0 && protocol !== (kind === SOCK.STREAM ? IPPROTO.TCP : IPPROTO.UDP) && !ping) {
      throw new KernelError(Errno.EPROTONOSUPPORT, `protocol ${protocol} with socket type ${kind}`);
    }
    if (ping) { const s = this.make(family, kind); s.icmp = true; return s.id; }
    if (family === AF.UNIX && protocol !== 0) throw new KernelError(Errno.EPROTONOSUPPORT, `protocol ${protocol} on AF_UNIX`);
    return this.make(family, kind).id;
  }

  // ---- AF_PACKET: a read-only tap on eth0 ---------------------------------------------
  // (the kernel lets only root make one). Every frame eth0 receives or sends is copied
  // to each capture socket's datagram queue, bounded by its receive buffer (a full queue
  // drops the frame and counts it); frames an XDP program dropped in the driver never
  // reach net, so they are not seen, as on Linux. Nothing can be sent or bound.

  private readonly taps = new Set<Socket>();

  private captureSocket(kind: number, protocol: number): number {
    if (kind !== SOCK.RAW) throw new KernelError(Errno.EPROTONOSUPPORT, 'AF_PACKET supports SOCK_RAW only');
    if (protocol !== ETH_P_ALL_BE) throw new KernelError(Errno.EPROTONOSUPPORT, `AF_PACKET protocol ${protocol}: only htons(ETH_P_ALL)`);
    if (this.inet === undefined) throw new KernelError(Errno.ENODEV, 'no network device to capture on');
    const s = this.make(AF.PACKET, SOCK.RAW);
    s.local = { family: AF.PACKET, addr: 'eth0', port: PACKET_HOST };
    this.taps.add(s);
    return s.id;
  }

  /** Whether any capture socket (AF_PACKET) is open. */
  get capturing(): boolean { return this.taps.size > 0; }

  /**
   * Copies `frame` to every capture socket whose filter passes it (`outgoing` for a
   * frame eth0 sends). A rejected frame is neither copied nor counted, as on Linux,
   * where tp_packets counts the frames that passed the filter; one that passes is cut
   * to the length the filter answered.
   */
  capture(frame: Uint8Array, outgoing: boolean): void {
    if (this.taps.size === 0) return;
    for (const s of this.taps) {
      if (s.receiveDone) continue;
      const keep = s.filter === undefined ? frame.length : Math.min(runFilter(s.filter, frame), frame.length);
      if (keep === 0) continue;
      if (s.datagramBytes + keep > s.options.receiveBuffer) { s.captureDrops++; continue; }
      s.datagrams.push({ data: frame.slice(0, keep), from: { family: AF.PACKET, addr: 'eth0', port: outgoing ? PACKET_OUTGOING : PACKET_HOST } });
      s.datagramBytes += keep;
      s.captureQueued++;
      this.changed(s);
    }
  }

  /** PACKET_STATISTICS: frames seen (queued or dropped) and dropped since the last read, which resets them (as on Linux). */
  async captureStats(id: number): Promise<{ packets: number; drops: number }> {
    const s = this.get(id);
    if (s.family !== AF.PACKET) throw new KernelError(Errno.ENOPROTOOPT, 'PACKET_STATISTICS on a socket that is not AF_PACKET');
    const stats = { packets: s.captureQueued + s.captureDrops, drops: s.captureDrops };
    s.captureQueued = 0;
    s.captureDrops = 0;
    return stats;
  }

  /**
   * SO_ATTACH_FILTER: checks `program` (struct sock_filter[]; EINVAL and nothing
   * changed if it is refused) and puts it in front of the socket's queue, replacing
   * the one before. Capture sockets only (ENOTSUP on others); EPERM once locked.
   */
  async attachFilter(id: number, program: Uint8Array): Promise<void> {
    const s = this.get(id);
    if (s.family !== AF.PACKET) throw new KernelError(Errno.ENOTSUP, 'socket filters are for AF_PACKET sockets only');
    if (!(program instanceof Uint8Array)) throw new KernelError(Errno.EINVAL);
    if (s.filterLocked) throw new KernelError(Errno.EPERM, 'the socket filter is locked');
    s.filter = checkFilter(program);
  }

  /** SO_GET_FILTER: the attached filter's instructions (empty without one). */
  async filterProgram(id: number): Promise<Uint8Array> {
    const s = this.get(id);
    return encodeFilter(s.filter ?? []);
  }

  /** SO_DETACH_FILTER (ENOENT without one, EPERM once locked) and SO_LOCK_FILTER (set once, never cleared). */
  private filterOption(s: Socket, name: number, value: number): void {
    if (s.filterLocked && (name === SO_DETACH_FILTER || value === 0)) throw new KernelError(Errno.EPERM, 'the socket filter is locked');
    if (name === SO_LOCK_FILTER) { s.filterLocked = value !== 0; return; }
    if (s.filter === undefined) throw new KernelError(Errno.ENOENT, 'no socket filter attached');
    s.filter = undefined;
  }

  /** Refuses what a capture socket cannot do. */
  private notOnCapture(s: Socket, what: string): void {
    if (s.family === AF.PACKET) throw new KernelError(Errno.ENOTSUP, `${what} on an AF_PACKET socket (capture only)`);
  }

  async pair(family: number, type: number): Promise<{ a: number; b: number }> {
    if (family !== AF.UNIX) throw new KernelError(Errno.ENOTSUP, 'socketpair needs AF_UNIX');
    if ((type & SOCK_TYPE_MASK) !== SOCK.STREAM) throw new KernelError(Errno.EPROTONOSUPPORT, 'AF_UNIX supports SOCK_STREAM only');
    if (this.table.size + 2 > this.limits.maxSockets) throw new KernelError(Errno.ENFILE, 'socket table full');
    const a = this.make(AF.UNIX, SOCK.STREAM), b = this.make(AF.UNIX, SOCK.STREAM);
    a.remote = UNNAMED; b.remote = UNNAMED;
    this.join(a, b);
    return { a: a.id, b: b.id };
  }

  async bind(id: number, addr: SockAddr): Promise<void> {
    const s = this.get(id);
    this.notOnCapture(s, 'bind');
    if (s.local !== undefined) throw new KernelError(Errno.EINVAL, 'socket is already bound');
    this.checkFamily(s, addr);
    if (s.family === AF.UNIX) {
      this.unixNames.bind(s, addr.addr);
      s.local = { family: AF.UNIX, addr: addr.addr, port: 0 };
    } else {
      if (addr.addr !== '0.0.0.0' && !isLoopback(addr.addr) && this.inet?.isLocal(addr.addr) !== true) throw new KernelError(Errno.EADDRNOTAVAIL, `${addr.addr} is not an address of this machine`);
      const port = this.ports(s).bind(s, addr.port);
      s.local = { family: AF.INET, addr: addr.addr, port };
      if (s.type === SOCK.DGRAM) { if (s.icmp) this.inet?.bindEcho(s); else this.inet?.bindUdp(s); }
    }
    if (s.state === 'CLOSED') s.state = 'BOUND';
  }

  async listen(id: number, backlog: number): Promise<void> {
    const s = this.get(id);
    this.notOnCapture(s, 'listen');
    if (s.type !== SOCK.STREAM) throw new KernelError(Errno.ENOTSUP, 'listen on a datagram socket');
    if (s.state === 'ESTABLISHED') throw new KernelError(Errno.EINVAL, 'socket is connected');
    if (s.local === undefined) {
      if (s.family === AF.UNIX) throw new KernelError(Errno.EINVAL, 'listen on an unbound AF_UNIX socket');
      await this.bind(id, ANY);
    }
    if (s.family === AF.INET && !this.tcp.canListen(s, s.local!.port)) throw new KernelError(Errno.EADDRINUSE, `tcp port ${s.local!.port}`);
    s.backlog = Math.max(1, Math.min(Number.isInteger(backlog) ? backlog : 1, this.limits.maxBacklog));
    s.state = 'LISTEN';
    if (s.family === AF.INET) this.inet?.listen(s);
  }

  async localAddress(id: number): Promise<SockAddr> {
    const s = this.get(id);
    return s.local ?? (s.family === AF.UNIX ? UNNAMED : ANY);
  }

  async remoteAddress(id: number): Promise<SockAddr> {
    const s = this.get(id);
    if (s.remote === undefined) throw new KernelError(Errno.ENOTCONN);
    return s.remote;
  }

  private ports(s: Socket): PortTable { return s.type === SOCK.STREAM ? this.tcp : s.icmp ? this.icmpIds : this.udp; }

  private checkFamily(s: Socket, addr: SockAddr): void {
    if (addr.family !== s.family) throw new KernelError(Errno.EAFNOSUPPORT, `address family ${addr.family} on a socket of family ${s.family}`);
    if (s.family === AF.INET) {
      if (parseIpv4(addr.addr) === undefined) throw new KernelError(Errno.EINVAL, `bad IPv4 address ${addr.addr}`);
      if (!Number.isInteger(addr.port) || addr.port < 0 || addr.port > 65535) throw new KernelError(Errno.EINVAL, `bad port ${addr.port}`);
    } else if (addr.addr.length === 0) {
      throw new KernelError(Errno.EINVAL, 'empty AF_UNIX path');
    }
  }

  // ---- connections ------------------------------------------------------------------

  private join(a: Socket, b: Socket): void {
    a.peer = b; b.peer = a;
    a.state = 'ESTABLISHED'; b.state = 'ESTABLISHED';
  }

  async connect(id: number, addr: SockAddr, nonBlocking: boolean, waiter: number): Promise<void> {
    const s = this.get(id);
    this.notOnCapture(s, 'connect');
    this.checkFamily(s, addr);
    const inet = s.family === AF.INET ? this.offLoopback(addr.addr) : undefined;
    if (s.type === SOCK.DGRAM) {
      // A datagram socket only remembers its default destination.
      if (inet !== undefined && !inet.stack.routable(parseIpv4Number(addr.addr))) throw new KernelError(Errno.ENETUNREACH, `${addr.addr}: no route`);
      if (inet === undefined && !isLoopback(addr.addr) && addr.addr !== '0.0.0.0') throw new KernelError(Errno.ENETUNREACH, `${addr.addr}: no route (loopback only)`);
      if (s.local === undefined) await this.bind(id, ANY);
      s.remote = { ...addr, addr: addr.addr === '0.0.0.0' ? '127.0.0.1' : addr.addr };
      return;
    }
    if (s.tcp !== undefined) return inet !== undefined ? inet.connect(s, addr, nonBlocking, waiter) : Promise.reject(new KernelError(Errno.EISCONN));
    if (s.state === 'ESTABLISHED') throw new KernelError(Errno.EISCONN);
    if (s.state === 'LISTEN') throw new KernelError(Errno.EINVAL, 'connect on a listening socket');
    if (inet !== undefined) {
      if (s.local === undefined) await this.bind(id, ANY);
      return inet.connect(s, addr, nonBlocking, waiter);
    }
    for (;;) {
      const listener = this.findListener(s, addr);
      if (listener.pending.length < listener.backlog) {
        if (s.local === undefined) {
          if (s.family === AF.INET) await this.bind(id, { family: AF.INET, addr: '127.0.0.1', port: 0 });
        }
        const server = this.make(s.family, SOCK.STREAM);
        server.options.receiveBuffer = listener.options.receiveBuffer;
        server.rx.capacity = listener.options.receiveBuffer;
        server.options.noDelay = listener.options.noDelay;
        server.options.keepAlive = listener.options.keepAlive;
        server.local = s.family === AF.INET ? { family: AF.INET, addr: isLoopback(addr.addr) ? addr.addr : '127.0.0.1', port: listener.local!.port } : listener.local;
        server.remote = s.local ?? UNNAMED;
        s.remote = s.family === AF.INET ? { ...server.local! } : { ...listener.local! };
        this.join(s, server);
        listener.pending.push(server);
        this.changed(listener);
        return;
      }
      // The backlog is full: a real peer would drop the SYN and the client retry.
      if (nonBlocking) throw new KernelError(Errno.EAGAIN, 'listen backlog full');
      await this.sleepers.sleep(listener.sleepers, waiter);
    }
  }

  private findListener(s: Socket, addr: SockAddr): Socket {
    if (s.family === AF.UNIX) {
      const l = this.unixNames.lookup(addr.addr);
      if (l === undefined) throw new KernelError(Errno.ENOENT, addr.addr);
      if (l.state !== 'LISTEN') throw new KernelError(Errno.ECONNREFUSED, addr.addr);
      return l;
    }
    if (!isLoopback(addr.addr) && addr.addr !== '0.0.0.0') throw new KernelError(Errno.ENETUNREACH, `${addr.addr}: no route (loopback only)`);
    const l = this.tcp.lookup(addr.port);
    if (l === undefined || l.state !== 'LISTEN' || addr.port === 0) throw new KernelError(Errno.ECONNREFUSED, `${addr.addr}:${addr.port}`);
    if (l.local!.addr !== '0.0.0.0' && l.local!.addr !== addr.addr && addr.addr !== '0.0.0.0') throw new KernelError(Errno.ECONNREFUSED, `${addr.addr}:${addr.port}`);
    return l;
  }

  async accept(id: number, nonBlocking: boolean, waiter: number): Promise<{ id: number; peer: SockAddr }> {
    const s = this.get(id);
    this.notOnCapture(s, 'accept');
    for (;;) {
      if (s.closed) throw new KernelError(Errno.EBADF);
      if (s.state !== 'LISTEN') throw new KernelError(Errno.EINVAL, 'accept on a socket that does not listen');
      const c = s.pending.shift() ?? this.inet?.accept(s);
      if (c !== undefined) {
        this.changed(s);
        return { id: c.id, peer: c.remote ?? UNNAMED };
      }
      if (nonBlocking) throw new KernelError(Errno.EAGAIN);
      await this.sleepers.sleep(s.sleepers, waiter);
    }
  }

  // ---- data -------------------------------------------------------------------------

  async send(id: number, data: Uint8Array, to: SockAddr | undefined, nonBlocking: boolean, waiter: number): Promise<number> {
    const s = this.get(id);
    this.notOnCapture(s, 'send');
    if (!(data instanceof Uint8Array)) throw new KernelError(Errno.EINVAL);
    if (s.type === SOCK.DGRAM) return this.sendDatagram(s, data, to ?? undefined);
    if (s.tcp !== undefined) return this.inet!.send(s, data, nonBlocking, waiter);
    this.takeError(s);
    if (to !== undefined && to !== null && s.state !== 'ESTABLISHED') throw new KernelError(Errno.ENOTSUP, 'sendto with an address on a stream socket');
    if (s.state !== 'ESTABLISHED') throw new KernelError(Errno.ENOTCONN);
    let done = 0;
    for (;;) {
      if (s.sendDone) { if (done > 0) return done; throw new KernelError(Errno.EPIPE); }
      const peer = s.peer;
      if (peer === undefined || peer.closed || peer.receiveDone) {
        if (done > 0) return done;
        this.takeError(s);
        throw new KernelError(Errno.EPIPE);
      }
      done += peer.rx.push(data.subarray(done));
      if (done > 0) this.changed(peer);
      if (done === data.length) return done;
      if (nonBlocking) { if (done > 0) return done; throw new KernelError(Errno.EAGAIN); }
      await this.sleepers.sleep(s.sleepers, waiter);
    }
  }

  private sendDatagram(s: Socket, data: Uint8Array, to: SockAddr | undefined): number {
    this.takeError(s);
    const dest = to ?? s.remote;
    if (dest === undefined) throw new KernelError(Errno.EDESTADDRREQ);
    this.checkFamily(s, dest);
    if (data.length > MAX_DATAGRAM) throw new KernelError(Errno.EMSGSIZE, `${data.length} bytes`);
    if (s.icmp) return this.sendEcho(s, data, dest);
    const inet = this.offLoopback(dest.addr);
    if (inet !== undefined) {
      if (dest.port === 0) throw new KernelError(Errno.EINVAL, 'port 0');
      if (s.local === undefined) { s.local = { family: AF.INET, addr: '0.0.0.0', port: this.udp.bind(s, 0) }; s.state = 'BOUND'; }
      return inet.sendDatagram(s, data, dest);
    }
    if (!isLoopback(dest.addr) && dest.addr !== '0.0.0.0') throw new KernelError(Errno.ENETUNREACH, `${dest.addr}: no route (loopback only)`);
    if (dest.port === 0) throw new KernelError(Errno.EINVAL, 'port 0');
    if (s.local === undefined) s.local = { family: AF.INET, addr: '0.0.0.0', port: this.udp.bind(s, 0) };
    if (s.state === 'CLOSED') s.state = 'BOUND';
    const target = this.udp.lookup(dest.port);
    if (target === undefined || target.closed) {
      // ICMP port unreachable: a connected socket hears of it at its next call.
      if (to === undefined) s.error = Errno.ECONNREFUSED;
      return data.length;
    }
    const from: SockAddr = { family: AF.INET, addr: s.local.addr === '0.0.0.0' ? '127.0.0.1' : s.local.addr, port: s.local.port };
    if (target.remote !== undefined && (target.remote.port !== from.port)) return data.length; // connected elsewhere: filtered
    // A full receive queue drops the datagram, as UDP does.
    if (target.datagramBytes + data.length > target.options.receiveBuffer) return data.length;
    const d: Datagram = { data: data.slice(), from };
    target.datagrams.push(d);
    target.datagramBytes += data.length;
    this.changed(target);
    return data.length;
  }

  /** A ping socket's send: an echo request, answered here on loopback or sent through the stack. */
  private sendEcho(s: Socket, data: Uint8Array, dest: SockAddr): number {
    if (s.local === undefined) { s.local = { family: AF.INET, addr: '0.0.0.0', port: this.icmpIds.bind(s, 0) }; s.state = 'BOUND'; this.inet?.bindEcho(s); }
    const request = echoRequest(data, s.local.port);
    const inet = this.offLoopback(dest.addr);
    if (inet !== undefined) { inet.sendEcho(s, request, dest); return data.length; }
    if (!isLoopback(dest.addr) && dest.addr !== '0.0.0.0') throw new KernelError(Errno.ENETUNREACH, `${dest.addr}: no route (loopback only)`);
    const reply = echoReply(request);
    // The loopback interface answers at once; a full receive queue drops the reply, as for UDP.
    if (s.datagramBytes + reply.length <= s.options.receiveBuffer) {
      s.datagrams.push({ data: reply, from: { family: AF.INET, addr: dest.addr === '0.0.0.0' ? '127.0.0.1' : dest.addr, port: 0 } });
      s.datagramBytes += reply.length;
      this.changed(s);
    }
    return data.length;
  }

  async recv(id: number, max: number, peek: boolean, nonBlocking: boolean, waiter: number): Promise<{ data: Uint8Array; from: SockAddr }> {
    const s = this.get(id);
    if (!Number.isInteger(max) || max < 0) throw new KernelError(Errno.EINVAL);
    for (;;) {
      if (s.closed) throw new KernelError(Errno.EBADF);
      if (s.type === SOCK.DGRAM || s.family === AF.PACKET) {
        this.takeError(s);
        const d = s.datagrams[0];
        if (d !== undefined) {
          if (!peek) { s.datagrams.shift(); s.datagramBytes -= d.data.length; }
          return { data: d.data.subarray(0, max), from: d.from };
        }
        if (s.receiveDone) return { data: new Uint8Array(0), from: ANY };
      } else {
        if (s.state !== 'ESTABLISHED') throw new KernelError(Errno.ENOTCONN);
        if (s.tcp !== undefined) {
          const data = await this.inet!.recv(s, max, peek, nonBlocking, waiter);
          if (data !== undefined) return { data, from: s.remote ?? ANY };
        }
        if (s.rx.size > 0 && !s.receiveDone) {
          const data = s.rx.take(max, peek);
          if (!peek) this.changed(s.peer);
          return { data, from: s.remote ?? UNNAMED };
        }
        this.takeError(s);
        if (s.peerDone || s.receiveDone || max === 0) return { data: new Uint8Array(0), from: s.remote ?? UNNAMED };
      }
      if (nonBlocking) throw new KernelError(Errno.EAGAIN);
      await this.sleepers.sleep(s.sleepers, waiter);
    }
  }

  // ---- the direct path (kernel/component/direct-server.ts) ------------------------------
  // A process's read, write, send and recv on a stream socket, from its page to net's
  // server: served only when the call would not wait, and then answered exactly as
  // `send` and `recv` would answer it; undefined means "not served here", and the
  // process traps into the kernel, whose path does it with all its checks (EPIPE and
  // SIGPIPE, ENOTCONN, EINTR, a connection still opening, a call that must wait).
  // The bytes move once, between the process's memory (the grant) and the socket's buffer.

  /** A send without an address: whole, or (non-blocking) what fits, EAGAIN when nothing does. */
  directSend(id: number, src: Grant, nonBlocking: boolean): number | undefined {
    const s = this.table.get(id);
    if (s === undefined || s.closed || s.type !== SOCK.STREAM || s.family === AF.PACKET) return undefined;
    if (s.tcp !== undefined) return this.inet?.directSend(s, src, nonBlocking);
    const peer = s.peer;
    if (s.error !== 0 || s.state !== 'ESTABLISHED' || s.sendDone || peer === undefined || peer.closed || peer.receiveDone) return undefined;
    const take = directTake(src.length, peer.rx.room, nonBlocking);
    if (take === undefined || take < 0) return take;
    peer.rx.pushFrom(src, take);
    if (take > 0) this.changed(peer);
    return take;
  }

  /** A recv without MSG_PEEK: what is queued, end of stream (0) or the pending error; EAGAIN (non-blocking) when it would wait. */
  directRecv(id: number, dst: Grant, nonBlocking: boolean): number | undefined {
    const s = this.table.get(id);
    if (s === undefined || s.closed || s.type !== SOCK.STREAM || s.family === AF.PACKET || s.state !== 'ESTABLISHED') return undefined;
    if (s.tcp !== undefined) return this.inet?.directRecv(s, dst, nonBlocking);
    if (s.rx.size > 0 && !s.receiveDone) {
      const n = s.rx.takeInto(dst);
      this.changed(s.peer);
      return n;
    }
    if (s.error !== 0) { const e = s.error; s.error = 0; return -e; }
    if (s.peerDone || s.receiveDone || dst.length === 0) return 0;
    return nonBlocking ? -Errno.EAGAIN : undefined;
  }

  async shut(id: number, how: number): Promise<void> {
    const s = this.get(id);
    if (how !== SHUT.RD && how !== SHUT.WR && how !== SHUT.RDWR) throw new KernelError(Errno.EINVAL, `shutdown how ${how}`);
    if (s.type === SOCK.STREAM && s.state !== 'ESTABLISHED') throw new KernelError(Errno.ENOTCONN);
    if (s.tcp !== undefined) { this.inet!.shutdown(s, how !== SHUT.WR, how !== SHUT.RD); this.changed(s); return; }
    if (how !== SHUT.WR) { s.receiveDone = true; s.rx.clear(); }
    if (how !== SHUT.RD && !s.sendDone) {
      s.sendDone = true;
      if (s.peer !== undefined) { s.peer.peerDone = true; this.changed(s.peer); }
    }
    this.changed(s);
  }

  async close(id: number): Promise<void> {
    const s = this.get(id);
    this.table.delete(id);
    s.closed = true;
    if (this.taps.delete(s)) { this.changed(s); return; }
    this.inet?.close(s);
    if (s.local !== undefined) {
      if (s.family === AF.UNIX) this.unixNames.release(s.local.addr, s);
      // Accepted connections hold no entry of their own (they share the listener's port): releasing is by identity.
      else this.ports(s).release(s, s.local.port);
    }
    // Connections never accepted are reset.
    for (const c of s.pending.splice(0)) { c.closed = true; this.table.delete(c.id); this.abort(c.peer, Errno.ECONNRESET); }
    const peer = s.peer;
    if (peer !== undefined) {
      // Unread data at close means the peer's data was lost: the peer is reset (RST), as in TCP.
      if (s.rx.size > 0 && s.family === AF.INET) this.abort(peer, Errno.ECONNRESET);
      else { peer.peerDone = true; peer.peer = undefined; this.changed(peer); }
    }
    s.peer = undefined;
    s.rx.clear();
    this.changed(s);
  }

  private abort(s: Socket | undefined, errno: number): void {
    if (s === undefined) return;
    s.error = errno;
    s.peerDone = true;
    s.peer = undefined;
    s.rx.clear();
    this.changed(s);
  }

  // ---- options and readiness ----------------------------------------------------------

  async setOption(id: number, level: number, name: number, value: number): Promise<void> {
    const s = this.get(id);
    await this.setSocketOption(s, level, name, value);
    if (level === SOL_SOCKET) this.inet?.options(s);
  }

  private async setSocketOption(s: Socket, level: number, name: number, value: number): Promise<void> {
    if (!Number.isInteger(value)) throw new KernelError(Errno.EINVAL);
    const clamp = (v: number): number => Math.max(this.limits.minBuffer, Math.min(this.limits.maxBuffer, v * 2));
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO.REUSEADDR: s.options.reuseAddress = value !== 0; return;
        case SO.KEEPALIVE: s.options.keepAlive = value !== 0; return;
        // Linux doubles the value asked for (bookkeeping overhead) and clamps it.
        case SO.RCVBUF: s.options.receiveBuffer = clamp(value); s.options.receiveBufferSet = true; s.rx.capacity = Math.max(s.rx.capacity, s.options.receiveBuffer); return;
        case SO.SNDBUF: s.options.sendBuffer = clamp(value); s.options.sendBufferSet = true; return;
        case SO_DETACH_FILTER: case SO_LOCK_FILTER: this.filterOption(s, name, value); return;
      }
    } else if (level === IPPROTO.TCP && s.family === AF.INET && s.type === SOCK.STREAM && name === TCP_NODELAY) {
      s.options.noDelay = value !== 0;
      this.inet?.options(s);
      return;
    }
    throw new KernelError(Errno.ENOPROTOOPT, `option ${level}/${name}`);
  }

  async getOption(id: number, level: number, name: number): Promise<number> {
    const s = this.get(id);
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO.REUSEADDR: return s.options.reuseAddress ? 1 : 0;
        case SO.KEEPALIVE: return s.options.keepAlive ? 1 : 0;
        // A TCP connection's buffers may have grown (autotuning); Linux reports the size they have now.
        case SO.RCVBUF: return Math.max(s.options.receiveBuffer, s.tcp?.rx.capacity ?? 0);
        case SO.SNDBUF: return Math.max(s.options.sendBuffer, s.tcp?.sendBuffer.capacity ?? 0);
        case SO.TYPE: return s.type;
        case SO_LOCK_FILTER: return s.filterLocked ? 1 : 0;
        case SO.ERROR: {
          const e = s.error !== 0 ? s.error : s.tcp?.error ?? 0;
          s.error = 0;
          if (s.tcp !== undefined) s.tcp.error = 0;
          return e;
        }
      }
    } else if (level === IPPROTO.TCP && s.family === AF.INET && s.type === SOCK.STREAM && name === TCP_NODELAY) {
      return s.options.noDelay ? 1 : 0;
    }
    throw new KernelError(Errno.ENOPROTOOPT, `option ${level}/${name}`);
  }

  async poll(id: number): Promise<number> {
    const s = this.get(id);
    let r = 0;
    if (s.error !== 0) r |= POLL.ERR;
    if (s.family === AF.PACKET) return r | (s.datagrams.length > 0 || s.receiveDone ? POLL.IN : 0);
    if (s.type === SOCK.DGRAM) {
      if (s.datagrams.length > 0 || s.receiveDone) r |= POLL.IN;
      return r | POLL.OUT;
    }
    if (s.state === 'LISTEN') return r | (s.pending.length > 0 ? POLL.IN : 0) | (this.inet?.poll(s) ?? 0);
    if (s.tcp !== undefined) return r | this.inet!.poll(s);
    if (s.state !== 'ESTABLISHED') return r | POLL.OUT | POLL.HUP;
    if (s.rx.size > 0 || s.peerDone || s.receiveDone) r |= POLL.IN;
    const peer = s.peer;
    if (peer === undefined || peer.closed) { if (s.peerDone) r |= POLL.HUP; r |= POLL.OUT; }
    else if (peer.rx.room > 0 || s.sendDone) r |= POLL.OUT;
    if (s.peerDone && s.sendDone) r |= POLL.HUP;
    return r;
  }

  async cancel(waiter: number): Promise<void> { this.sleepers.cancel(waiter); }

  async sockets(): Promise<SocketInfo[]> {
    const show = (a: SockAddr | undefined, family: number): string =>
      a === undefined ? (family === AF.UNIX ? '' : '*:*') : family === AF.UNIX || family === AF.PACKET ? a.addr : `${a.addr === '0.0.0.0' ? '*' : a.addr}:${a.port === 0 ? '*' : a.port}`;
    return [...this.table.values()].map((s) => ({
      id: s.id, family: s.family, type: s.type,
      state: s.family === AF.PACKET ? 'UNCONN' : s.type === SOCK.DGRAM ? (s.remote !== undefined ? 'ESTABLISHED' : 'UNCONN') : s.tcp?.state ?? (s.state === 'ESTABLISHED' && s.peerDone ? 'CLOSE_WAIT' : s.state),
      local: show(s.local, s.family), remote: show(s.remote, s.family),
      recvQueue: s.type === SOCK.DGRAM || s.family === AF.PACKET ? s.datagramBytes : s.state === 'LISTEN' ? s.pending.length + (s.tcpListener?.ready.length ?? 0) : s.tcp?.rx.size ?? s.rx.size,
      sendQueue: s.tcp?.sendBuffer.size ?? (s.type === SOCK.STREAM && s.peer !== undefined ? s.peer.rx.size : 0),
      ...(s.tcp !== undefined && s.tcp.synchronized ? { tcp: s.tcp.info() } : {}),
    }));
  }
}

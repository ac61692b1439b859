// TCP's demultiplexer: connections by their 4-tuple, listeners by port, the initial
// sequence numbers (RFC 6528: a clock plus a keyed hash of the 4-tuple, so a new
// incarnation of a 4-tuple starts above the old one), RSTs for segments nobody owns
// (RFC 9293 3.10.7.1), the listen backlog (a SYN beyond it is dropped, as Linux does,
// and the peer retries) and reuse of a 4-tuple in TIME_WAIT by a new SYN whose
// sequence number lies beyond the old connection's (RFC 1122 4.2.2.13).
// The per-connection state machine is connection.ts.

import { FLAG, parseTcpOf, tcpLength, writeTcpOf, type TcpSegment } from '../../wire/tcp.js';
import { PROTOCOL } from '../../wire/ipv4.js';
import { Connection, type ConnectionHost, type OutSegment } from './connection.js';
import { seqAdd, seqGt } from './seq.js';
import { TCP_TUNABLES, type TcpTunables } from './tunables.js';

/** What TCP needs from the IP layer. */
export interface TcpIpHost {
  now(): number;
  localAddress(): number;
  mtu(): number;
  sendIp(dst: number, protocol: number, payload: Uint8Array): boolean;
  /** Sends a datagram of `length` bytes that `write` puts at `at` in `buffer` (into the frame itself when it can). */
  sendIpWith(dst: number, protocol: number, length: number, write: (buffer: Uint8Array, at: number) => void, gso?: number): boolean;
  /** The largest IPv4 datagram the link takes as one large TCP segment (segmentation offload); 0: none. */
  gsoMax?(): number;
}

/** A connection's buffer sizes; `autoReceive`/`autoSend`: the size may grow (the application did not set it). */
export interface Buffers { receive: number; send: number; autoReceive?: boolean; autoSend?: boolean }

export class Listener {
  /** Connections established and not yet accepted. */
  readonly ready: Connection[] = [];
  readonly halfOpen = new Set<Connection>();
  noDelay = false;
  keepAlive = false;
  onChange: (() => void) | undefined;
  closed = false;
  constructor(readonly address: number, readonly port: number, public backlog: number, public buffers: Buffers) {}
}

const key = (la: number, lp: number, ra: number, rp: number): string => `${la}:${lp}:${ra}:${rp}`;
const EMPTY = new Uint8Array(0);

export class Tcp implements ConnectionHost {
  readonly connections = new Map<string, Connection>();
  readonly listeners = new Map<number, Listener>();
  readonly tunables: TcpTunables;
  private readonly secret: number;
  readonly stats = { received: 0, bad: 0, resetsSent: 0, synDropped: 0 };
  /** Bytes all connections' buffers grew by through autotuning (bounded by tunables.memMax). */
  grown = 0;

  constructor(private readonly ip: TcpIpHost, random: () => number, tunables: Partial<TcpTunables> = {}) {
    this.tunables = { ...TCP_TUNABLES, ...tunables };
    this.secret = random() >>> 0;
  }

  now(): number { return this.ip.now(); }

  /** Lets a connection's buffers grow by `bytes` if all connections' growth stays within memMax. */
  reserveGrowth(bytes: number): boolean {
    if (this.grown + bytes > this.tunables.memMax) return false;
    this.grown += bytes;
    return true;
  }

  releaseGrowth(bytes: number): void { this.grown = Math.max(0, this.grown - bytes); }

  private isn(la: number, lp: number, ra: number, rp: number): number {
    // FNV-1a over the 4-tuple and the secret, plus a 250 kHz clock (RFC 6528's 4 us tick).
    let h = 0x811c9dc5 ^ this.secret;
    for (const v of [la, lp, ra, rp, this.secret]) for (let i = 0; i < 4; i++) { h ^= (v >>> (8 * i)) & 0xff; h = Math.imul(h, 0x01000193); }
    return (h + Math.floor(this.ip.now() * 250)) >>> 0;
  }

  output(c: Connection, s: OutSegment): void {
    this.send(c.localAddress, c.localPort, c.remoteAddress, c.remotePort, s);
  }

  private send(la: number, lp: number, ra: number, rp: number, s: OutSegment): void {
    const segment: TcpSegment = { seq: s.seq, ack: s.ack, flags: s.flags, window: s.window, options: s.options, payload: s.payload, srcPort: lp, dstPort: rp };
    this.ip.sendIpWith(ra, PROTOCOL.TCP, tcpLength(segment), (buffer, at) => { writeTcpOf(buffer, at, segment, la, ra); }, s.gso);
  }

  established(c: Connection): void {
    const l = c.listener as Listener | undefined;
    if (l === undefined) return;
    l.halfOpen.delete(c);
    if (l.closed) { c.listener = undefined; c.abort(0); return; }
    l.ready.push(c);
    l.onChange?.();
  }

  // ---- batches: ACKs owed while a batch of frames is delivered go out at its end ----
  private batching = false;
  private readonly owed = new Set<Connection>();

  /** A batch of arriving frames begins (Stack.receiveAll). */
  beginBatch(): void { this.batching = true; }

  /** The batch ended: each connection that owes an ACK sends one, covering the whole batch. */
  endBatch(): void {
    this.batching = false;
    for (const c of this.owed) c.ackNow();
    this.owed.clear();
  }

  gsoMax(): number { return this.ip.gsoMax?.() ?? 0; }

  deferAck(c: Connection): boolean {
    if (!this.batching) return false;
    this.owed.add(c);
    return true;
  }

  removed(c: Connection): void {
    this.owed.delete(c);
    const k = key(c.localAddress, c.localPort, c.remoteAddress, c.remotePort);
    if (this.connections.get(k) === c) this.connections.delete(k);
    const l = c.listener as Listener | undefined;
    if (l !== undefined) {
      l.halfOpen.delete(c);
      const i = l.ready.indexOf(c);
      if (i >= 0) l.ready.splice(i, 1);
    }
  }

  /** Whether a new connection fits: at the limit, the oldest in TIME_WAIT makes way. */
  private room(): boolean {
    if (this.connections.size < this.tunables.maxConnections) return true;
    for (const c of this.connections.values()) if (c.state === 'TIME_WAIT') { c.abort(0); return true; }
    return false;
  }

  /** Opens a connection (sends the SYN). Caller checks the port is free. */
  connect(localPort: number, remote: number, remotePort: number, buffers: Buffers): Connection {
    this.room();
    const la = this.ip.localAddress();
    const c = new Connection(this, la, localPort, remote, remotePort, this.isn(la, localPort, remote, remotePort), this.ip.mtu(), buffers);
    this.connections.set(key(la, localPort, remote, remotePort), c);
    c.open();
    return c;
  }

  /** True when a connection uses this local port with this remote end. */
  inUse(localPort: number, remote: number, remotePort: number): boolean {
    return this.connections.has(key(this.ip.localAddress(), localPort, remote, remotePort));
  }

  listen(port: number, backlog: number, buffers: Buffers): Listener {
    const l = new Listener(0, port, backlog, buffers);
    this.listeners.set(port, l);
    return l;
  }

  /** Closes a listener: connections never accepted are reset. */
  unlisten(l: Listener): void {
    l.closed = true;
    if (this.listeners.get(l.port) === l) this.listeners.delete(l.port);
    for (const c of [...l.ready, ...l.halfOpen]) { c.listener = undefined; c.abort(0); }
    l.ready.length = 0;
    l.halfOpen.clear();
  }

  input(src: number, dst: number, payload: Uint8Array): void {
    this.stats.received++;
    const s = parseTcpOf(payload, src, dst);
    if (s === undefined) { this.stats.bad++; return; }
    const k = key(dst, s.dstPort, src, s.srcPort);
    const c = this.connections.get(k);
    if (c !== undefined) {
      // A new SYN for a 4-tuple in TIME_WAIT, beyond the old connection's sequence space, starts a new connection.
      if (c.state === 'TIME_WAIT' && s.flags === FLAG.SYN && seqGt(s.seq, c.rcvNxt) && this.listeners.has(s.dstPort)) {
        c.abort(0);
      } else { c.input(s); return; }
    }
    const l = this.listeners.get(s.dstPort);
    if (l === undefined || (l.address !== 0 && l.address !== dst)) { this.reset(src, dst, s); return; }
    if ((s.flags & FLAG.RST) !== 0) return;
    if ((s.flags & FLAG.ACK) !== 0) { this.reset(src, dst, s); return; }
    if ((s.flags & FLAG.SYN) === 0) return;
    if (l.ready.length + l.halfOpen.size >= l.backlog || !this.room()) { this.stats.synDropped++; return; }
    const n = new Connection(this, dst, s.dstPort, src, s.srcPort, this.isn(dst, s.dstPort, src, s.srcPort), this.ip.mtu(), l.buffers);
    n.listener = l;
    n.noDelay = l.noDelay;
    n.keepAlive = l.keepAlive;
    l.halfOpen.add(n);
    this.connections.set(k, n);
    n.accept(s);
  }

  /** An RST answering a segment that belongs to no connection (never one answering an RST). */
  private reset(src: number, dst: number, s: TcpSegment): void {
    if ((s.flags & FLAG.RST) !== 0) return;
    this.stats.resetsSent++;
    const len = s.payload.length + ((s.flags & FLAG.SYN) !== 0 ? 1 : 0) + ((s.flags & FLAG.FIN) !== 0 ? 1 : 0);
    const r: OutSegment = (s.flags & FLAG.ACK) !== 0
      ? { seq: s.ack, ack: 0, flags: FLAG.RST, window: 0, options: {}, payload: EMPTY }
      : { seq: 0, ack: seqAdd(s.seq, len), flags: FLAG.RST | FLAG.ACK, window: 0, options: {}, payload: EMPTY };
    this.send(dst, s.dstPort, src, s.srcPort, r);
  }

  /** An ICMP error about a segment we sent: a hard error (port or protocol unreachable) ends a connection still opening. */
  error(quotedSrcPort: number, quotedDst: number, quotedDstPort: number, errno: number): void {
    const c = this.connections.get(key(this.ip.localAddress(), quotedSrcPort, quotedDst, quotedDstPort));
    if (c === undefined) return;
    // Soft errors on an open connection are ignored, as RFC 1122 4.2.3.9 allows.
    if (c.state === 'SYN_SENT') c.abort(errno);
  }

  deadline(): number {
    let d = Infinity;
    for (const c of this.connections.values()) d = Math.min(d, c.deadline());
    return d;
  }

  onTimer(now: number): void {
    for (const c of [...this.connections.values()]) if (c.deadline() <= now) c.onTimer(now);
  }
}

// The TCP/IP stack of one machine, lwIP/smoltcp-shaped: one file per protocol
// (arp.ts, ipv4.ts, icmp.ts, udp.ts, tcp/), tied together here. It is pure code,
// driven from outside (link.ts): `receive(frame)` for each frame that arrives (or
// `receiveAll(frames)` for a batch, answered by one ACK per connection), the
// injected Clock for time (one timer at a time, for the earliest deadline of any
// layer), and the Link to send. Every entry point ends in `settle()`, which delivers
// packets the stack sent to its own address and asks the clock for the next timer.
//
//   frame -> receive -> Ethernet -> ARP (arp.ts)
//                                -> IPv4 (ipv4.ts: checks, reassembly) -> ICMP | UDP | TCP
//   socket call -> tcp/udp -> sendIp -> route, fragment (ipv4.ts) -> ARP -> link.transmit
//
// The socket layer (sockets.ts) calls into `tcp` and `udp` and then `settle()`.

import type { Clock, InterfaceConfig, Link } from '../link.js';
import { Errno } from '../../../abi/errno.js';
import { ETHERNET_HEADER, ETHERTYPE, parseEthernet } from '../wire/ethernet.js';
import { ICMP } from '../wire/icmp.js';
import { IPV4_HEADER, PROTOCOL, buildIpv4, parseIpv4, type Ipv4Packet } from '../wire/ipv4.js';
import { fromBytes, toBytes } from './address.js';
import { ARP_LIMITS, type ArpLimits } from './arp.js';
import { Icmp, ICMP_CODE } from './icmp.js';
import { Interface } from './interface.js';
import { Reassembler, REASSEMBLY_LIMITS, fragment, type ReassemblyLimits } from './ipv4.js';
import { Tcp } from './tcp/tcp.js';
import type { TcpTunables } from './tcp/tunables.js';
import { Udp } from './udp.js';

export interface StackOptions {
  /** Source of randomness (ISN secret); seed it in tests. */
  random?: () => number;
  tcp?: Partial<TcpTunables>;
  reassembly?: ReassemblyLimits;
  arp?: ArpLimits;
}

/** Packets to our own address waiting for delivery within one settle(). */
const LOOP_LIMIT = 1024;

export class Stack {
  private iface: Interface | undefined;
  readonly reassembler: Reassembler;
  readonly icmp: Icmp;
  readonly udp: Udp;
  readonly tcp: Tcp;
  private ipId = 1;
  private timerAt = Infinity;
  private cancelTimer: (() => void) | undefined;
  private readonly loop: Uint8Array[] = [];
  private settling = false;
  readonly stats = { framesIn: 0, framesOut: 0, ipIn: 0, ipBad: 0, ipNotOurs: 0, noRoute: 0 };

  constructor(readonly clock: Clock, private readonly options: StackOptions = {}) {
    const random = options.random ?? (() => Math.floor(Math.random() * 2 ** 32));
    this.reassembler = new Reassembler(options.reassembly ?? REASSEMBLY_LIMITS);
    this.reassembler.onTimeout = (first) => this.reassemblyTimeout(first);
    this.icmp = new Icmp({
      now: () => this.now(),
      sendIp: (dst, protocol, payload) => { this.sendIp(dst, protocol, payload); },
      transportError: (protocol, quoted, type, code) => this.transportError(protocol, quoted, type, code),
    });
    this.udp = new Udp({
      localAddress: () => this.address,
      sendIp: (dst, protocol, payload) => this.sendIp(dst, protocol, payload),
      portUnreachable: (original, toBroadcast) => this.icmp.error(ICMP.DEST_UNREACHABLE, ICMP_CODE.PORT_UNREACHABLE, original, toBroadcast),
    });
    this.tcp = new Tcp({
      now: () => this.now(),
      localAddress: () => this.address,
      mtu: () => this.iface?.mtu ?? 1500,
      sendIp: (dst, protocol, payload) => this.sendIp(dst, protocol, payload),
      sendIpWith: (dst, protocol, length, write, gso) => this.sendIpWith(dst, protocol, length, write, gso),
      gsoMax: () => this.iface?.gsoMax ?? 0,
    }, random, options.tcp);
  }

  now(): number { return this.clock.now(); }

  /** Attaches the interface (one per stack for now). */
  attach(link: Link, config: InterfaceConfig): Interface {
    this.iface = new Interface(link, { ...config }, this.options.arp ?? ARP_LIMITS);
    return this.iface;
  }

  get interface(): Interface | undefined { return this.iface; }
  get address(): number { return this.iface?.address ?? 0; }

  // ---- in -------------------------------------------------------------------------

  /** One Ethernet frame from the link. Never throws; a malformed frame is dropped. */
  receive(frame: Uint8Array): void {
    this.input(frame);
    this.settle();
  }

  /**
   * Frames that arrived together (one receive from the NIC): each is taken in as by
   * `receive`, and the ACKs they earn go out once, at the end (tcp.ts endBatch), so a
   * batch of data segments is answered by one ACK per connection, not one per two.
   */
  receiveAll(frames: readonly Uint8Array[]): void {
    this.tcp.beginBatch();
    try {
      for (const f of frames) this.input(f);
    } finally { this.tcp.endBatch(); }
    this.settle();
  }

  private input(frame: Uint8Array): void {
    this.stats.framesIn++;
    const iface = this.iface;
    const e = parseEthernet(frame);
    if (iface !== undefined && e !== undefined) {
      const forUs = e.dst.every((b, i) => b === iface.link.mac[i]);
      const broadcast = e.dst.every((b) => b === 0xff);
      if (forUs || broadcast) {
        if (e.type === ETHERTYPE.ARP) iface.arp.input(e.payload, this.now());
        else if (e.type === ETHERTYPE.IPV4) this.ipInput(e.payload);
      }
    }
  }

  private ipInput(raw: Uint8Array): void {
    const iface = this.iface!;
    const p = parseIpv4(raw);
    if (p === undefined) { this.stats.ipBad++; return; }
    this.stats.ipIn++;
    const src = fromBytes(p.src), dst = fromBytes(p.dst);
    const broadcast = iface.isBroadcast(dst);
    if ((dst !== iface.address && !broadcast) || iface.isBroadcast(src) || src === 0) { this.stats.ipNotOurs++; return; }
    let payload = p.payload;
    if (p.moreFragments || p.fragmentOffset > 0) {
      const whole = this.reassembler.input(p, src, dst, this.now());
      if (whole === undefined) return;
      payload = whole;
    }
    switch (p.protocol) {
      case PROTOCOL.ICMP: if (!broadcast) this.icmp.input(src, payload); break; // broadcast echoes are ignored, as Linux does by default
      case PROTOCOL.UDP: this.udp.input(src, dst, payload, raw, broadcast); break;
      case PROTOCOL.TCP: if (!broadcast) this.tcp.input(src, dst, payload); break;
      default: this.icmp.error(ICMP.DEST_UNREACHABLE, ICMP_CODE.PROTOCOL_UNREACHABLE, raw, broadcast);
    }
  }

  private transportError(protocol: number, quoted: Ipv4Packet, type: number, code: number): void {
    if (fromBytes(quoted.src) !== this.address) return;
    const dst = fromBytes(quoted.dst);
    if (protocol === PROTOCOL.UDP) this.udp.error(type, code, dst, quoted.payload);
    else if (protocol === PROTOCOL.TCP && type === ICMP.DEST_UNREACHABLE && quoted.payload.length >= 4) {
      const srcPort = (quoted.payload[0]! << 8) | quoted.payload[1]!, dstPort = (quoted.payload[2]! << 8) | quoted.payload[3]!;
      const errno = code === ICMP_CODE.PORT_UNREACHABLE || code === ICMP_CODE.PROTOCOL_UNREACHABLE ? Errno.ECONNREFUSED : Errno.EHOSTUNREACH;
      this.tcp.error(srcPort, dst, dstPort, errno);
    }
  }

  private reassemblyTimeout(first: Ipv4Packet): void {
    // Quote the first fragment's header and 8 bytes (RFC 792's time exceeded, code 1).
    const raw = buildIpv4({ src: first.src, dst: first.dst, protocol: first.protocol, id: first.id, ttl: first.ttl }, first.payload.subarray(0, 8));
    this.icmp.error(ICMP.TIME_EXCEEDED, ICMP_CODE.FRAGMENT_REASSEMBLY, raw, false);
  }

  // ---- out ------------------------------------------------------------------------

  /** Sends an IPv4 datagram from our address; false when there is no route (no interface, no gateway). */
  sendIp(dst: number, protocol: number, payload: Uint8Array): boolean {
    const iface = this.iface;
    if (iface === undefined || payload.length + IPV4_HEADER > 65535) { this.stats.noRoute++; return false; }
    const id = this.ipId;
    this.ipId = (this.ipId + 1) & 0xffff;
    if (dst === iface.address) {
      if (this.loop.length < LOOP_LIMIT) this.loop.push(buildIpv4({ src: toBytes(dst), dst: toBytes(dst), protocol, id }, payload));
      return true;
    }
    const now = this.now();
    if (iface.transmitDirect(dst, { src: this.addressBytes(iface.address), dst: toBytes(dst), protocol, id }, payload, now)) { this.stats.framesOut++; return true; }
    const packets = fragment(iface.address, dst, protocol, id, payload, iface.mtu);
    if (!iface.transmit(dst, packets, now)) { this.stats.noRoute++; return false; }
    this.stats.framesOut += packets.length;
    return true;
  }

  /**
   * Sends a datagram of `length` bytes that `write` puts at `at` in `buffer`: straight
   * into the frame when one frame carries it to a known next hop (the payload is then
   * copied once, by `write`), else into a datagram of its own for sendIp's general path.
   */
  sendIpWith(dst: number, protocol: number, length: number, write: (buffer: Uint8Array, at: number) => void, gso?: number): boolean {
    const iface = this.iface;
    if (iface !== undefined && dst !== iface.address) {
      // A large TCP segment (gso: its mss) goes to the link whole, to be cut there (segmentation offload).
      const large = gso !== undefined && length + IPV4_HEADER > iface.mtu;
      const frame = iface.frameFor(dst, { src: this.addressBytes(iface.address), dst: this.destinationBytes(dst), protocol, id: this.ipId }, length, this.now(), large);
      if (frame !== undefined) {
        // A large segment's frames take one identification each (as the device numbers them).
        this.ipId = (this.ipId + (large ? Math.ceil((length - 20) / gso) : 1)) & 0xffff;
        write(frame, ETHERNET_HEADER + IPV4_HEADER);
        if (large) iface.link.transmit(frame, gso); else iface.link.transmit(frame);
        this.stats.framesOut++;
        return true;
      }
    }
    const payload = new Uint8Array(length);
    write(payload, 0);
    return this.sendIp(dst, protocol, payload);
  }

  private cachedDestination: { address: number; bytes: Uint8Array } | undefined;
  private destinationBytes(a: number): Uint8Array {
    if (this.cachedDestination?.address !== a) this.cachedDestination = { address: a, bytes: toBytes(a) };
    return this.cachedDestination.bytes;
  }

  private cachedAddress: { address: number; bytes: Uint8Array } | undefined;
  private addressBytes(a: number): Uint8Array {
    if (this.cachedAddress?.address !== a) this.cachedAddress = { address: a, bytes: toBytes(a) };
    return this.cachedAddress.bytes;
  }

  /** True when `dst` can be reached (on the interface's network, or a gateway exists). */
  routable(dst: number): boolean { return this.iface !== undefined && (dst === this.iface.address || this.iface.nextHop(dst) !== undefined); }

  // ---- time -----------------------------------------------------------------------

  /** Delivers packets sent to ourselves and sets the timer for the next deadline. Call after any use of tcp/udp. */
  settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      for (let n = 0; this.loop.length > 0 && n < LOOP_LIMIT; n++) this.ipInput(this.loop.shift()!);
    } finally { this.settling = false; }
    const d = Math.min(this.reassembler.deadline(), this.iface?.arp.deadline() ?? Infinity, this.tcp.deadline());
    // NOTE: a timer already set for no later than `d` is kept (it finds nothing due, or
    // less than it was set for, and sets the next one): every ACK moves the
    // retransmission deadline, and replacing the host's timer per segment cost more
    // than the rest of the segment's bookkeeping. Only an earlier deadline, or none at
    // all, replaces it.
    if (d === this.timerAt || (d !== Infinity && this.timerAt <= d)) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = d;
    if (d !== Infinity) this.cancelTimer = this.clock.setTimer(d, () => this.onTimer());
  }

  private onTimer(): void {
    this.timerAt = Infinity;
    this.cancelTimer = undefined;
    const now = this.now();
    this.iface?.arp.onTimer(now);
    this.reassembler.onTimer(now);
    this.tcp.onTimer(now);
    this.settle();
  }
}

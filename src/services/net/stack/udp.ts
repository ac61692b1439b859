// UDP (RFC 768) on the stack: a table of bound ports; a datagram for a port nobody
// holds is answered with ICMP port unreachable, and an ICMP error about a datagram we
// sent reaches the port that sent it (a connected socket reports ECONNREFUSED).

import { buildUdp, parseUdp } from '../wire/udp.js';
import { PROTOCOL } from '../wire/ipv4.js';
import { toBytes } from './address.js';

export interface UdpEndpoint {
  receive(from: number, fromPort: number, data: Uint8Array, to: number): void;
  /** An ICMP error about a datagram this port sent to `to`:`toPort`. */
  error?(type: number, code: number, to: number, toPort: number): void;
}

export interface UdpHost {
  localAddress(): number;
  sendIp(dst: number, protocol: number, payload: Uint8Array): boolean;
  portUnreachable(original: Uint8Array, toBroadcast: boolean): void;
}

export class Udp {
  readonly ports = new Map<number, UdpEndpoint>();
  readonly stats = { received: 0, delivered: 0, noPort: 0, bad: 0, sent: 0 };

  constructor(private readonly host: UdpHost) {}

  input(src: number, dst: number, payload: Uint8Array, original: Uint8Array, toBroadcast: boolean): void {
    this.stats.received++;
    const d = parseUdp(payload, toBytes(src), toBytes(dst));
    if (d === undefined) { this.stats.bad++; return; }
    const e = this.ports.get(d.dstPort);
    if (e === undefined) { this.stats.noPort++; this.host.portUnreachable(original, toBroadcast); return; }
    this.stats.delivered++;
    e.receive(src, d.srcPort, d.payload.slice(), dst);
  }

  /** False when there is no route to `dst`. */
  send(srcPort: number, dst: number, dstPort: number, data: Uint8Array): boolean {
    this.stats.sent++;
    return this.host.sendIp(dst, PROTOCOL.UDP, buildUdp(srcPort, dstPort, data, toBytes(this.host.localAddress()), toBytes(dst)));
  }

  error(type: number, code: number, quotedDst: number, quotedUdp: Uint8Array): void {
    if (quotedUdp.length < 8) return;
    const srcPort = (quotedUdp[0]! << 8) | quotedUdp[1]!, dstPort = (quotedUdp[2]! << 8) | quotedUdp[3]!;
    this.ports.get(srcPort)?.error?.(type, code, quotedDst, dstPort);
  }
}

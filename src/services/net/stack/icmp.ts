// ICMP (RFC 792, RFC 1122 3.2.2): echo requests are answered; echo replies go to
// whoever registered the echo id (ping sockets); destination-unreachable messages are
// handed to the transport that sent the quoted packet (UDP's port unreachable becomes
// ECONNREFUSED on a connected socket). Errors we send quote the offending header and
// 8 bytes of its payload, are never sent about an ICMP error, a broadcast or a
// fragment other than the first, and are rate limited (a token bucket, as Linux's
// icmp_ratelimit) so a flood cannot turn the stack into an amplifier.

import { ICMP, buildIcmp, parseIcmp } from '../wire/icmp.js';
import { parseIpv4, type Ipv4Packet } from '../wire/ipv4.js';
import { fromBytes } from './address.js';

export const ICMP_CODE = { NET_UNREACHABLE: 0, HOST_UNREACHABLE: 1, PROTOCOL_UNREACHABLE: 2, PORT_UNREACHABLE: 3, FRAGMENT_REASSEMBLY: 1 } as const;

/** What ICMP needs from the IP layer. */
export interface IcmpHost {
  now(): number;
  sendIp(dst: number, protocol: number, payload: Uint8Array): void;
  /** The transport of the quoted packet learns of an error (protocol, quoted packet). */
  transportError(protocol: number, quoted: Ipv4Packet, type: number, code: number): void;
}

export interface EchoReply { from: number; id: number; sequence: number; payload: Uint8Array }

export class Icmp {
  private tokens: number;
  private refilled: number;
  /** Echo ids with a listener (ping sockets). */
  readonly echoListeners = new Map<number, (r: EchoReply) => void>();
  readonly stats = { echoAnswered: 0, errorsSent: 0, errorsLimited: 0, received: 0 };

  constructor(private readonly host: IcmpHost, private readonly burst = 50, private readonly perSecond = 100) {
    this.tokens = burst;
    this.refilled = host.now();
  }

  input(src: number, payload: Uint8Array): void {
    const m = parseIcmp(payload);
    if (m === undefined) return;
    this.stats.received++;
    if (m.type === ICMP.ECHO_REQUEST && m.code === 0) {
      this.stats.echoAnswered++;
      this.host.sendIp(src, 1, buildIcmp(ICMP.ECHO_REPLY, 0, m.rest, m.payload));
    } else if (m.type === ICMP.ECHO_REPLY) {
      const id = (m.rest[0]! << 8) | m.rest[1]!;
      this.echoListeners.get(id)?.({ from: src, id, sequence: (m.rest[2]! << 8) | m.rest[3]!, payload: m.payload.slice() });
    } else if (m.type === ICMP.DEST_UNREACHABLE || m.type === ICMP.TIME_EXCEEDED) {
      // The quoted header plus at least 8 bytes; parse it leniently (its total length covers more than was quoted).
      const quoted = quotedPacket(m.payload);
      if (quoted !== undefined) this.host.transportError(quoted.protocol, quoted, m.type, m.code);
    }
  }

  /** Sends an error about `original` (the raw IPv4 packet), unless a rule or the rate limit forbids it. */
  error(type: number, code: number, original: Uint8Array, toBroadcast: boolean): void {
    const p = parseIpv4(original);
    if (p === undefined || toBroadcast || p.fragmentOffset !== 0) return;
    if (p.protocol === 1) {
      const inner = parseIcmp(p.payload);
      if (inner === undefined || (inner.type !== ICMP.ECHO_REQUEST && inner.type !== ICMP.ECHO_REPLY)) return;
    }
    const now = this.host.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilled) * this.perSecond) / 1000);
    this.refilled = now;
    if (this.tokens < 1) { this.stats.errorsLimited++; return; }
    this.tokens--;
    this.stats.errorsSent++;
    const headerLength = (original[0]! & 0xf) * 4;
    const quote = original.subarray(0, Math.min(original.length, headerLength + 8));
    this.host.sendIp(fromBytes(p.src), 1, buildIcmp(type, code, new Uint8Array(4), quote));
  }
}

function quotedPacket(q: Uint8Array): Ipv4Packet | undefined {
  if (q.length < 28 || q[0]! >> 4 !== 4) return undefined;
  const headerLength = (q[0]! & 0xf) * 4;
  if (headerLength < 20 || q.length < headerLength + 8) return undefined;
  // Rewrite the quoted total length to what was quoted, so the strict parser accepts it after fixing the checksum.
  const copy = q.slice();
  copy[2] = copy.length >> 8; copy[3] = copy.length & 0xff;
  copy[10] = 0; copy[11] = 0;
  let s = 0;
  for (let i = 0; i < headerLength; i += 2) s += (copy[i]! << 8) | copy[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  copy[10] = c >> 8; copy[11] = c & 0xff;
  return parseIpv4(copy);
}

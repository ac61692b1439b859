// UDP datagrams (RFC 768) with the checksum over the IPv4 pseudo-header. A received
// checksum of 0 means "none" (allowed over IPv4); a computed 0 is sent as 0xffff.

import { finish, sum } from './checksum.js';
import { PROTOCOL, pseudoHeaderSum } from './ipv4.js';

export const UDP_HEADER = 8;

export interface UdpDatagram { srcPort: number; dstPort: number; payload: Uint8Array }

export function parseUdp(d: Uint8Array, src: Uint8Array, dst: Uint8Array): UdpDatagram | undefined {
  if (d.length < UDP_HEADER) return undefined;
  const length = (d[4]! << 8) | d[5]!;
  if (length < UDP_HEADER || length > d.length) return undefined;
  const wire = (d[6]! << 8) | d[7]!;
  if (wire !== 0 && finish(sum(d.subarray(0, length), pseudoHeaderSum(src, dst, PROTOCOL.UDP, length))) !== 0) return undefined;
  return { srcPort: (d[0]! << 8) | d[1]!, dstPort: (d[2]! << 8) | d[3]!, payload: d.subarray(UDP_HEADER, length) };
}

export function buildUdp(srcPort: number, dstPort: number, payload: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const d = new Uint8Array(UDP_HEADER + payload.length);
  d[0] = srcPort >> 8; d[1] = srcPort & 0xff;
  d[2] = dstPort >> 8; d[3] = dstPort & 0xff;
  d[4] = d.length >> 8; d[5] = d.length & 0xff;
  d.set(payload, UDP_HEADER);
  const c = finish(sum(d, pseudoHeaderSum(src, dst, PROTOCOL.UDP, d.length))) || 0xffff;
  d[6] = c >> 8; d[7] = c & 0xff;
  return d;
}

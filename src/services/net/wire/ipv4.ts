// IPv4 headers (RFC 791): parsing checks the version, header length, total length and
// header checksum, and says whether the packet is a fragment; building writes a
// 20-byte header (no options) with its checksum. Fragment reassembly belongs to the
// layer above (stack/ipv4.ts).

import { checksum, sum } from './checksum.js';

export const IPV4_HEADER = 20;
export const PROTOCOL = { ICMP: 1, TCP: 6, UDP: 17 } as const;

export interface Ipv4Packet {
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  ttl: number;
  id: number;
  /** More fragments, and the fragment's offset in bytes. */
  moreFragments: boolean;
  fragmentOffset: number;
  payload: Uint8Array;
}

/** The packet, or undefined when it is malformed (bad version, lengths or checksum). */
export function parseIpv4(p: Uint8Array): Ipv4Packet | undefined {
  if (p.length < IPV4_HEADER || p[0]! >> 4 !== 4) return undefined;
  const headerLength = (p[0]! & 0xf) * 4;
  const total = (p[2]! << 8) | p[3]!;
  if (headerLength < IPV4_HEADER || total < headerLength || total > p.length) return undefined;
  if (checksum(p.subarray(0, headerLength)) !== 0) return undefined;
  const flags = (p[6]! << 8) | p[7]!;
  return {
    src: p.subarray(12, 16), dst: p.subarray(16, 20), protocol: p[9]!, ttl: p[8]!, id: (p[4]! << 8) | p[5]!,
    moreFragments: (flags & 0x2000) !== 0, fragmentOffset: (flags & 0x1fff) * 8,
    payload: p.subarray(headerLength, total),
  };
}

export interface Ipv4Fields {
  src: Uint8Array; dst: Uint8Array; protocol: number; ttl?: number; id?: number; dontFragment?: boolean;
  /** A fragment: more follow, and this one's offset in bytes (a multiple of 8). */
  moreFragments?: boolean; fragmentOffset?: number;
}

export function buildIpv4(h: Ipv4Fields, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(IPV4_HEADER + payload.length);
  const total = p.length;
  p[0] = 0x45;
  p[2] = total >> 8; p[3] = total & 0xff;
  const id = h.id ?? 0;
  p[4] = id >> 8; p[5] = id & 0xff;
  const offset8 = (h.fragmentOffset ?? 0) >> 3;
  p[6] = (h.dontFragment === true ? 0x40 : 0) | (h.moreFragments === true ? 0x20 : 0) | (offset8 >> 8);
  p[7] = offset8 & 0xff;
  p[8] = h.ttl ?? 64;
  p[9] = h.protocol;
  p.set(h.src.subarray(0, 4), 12);
  p.set(h.dst.subarray(0, 4), 16);
  const c = checksum(p.subarray(0, IPV4_HEADER));
  p[10] = c >> 8; p[11] = c & 0xff;
  p.set(payload, IPV4_HEADER);
  return p;
}

/** The running sum of the TCP/UDP pseudo-header (RFC 768, RFC 9293). */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  const b = new Uint8Array(12);
  b.set(src.subarray(0, 4), 0);
  b.set(dst.subarray(0, 4), 4);
  b[9] = protocol;
  b[10] = length >> 8; b[11] = length & 0xff;
  return sum(b);
}

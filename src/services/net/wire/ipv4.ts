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
  writeIpv4Header(p, 0, h, payload.length);
  p.set(payload, IPV4_HEADER);
  return p;
}

/** Writes a 20-byte header (with its checksum) at `at` in `p`, for a payload of `length` bytes. */
export function writeIpv4Header(buffer: Uint8Array, at: number, h: Ipv4Fields, length: number): void {
  const p = buffer.subarray(at, at + IPV4_HEADER);
  const total = IPV4_HEADER + length;
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
  const c = checksum(p);
  p[10] = c >> 8; p[11] = c & 0xff;
}

/** The running sum of the TCP/UDP pseudo-header (RFC 768, RFC 9293). */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  // The 12 bytes (source, destination, zero, protocol, length) summed as 16-bit words without building them.
  const s = ((src[0]! << 8) | src[1]!) + ((src[2]! << 8) | src[3]!) + ((dst[0]! << 8) | dst[1]!) + ((dst[2]! << 8) | dst[3]!) + protocol + (length & 0xffff);
  return sum(new Uint8Array(0), s);
}

/** pseudoHeaderSum for addresses as uint32 (10.0.2.15 = 0x0a00020f): no byte arrays made. */
export function pseudoHeaderSumOf(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + (length & 0xffff);
}

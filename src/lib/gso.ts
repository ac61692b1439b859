// Segmentation offload's wire side (abi/device.ts "Segmentation offload"): checking a
// large IPv4/TCP segment a driver or a device hands over, and cutting it into the run
// of <= MTU frames it stands for, as a NIC with TSO (or Linux's software GSO) does:
// each frame gets the headers with its own IPv4 total length, identification (the
// large segment's, plus one per frame) and header checksum, its TCP sequence number
// and checksum; PSH and FIN stay on the last frame only, CWR on the first.

import { finish, sum } from './checksum.js';

/** The largest Ethernet frame (header + 1500 bytes, no FCS, no VLAN tag): abi/device.ts NIC_MAX_FRAME. */
export const MAX_FRAME = 1514;
/** The largest large segment: an Ethernet header and the largest IPv4 datagram (abi/device.ts NIC_MAX_GSO_FRAME). */
export const GSO_MAX_FRAME = 14 + 65535;
/** The smallest mss a large segment may name (abi/device.ts NIC_GSO_MSS_MIN). */
export const GSO_MSS_MIN = 88;
const NIC_MAX_FRAME = MAX_FRAME, NIC_MAX_GSO_FRAME = GSO_MAX_FRAME, NIC_GSO_MSS_MIN = GSO_MSS_MIN;

const ETH = 14;
const TCP_FIN = 0x01, TCP_PSH = 0x08, TCP_CWR = 0x80, TCP_SYN = 0x02, TCP_RST = 0x04;

/** Where a large segment's headers end: its IPv4 header length and all its headers (Ethernet, IPv4, TCP). */
export interface GsoShape { ipHeader: number; headers: number }

/**
 * The shape of `frame` when it is a large segment a device may carry with `mss` on a
 * link of IP MTU `mtu`: longer than a frame, at most NIC_MAX_GSO_FRAME, Ethernet
 * IPv4 (not a fragment, total length matching the frame) carrying TCP with data and
 * neither SYN nor RST, and each piece of `mss` bytes fitting the MTU. Undefined otherwise.
 */
export function gsoShape(frame: Uint8Array, mss: number, mtu: number): GsoShape | undefined {
  if (!(frame instanceof Uint8Array) || frame.length <= NIC_MAX_FRAME || frame.length > NIC_MAX_GSO_FRAME) return undefined;
  if (!Number.isInteger(mss) || mss < NIC_GSO_MSS_MIN) return undefined;
  if (frame[12] !== 0x08 || frame[13] !== 0x00 || (frame[ETH]! >> 4) !== 4) return undefined;
  const ipHeader = (frame[ETH]! & 0x0f) * 4;
  if (ipHeader < 20) return undefined;
  const total = (frame[ETH + 2]! << 8) | frame[ETH + 3]!;
  if (total !== frame.length - ETH || frame[ETH + 9] !== 6) return undefined;
  if ((frame[ETH + 6]! & 0x3f) !== 0 || frame[ETH + 7] !== 0) return undefined; // MF or an offset: a fragment
  const tcpAt = ETH + ipHeader;
  if (tcpAt + 20 > frame.length) return undefined;
  const tcpHeader = (frame[tcpAt + 12]! >> 4) * 4;
  const headers = tcpAt + tcpHeader;
  if (tcpHeader < 20 || headers >= frame.length) return undefined;
  if ((frame[tcpAt + 13]! & (TCP_SYN | TCP_RST)) !== 0) return undefined;
  if (mss + ipHeader + tcpHeader > mtu) return undefined;
  return { ipHeader, headers };
}

/** How many frames a large segment of `length` bytes with `headers` bytes of headers stands for. */
export function gsoCount(length: number, headers: number, mss: number): number {
  return Math.ceil((length - headers) / mss);
}

/**
 * Cuts a large segment (checked by gsoShape) into its frames, each a view of one new
 * buffer (8-aligned, so checksums sum by words). A frame that is not a large segment
 * comes back alone.
 */
export function gsoSegment(frame: Uint8Array, mss: number, shape: GsoShape): Uint8Array[] {
  const { ipHeader, headers } = shape;
  const tcpAt = ETH + ipHeader;
  const payload = frame.length - headers;
  const n = Math.ceil(payload / mss);
  const stride = (headers + mss + 7) & ~7;
  const buffer = new Uint8Array(stride * n);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  const id = view.getUint16(ETH + 4), seq = view.getUint32(tcpAt + 4);
  const flags = frame[tcpAt + 13]!;
  const pseudo = sum(frame.subarray(ETH + 12, ETH + 20), 6);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const from = headers + i * mss, len = Math.min(mss, frame.length - from);
    const f = buffer.subarray(i * stride, i * stride + headers + len);
    f.set(frame.subarray(0, headers));
    f.set(frame.subarray(from, from + len), headers);
    const v = new DataView(f.buffer, f.byteOffset, f.length);
    v.setUint16(ETH + 2, ipHeader + (headers - tcpAt) + len);
    v.setUint16(ETH + 4, (id + i) & 0xffff);
    v.setUint16(ETH + 10, 0);
    v.setUint16(ETH + 10, finish(sum(f.subarray(ETH, ETH + ipHeader))));
    v.setUint32(tcpAt + 4, (seq + i * mss) >>> 0);
    let fl = flags;
    if (i < n - 1) fl &= ~(TCP_FIN | TCP_PSH);
    if (i > 0) fl &= ~TCP_CWR;
    f[tcpAt + 13] = fl;
    v.setUint16(tcpAt + 16, 0);
    const tcpLength = f.length - tcpAt;
    v.setUint16(tcpAt + 16, finish(sum(f.subarray(tcpAt), pseudo + tcpLength)));
    out.push(f);
  }
  return out;
}

/** The frames `frame` stands for on the wire: itself, or its pieces when it is a large segment (a malformed one: none). */
export function wireFrames(frame: Uint8Array, mss: number, mtu: number): Uint8Array[] {
  if (frame.length <= NIC_MAX_FRAME) return [frame];
  const shape = gsoShape(frame, mss, mtu);
  return shape === undefined ? [] : gsoSegment(frame, mss, shape);
}

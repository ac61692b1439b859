// TCP segments (RFC 9293): ports, sequence and acknowledgment numbers, flags, window,
// the checksum over the IPv4 pseudo-header, and the options the stack speaks (MSS,
// window scale, SACK-permitted and SACK blocks, RFC 2018; the rest are skipped).
// Parsing never throws: a segment with a bad length, data offset, option list or
// checksum is undefined; a SACK option whose length is not 2 + 8n (n from 1 to 4) is
// skipped like an unknown one.

import { finish, sum } from './checksum.js';
import { PROTOCOL, pseudoHeaderSum, pseudoHeaderSumOf } from './ipv4.js';

export const TCP_HEADER = 20;
export const FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

/** A SACK block: the sequence numbers [start, end) the receiver holds beyond its ACK. */
export type SackBlock = readonly [start: number, end: number];

export interface TcpOptions { mss?: number; windowScale?: number; sackPermitted?: boolean; sack?: readonly SackBlock[] }

/** Most SACK blocks one segment carries (40 bytes of options, no timestamps). */
export const MAX_SACK_BLOCKS = 4;

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options: TcpOptions;
  payload: Uint8Array;
}

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

export function parseTcp(d: Uint8Array, src: Uint8Array, dst: Uint8Array): TcpSegment | undefined {
  return parseChecked(d, pseudoHeaderSum(src, dst, PROTOCOL.TCP, d.length));
}

/** parseTcp for addresses as uint32 (the stack's own form). */
export function parseTcpOf(d: Uint8Array, src: number, dst: number): TcpSegment | undefined {
  return parseChecked(d, pseudoHeaderSumOf(src, dst, PROTOCOL.TCP, d.length));
}

const NO_OPTIONS: TcpOptions = Object.freeze({});

function parseChecked(d: Uint8Array, pseudo: number): TcpSegment | undefined {
  if (d.length < TCP_HEADER) return undefined;
  const offset = (d[12]! >> 4) * 4;
  if (offset < TCP_HEADER || offset > d.length) return undefined;
  if (finish(sum(d, pseudo)) !== 0) return undefined;
  if (offset === TCP_HEADER) return fields(d, NO_OPTIONS, offset);
  const options: TcpOptions = {};
  for (let i = TCP_HEADER; i < offset;) {
    const kind = d[i]!;
    if (kind === 0) break;
    if (kind === 1) { i++; continue; }
    if (i + 1 >= offset) return undefined;
    const len = d[i + 1]!;
    if (len < 2 || i + len > offset) return undefined;
    if (kind === 2 && len === 4) options.mss = (d[i + 2]! << 8) | d[i + 3]!;
    else if (kind === 3 && len === 3) options.windowScale = d[i + 2]!;
    else if (kind === 4 && len === 2) options.sackPermitted = true;
    else if (kind === 5 && len >= 10 && (len - 2) % 8 === 0) {
      const blocks: SackBlock[] = [];
      for (let at = i + 2; at < i + len; at += 8) blocks.push([u32(d, at), u32(d, at + 4)]);
      options.sack = blocks;
    }
    i += len;
  }
  return fields(d, options, offset);
}

function fields(d: Uint8Array, options: TcpOptions, offset: number): TcpSegment {
  return {
    srcPort: (d[0]! << 8) | d[1]!, dstPort: (d[2]! << 8) | d[3]!,
    seq: u32(d, 4), ack: u32(d, 8), flags: d[13]! & 0x3f, window: (d[14]! << 8) | d[15]!,
    options, payload: d.subarray(offset),
  };
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24; b[at + 1] = (v >>> 16) & 0xff; b[at + 2] = (v >>> 8) & 0xff; b[at + 3] = v & 0xff;
}

export function buildTcp(s: TcpSegment, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const d = new Uint8Array(tcpLength(s));
  writeTcp(d, 0, s, pseudoHeaderSum(src, dst, PROTOCOL.TCP, d.length));
  return d;
}

/** Bytes of the options `o` takes on the wire, padded to a multiple of 4. */
function optionBytes(o: TcpOptions): number {
  const n = sackBlocksSent(o);
  return fixedOptionBytes(o) + (n > 0 ? 4 + 8 * n : 0);
}

const fixedOptionBytes = (o: TcpOptions): number => (o.mss !== undefined ? 4 : 0) + (o.windowScale !== undefined ? 4 : 0) + (o.sackPermitted === true ? 4 : 0);

/** How many of `o.sack`'s blocks go on the wire: as many as fit the 40 bytes of options beside the others. */
function sackBlocksSent(o: TcpOptions): number {
  if (o.sack === undefined || o.sack.length === 0) return 0;
  return Math.max(0, Math.min(o.sack.length, MAX_SACK_BLOCKS, Math.floor((40 - fixedOptionBytes(o) - 4) / 8)));
}

/** The length of segment `s` on the wire: header, options, payload. */
export const tcpLength = (s: TcpSegment): number => TCP_HEADER + optionBytes(s.options) + s.payload.length;

/**
 * Writes segment `s` (tcpLength(s) bytes) at `at` in `buffer` with its checksum, given the
 * pseudo-header's running sum: the stack writes straight into the frame it sends, so the
 * payload is copied once, from where the caller holds it into the frame.
 */
export function writeTcp(buffer: Uint8Array, at: number, s: TcpSegment, pseudo: number): void {
  const offset = TCP_HEADER + optionBytes(s.options);
  const d = buffer.subarray(at, at + offset + s.payload.length);
  d[0] = s.srcPort >> 8; d[1] = s.srcPort & 0xff;
  d[2] = s.dstPort >> 8; d[3] = s.dstPort & 0xff;
  put32(d, 4, s.seq); put32(d, 8, s.ack);
  d[12] = (offset / 4) << 4; d[13] = s.flags;
  d[14] = s.window >> 8; d[15] = s.window & 0xff;
  d[16] = 0; d[17] = 0; d[18] = 0; d[19] = 0;
  let i = TCP_HEADER;
  if (s.options.mss !== undefined) { d[i] = 2; d[i + 1] = 4; d[i + 2] = s.options.mss >> 8; d[i + 3] = s.options.mss & 0xff; i += 4; }
  if (s.options.windowScale !== undefined) { d[i] = 1; d[i + 1] = 3; d[i + 2] = 3; d[i + 3] = s.options.windowScale; i += 4; }
  if (s.options.sackPermitted === true) { d[i] = 1; d[i + 1] = 1; d[i + 2] = 4; d[i + 3] = 2; i += 4; }
  const sack = s.options.sack, n = sackBlocksSent(s.options);
  if (sack !== undefined && n > 0) {
    d[i] = 1; d[i + 1] = 1; d[i + 2] = 5; d[i + 3] = 2 + 8 * n; i += 4;
    for (let k = 0; k < n; k++) { put32(d, i, sack[k]![0]); put32(d, i + 4, sack[k]![1]); i += 8; }
  }
  d.set(s.payload, offset);
  const c = finish(sum(d, pseudo));
  d[16] = c >> 8; d[17] = c & 0xff;
}

/** writeTcp for addresses as uint32. */
export const writeTcpOf = (buffer: Uint8Array, at: number, s: TcpSegment, src: number, dst: number): void =>
  writeTcp(buffer, at, s, pseudoHeaderSumOf(src, dst, PROTOCOL.TCP, tcpLength(s)));

// IPv4 in and out for one host (the stack does not forward). In: a packet addressed
// to us, or a fragment, which waits in the reassembler until its datagram is whole.
// Out: a route (the local network directly, anything else through the gateway) and
// fragmentation to the link's MTU.
//
// Reassembly keeps memory bounded: one datagram at most 65535 bytes, all partial
// datagrams together at most `memory` bytes (a new datagram that does not fit evicts
// the oldest), each dropped `timeout` ms after its first fragment. Overlaps are
// refused as Linux does (since 4.19): a fragment wholly inside one already held is a
// duplicate and is dropped; any other overlap discards the whole datagram, so
// overlapping fragments cannot be used to slip a different header past a filter.

import { buildIpv4, IPV4_HEADER, type Ipv4Packet } from '../wire/ipv4.js';
import { toBytes } from './address.js';

export interface ReassemblyLimits { memory: number; timeout: number; datagrams: number }
export const REASSEMBLY_LIMITS: ReassemblyLimits = { memory: 256 * 1024, timeout: 30_000, datagrams: 64 };

interface Piece { offset: number; data: Uint8Array }
interface Partial { pieces: Piece[]; total: number | undefined; bytes: number; expires: number; first: Ipv4Packet | undefined }

export interface ReassemblyStats { reassembled: number; overlaps: number; timeouts: number; evicted: number }

export class Reassembler {
  private readonly partial = new Map<string, Partial>();
  private bytes = 0;
  readonly stats: ReassemblyStats = { reassembled: 0, overlaps: 0, timeouts: 0, evicted: 0 };
  /** Called when a datagram times out holding its first fragment (ICMP time exceeded). */
  onTimeout: ((first: Ipv4Packet) => void) | undefined;

  constructor(private readonly limits: ReassemblyLimits = REASSEMBLY_LIMITS) {}

  /** Bytes held in partial datagrams (never above the limit). */
  get held(): number { return this.bytes; }
  get count(): number { return this.partial.size; }

  /** Takes a fragment; the whole datagram's payload when this one completes it. */
  input(p: Ipv4Packet, src: number, dst: number, now: number): Uint8Array | undefined {
    const key = `${src}:${dst}:${p.protocol}:${p.id}`;
    const end = p.fragmentOffset + p.payload.length;
    // A fragment that is not the last must carry a multiple of 8 bytes; nothing may pass 65535.
    if (end + IPV4_HEADER > 65535 || (p.moreFragments && (p.payload.length === 0 || p.payload.length % 8 !== 0))) return undefined;
    let d = this.partial.get(key);
    if (d === undefined) {
      while (this.partial.size > 0 && (this.partial.size >= this.limits.datagrams || this.bytes + p.payload.length > this.limits.memory)) {
        this.drop(this.partial.keys().next().value!);
        this.stats.evicted++;
      }
      if (p.payload.length > this.limits.memory) return undefined;
      d = { pieces: [], total: undefined, bytes: 0, expires: now + this.limits.timeout, first: undefined };
      this.partial.set(key, d);
    }
    if (!p.moreFragments) {
      if ((d.total !== undefined && d.total !== end) || d.pieces.some((x) => x.offset + x.data.length > end)) return this.overlap(key);
      d.total = end;
    } else if (d.total !== undefined && end > d.total) return this.overlap(key);
    for (const x of d.pieces) {
      const xEnd = x.offset + x.data.length;
      if (end <= x.offset || p.fragmentOffset >= xEnd) continue;
      if (p.fragmentOffset >= x.offset && end <= xEnd) return undefined; // a duplicate
      return this.overlap(key);
    }
    if (this.bytes + p.payload.length > this.limits.memory) { this.drop(key); this.stats.evicted++; return undefined; }
    d.pieces.push({ offset: p.fragmentOffset, data: p.payload.slice() });
    d.bytes += p.payload.length;
    this.bytes += p.payload.length;
    if (p.fragmentOffset === 0) d.first = p;
    if (d.total === undefined || d.bytes !== d.total) return undefined;
    // No overlaps and the byte count equals the length: the pieces tile the datagram.
    const whole = new Uint8Array(d.total);
    for (const x of d.pieces) whole.set(x.data, x.offset);
    this.drop(key);
    this.stats.reassembled++;
    return whole;
  }

  private overlap(key: string): undefined { this.drop(key); this.stats.overlaps++; return undefined; }

  private drop(key: string): void {
    const d = this.partial.get(key);
    if (d === undefined) return;
    this.bytes -= d.bytes;
    this.partial.delete(key);
  }

  deadline(): number {
    let t = Infinity;
    for (const d of this.partial.values()) t = Math.min(t, d.expires);
    return t;
  }

  onTimer(now: number): void {
    for (const [key, d] of this.partial) {
      if (d.expires > now) continue;
      this.drop(key);
      this.stats.timeouts++;
      if (d.first !== undefined) this.onTimeout?.(d.first);
    }
  }
}

/** Splits a datagram into packets that fit `mtu` (all of them when it fits already). */
export function fragment(src: number, dst: number, protocol: number, id: number, payload: Uint8Array, mtu: number, ttl = 64): Uint8Array[] {
  const fields = { src: toBytes(src), dst: toBytes(dst), protocol, id, ttl };
  if (payload.length + IPV4_HEADER <= mtu) return [buildIpv4(fields, payload)];
  const step = Math.max(8, ((mtu - IPV4_HEADER) >> 3) << 3);
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += step) {
    const piece = payload.subarray(at, Math.min(payload.length, at + step));
    out.push(buildIpv4({ ...fields, fragmentOffset: at, moreFragments: at + step < payload.length }, piece));
  }
  return out;
}

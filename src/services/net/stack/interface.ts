// One network interface: its link (link.ts), its IPv4 configuration and its ARP
// cache. Routing is a host's: an address on the interface's network is reached
// directly, any other through the gateway (none: EHOSTUNREACH to the caller).

import type { InterfaceConfig, Link } from '../link.js';
import { ArpCache, ARP_LIMITS, type ArpLimits } from './arp.js';
import { isMulticastOrBroadcast, sameNetwork } from './address.js';
import { BROADCAST_MAC, ETHERNET_HEADER, ETHERTYPE, buildEthernet } from '../wire/ethernet.js';
import { IPV4_HEADER, writeIpv4Header, type Ipv4Fields } from '../wire/ipv4.js';

/**
 * Frame buffers carved out of larger chunks, never reused: one allocation per
 * CHUNK_BYTES of frames instead of one per frame (per-frame buffers kept the garbage
 * collector busy for a fifth of the sending kernel thread). A chunk is garbage once
 * every frame in it is; a frame is zero-filled when taken.
 */
class FrameChunks {
  private static readonly CHUNK_BYTES = 64 * 1024;
  private chunk = new Uint8Array(0);
  private used = 0;

  take(n: number): Uint8Array {
    if (this.chunk.length - this.used < n + 7) {
      this.chunk = new Uint8Array(Math.max(FrameChunks.CHUNK_BYTES, n));
      this.used = 0;
    }
    const frame = this.chunk.subarray(this.used, this.used + n);
    // Each frame starts 8-aligned, so the checksum's word view of its TCP header (34 bytes in) is even-aligned.
    this.used += (n + 7) & ~7;
    return frame;
  }
}

export class Interface {
  readonly arp: ArpCache;
  private readonly frames = new FrameChunks();

  constructor(readonly link: Link, readonly config: InterfaceConfig, arpLimits: ArpLimits = ARP_LIMITS) {
    this.arp = new ArpCache(link, () => this.config.address, arpLimits);
  }

  get address(): number { return this.config.address; }
  get mtu(): number { return Math.max(68, Math.min(65535, this.link.mtu)); }
  /** The largest IPv4 datagram the link takes as one large TCP segment (0: no segmentation offload). */
  get gsoMax(): number { return Math.min(65535, this.link.gsoMax ?? 0); }

  /** The next hop for `dst`, or undefined when there is no route. */
  nextHop(dst: number): number | undefined {
    if (sameNetwork(dst, this.config.address, this.config.prefix) || dst === 0xffffffff) return dst;
    return this.config.gateway;
  }

  isBroadcast(a: number): boolean { return isMulticastOrBroadcast(a, this.config.address, this.config.prefix); }

  /**
   * A frame for one unfragmented datagram of `length` payload bytes to `dst`, its
   * Ethernet header written, its IPv4 header written with `h`; the caller writes the
   * payload at ETHERNET_HEADER + IPV4_HEADER and hands the frame to `link.transmit`.
   * Undefined when it cannot be built so (no route, too big, next hop's MAC unknown)
   * and the general path (fragment, ARP) must take the datagram.
   */
  frameFor(dst: number, h: Ipv4Fields, length: number, now: number, large = false): Uint8Array | undefined {
    if (length + IPV4_HEADER > (large ? this.gsoMax : this.mtu)) return undefined;
    const hop = this.nextHop(dst);
    if (hop === undefined) return undefined;
    const mac = this.isBroadcast(hop) ? BROADCAST_MAC : this.arp.lookup(hop, now);
    if (mac === undefined) return undefined;
    const frame = this.frames.take(ETHERNET_HEADER + IPV4_HEADER + length);
    frame.set(mac.subarray(0, 6), 0);
    frame.set(this.link.mac.subarray(0, 6), 6);
    frame[12] = ETHERTYPE.IPV4 >> 8; frame[13] = ETHERTYPE.IPV4 & 0xff;
    writeIpv4Header(frame, ETHERNET_HEADER, h, length);
    return frame;
  }

  /** Sends one unfragmented datagram in a frame built in one buffer (frameFor); false when it cannot. */
  transmitDirect(dst: number, h: Ipv4Fields, payload: Uint8Array, now: number): boolean {
    const frame = this.frameFor(dst, h, payload.length, now);
    if (frame === undefined) return false;
    frame.set(payload, ETHERNET_HEADER + IPV4_HEADER);
    this.link.transmit(frame);
    return true;
  }

  /** Sends IPv4 packets towards `dst` (already fragmented). False when there is no route. */
  transmit(dst: number, packets: Uint8Array[], now: number): boolean {
    const hop = this.nextHop(dst);
    if (hop === undefined) return false;
    for (const p of packets) {
      if (this.isBroadcast(hop)) this.link.transmit(buildEthernet(BROADCAST_MAC, this.link.mac, ETHERTYPE.IPV4, p));
      else this.arp.send(hop, p, now);
    }
    return true;
  }
}

// ARP (RFC 826): the neighbour cache of one interface. Resolving an address that is
// not cached queues the IPv4 packet (a few per address, a bounded number of addresses)
// and broadcasts a request, repeated every second up to `requestTries` times; a reply,
// or any ARP packet naming us as its target, fills the cache and sends what waited.
// Entries expire after `entryLifetime`. Neighbours are listed for `ip neigh`.

import { ARP_OP, buildArp, parseArp } from '../wire/arp.js';
import { BROADCAST_MAC, ETHERTYPE, buildEthernet } from '../wire/ethernet.js';
import type { Link } from '../link.js';

export interface ArpLimits {
  entryLifetime: number;
  requestInterval: number;
  requestTries: number;
  /** Packets held per unresolved address, and unresolved addresses at most. */
  pendingPerAddress: number;
  pendingAddresses: number;
  /** Cache entries at most (the oldest is evicted). */
  entries: number;
}

export const ARP_LIMITS: ArpLimits = { entryLifetime: 60_000, requestInterval: 1000, requestTries: 3, pendingPerAddress: 8, pendingAddresses: 64, entries: 256 };

interface Pending { packets: Uint8Array[]; tries: number; nextAt: number }

export class ArpCache {
  private readonly entries = new Map<number, { mac: Uint8Array; expires: number }>();
  private readonly pending = new Map<number, Pending>();
  /** Packets dropped because their address never resolved or the queue was full. */
  dropped = 0;

  constructor(private readonly link: Link, private readonly localAddress: () => number, private readonly limits: ArpLimits = ARP_LIMITS) {}

  lookup(ip: number, now: number): Uint8Array | undefined {
    const e = this.entries.get(ip);
    if (e === undefined) return undefined;
    if (e.expires <= now) { this.entries.delete(ip); return undefined; }
    return e.mac;
  }

  /** Sends the IPv4 packet to `nextHop`, now or once its MAC is known. */
  send(nextHop: number, packet: Uint8Array, now: number): void {
    const mac = this.lookup(nextHop, now);
    if (mac !== undefined) { this.link.transmit(buildEthernet(mac, this.link.mac, ETHERTYPE.IPV4, packet)); return; }
    let p = this.pending.get(nextHop);
    if (p === undefined) {
      if (this.pending.size >= this.limits.pendingAddresses) { this.dropped++; return; }
      p = { packets: [], tries: 0, nextAt: now };
      this.pending.set(nextHop, p);
    }
    if (p.packets.length >= this.limits.pendingPerAddress) { p.packets.shift(); this.dropped++; }
    p.packets.push(packet);
    if (p.tries === 0) this.request(nextHop, p, now);
  }

  private request(ip: number, p: Pending, now: number): void {
    p.tries++;
    p.nextAt = now + this.limits.requestInterval;
    const arp = buildArp({ op: ARP_OP.REQUEST, senderMac: this.link.mac, senderIp: this.localAddress(), targetMac: new Uint8Array(6), targetIp: ip });
    this.link.transmit(buildEthernet(BROADCAST_MAC, this.link.mac, ETHERTYPE.ARP, arp));
  }

  /** Adds or refreshes an entry (and flushes what waited for it). */
  learn(ip: number, mac: Uint8Array, now: number): void {
    if (!this.entries.has(ip) && this.entries.size >= this.limits.entries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(ip);
    this.entries.set(ip, { mac: mac.slice(0, 6), expires: now + this.limits.entryLifetime });
    const p = this.pending.get(ip);
    if (p !== undefined) {
      this.pending.delete(ip);
      for (const packet of p.packets) this.link.transmit(buildEthernet(mac, this.link.mac, ETHERTYPE.IPV4, packet));
    }
  }

  /** An ARP packet from the wire. */
  input(payload: Uint8Array, now: number): void {
    const a = parseArp(payload);
    const self = this.localAddress();
    if (a === undefined || a.senderIp === 0 || (a.senderMac[0]! & 1) !== 0) return;
    // RFC 826's merge: refresh a sender we know; learn it when the packet is for us.
    if (a.targetIp === self || this.entries.has(a.senderIp)) this.learn(a.senderIp, a.senderMac, now);
    if (a.op === ARP_OP.REQUEST && a.targetIp === self) {
      const reply = buildArp({ op: ARP_OP.REPLY, senderMac: this.link.mac, senderIp: self, targetMac: a.senderMac, targetIp: a.senderIp });
      this.link.transmit(buildEthernet(a.senderMac, this.link.mac, ETHERTYPE.ARP, reply));
    }
  }

  deadline(): number {
    let d = Infinity;
    for (const p of this.pending.values()) d = Math.min(d, p.nextAt);
    return d;
  }

  onTimer(now: number): void {
    for (const [ip, p] of this.pending) {
      if (p.nextAt > now) continue;
      if (p.tries >= this.limits.requestTries) { this.pending.delete(ip); this.dropped += p.packets.length; continue; }
      this.request(ip, p, now);
    }
  }

  /** The cache and the pending queue, for `ip neigh` and for tests. */
  neighbours(now: number): { address: number; mac?: Uint8Array; pending: number }[] {
    const out: { address: number; mac?: Uint8Array; pending: number }[] = [];
    for (const [address, e] of this.entries) if (e.expires > now) out.push({ address, mac: e.mac, pending: 0 });
    for (const [address, p] of this.pending) out.push({ address, pending: p.packets.length });
    return out;
  }
}

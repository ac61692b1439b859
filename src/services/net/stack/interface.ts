// One network interface: its link (link.ts), its IPv4 configuration and its ARP
// cache. Routing is a host's: an address on the interface's network is reached
// directly, any other through the gateway (none: EHOSTUNREACH to the caller).

import type { InterfaceConfig, Link } from '../link.js';
import { ArpCache, ARP_LIMITS, type ArpLimits } from './arp.js';
import { isMulticastOrBroadcast, sameNetwork } from './address.js';
import { BROADCAST_MAC, ETHERTYPE, buildEthernet } from '../wire/ethernet.js';

export class Interface {
  readonly arp: ArpCache;

  constructor(readonly link: Link, readonly config: InterfaceConfig, arpLimits: ArpLimits = ARP_LIMITS) {
    this.arp = new ArpCache(link, () => this.config.address, arpLimits);
  }

  get address(): number { return this.config.address; }
  get mtu(): number { return Math.max(68, Math.min(65535, this.link.mtu)); }

  /** The next hop for `dst`, or undefined when there is no route. */
  nextHop(dst: number): number | undefined {
    if (sameNetwork(dst, this.config.address, this.config.prefix) || dst === 0xffffffff) return dst;
    return this.config.gateway;
  }

  isBroadcast(a: number): boolean { return isMulticastOrBroadcast(a, this.config.address, this.config.prefix); }

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

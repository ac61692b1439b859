// The net component: sockets (NetService in abi/services.ts), placed like any other
// component: in the kernel domain under `monolithic` (the kernel's socket calls are
// direct calls), its own server under `microkernel`. The kernel loads it at the first
// socket() (as Linux loads a protocol family's module on first use) or at boot.
//
// Layers, one file each: sockets.ts (the socket operations and the loopback and
// AF_UNIX connections), socket.ts (one socket's state), ports.ts (address tables),
// byte-queue.ts (stream receive buffers), sleepers.ts (blocking and cancellation);
// inet.ts and stack/ (the TCP/IP stack) for AF_INET traffic off the loopback network,
// once the NIC's side attaches an interface (`attachInterface`, the boundary in link.ts).

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { NetService } from '../../abi/services.js';
import type { Grant } from '../../abi/grant.js';
import { LOOPBACK_NETINFO, type LinkInfo, type NetInfo } from '../../abi/net.js';
import { SocketLayer, DEFAULT_LIMITS, type SocketLimits } from './sockets.js';
import type { NicService } from '../../abi/services.js';
import type { Clock, InterfaceConfig, Link } from './link.js';
import type { Stack } from './stack/stack.js';
import { formatAddress } from './stack/address.js';
import { openNicLink, largestMss, type NicLink } from './nic-link.js';
import { wireFrames } from '../../lib/gso.js';
import { NIC_MAX_FRAME } from '../../abi/device.js';

/**
 * What net's server thread calls for the processes' direct pages (kernel/component/
 * direct-server.ts): SocketLayer.directSend and directRecv. A number is the call's
 * answer (count, or -errno); undefined: not served there, the kernel path does it.
 */
export interface NetDirectCalls {
  directSend(id: number, src: Grant, nonBlocking: boolean): number | undefined;
  directRecv(id: number, dst: Grant, nonBlocking: boolean): number | undefined;
}

/** The hook for the NIC's side: attach the interface, then hand each arriving frame to the stack's `receive`. */
export interface NetInterfaceHook { attachInterface(link: Link, config: InterfaceConfig, clock: Clock): Stack }

export const manifest: Manifest = {
  name: 'net',
  description: 'sockets: AF_UNIX streams, TCP and UDP on the loopback network',
  uses: ['nic'],
};

/** Time for the stack: the host's monotonic clock and its timers. */
const hostClock: Clock = {
  now: () => performance.now(),
  setTimer(atMs, fn) {
    const h = setTimeout(fn, Math.max(0, atMs - performance.now()));
    return () => clearTimeout(h);
  },
};

const formatMac = (mac: Uint8Array): string => [...mac.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** The interface the kernel configured (BootConfig.net), if the machine has a network device. */
function interfaceConfig(v: unknown): InterfaceConfig | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const c = v as Record<string, unknown>;
  const u32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  if (!u32(c.address) || typeof c.prefix !== 'number' || !Number.isInteger(c.prefix) || c.prefix < 0 || c.prefix > 32) return undefined;
  return { address: c.address, prefix: c.prefix, ...(u32(c.gateway) ? { gateway: c.gateway } : {}) };
}

export function create(ctx: ComponentContext): ComponentInstance & NetService & NetInterfaceHook & NetDirectCalls {
  const limits: SocketLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(limits) as (keyof SocketLimits)[]) {
    const v = ctx.config[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) limits[key] = v;
  }
  const layer = new SocketLayer(limits);
  // The network device's side: the stack on eth0, fed by the nic driver (nic-link.ts).
  const ifconfig = interfaceConfig(ctx.config.interface);
  let link: NicLink | undefined;
  let stack: Stack | undefined;
  return {
    async init(): Promise<void> {
      ctx.log(`net: sockets up (loopback 127.0.0.0/8, AF_UNIX), at most ${limits.maxSockets}`);
      if (ifconfig !== undefined) {
        // Capture sockets (AF_PACKET) see each frame before the stack takes it in and
        // before the driver takes it out.
        // A large segment (segmentation offload) is captured as the frames the wire carries.
        const capture = (f: Uint8Array, outgoing: boolean, mss?: number): void => {
          if (!layer.capturing) return;
          if (f.length <= NIC_MAX_FRAME) { layer.capture(f, outgoing); return; }
          for (const w of wireFrames(f, mss ?? largestMss(f, nic.mtu), nic.mtu)) layer.capture(w, outgoing);
        };
        const nic = await openNicLink(ctx.peer<NicService>('nic'), (frames) => { for (const f of frames) capture(f, false); stack?.receiveAll(frames); }, (line) => ctx.log(line));
        link = nic;
        const tapped: Link = {
          mac: nic.mac, mtu: nic.mtu, gsoMax: nic.gsoMax,
          transmit: (f, mss) => { capture(f, true, mss); nic.transmit(f, mss); },
        };
        stack = layer.attachInterface(tapped, ifconfig, hostClock);
        ctx.log(`net: eth0 ${formatAddress(ifconfig.address)}/${ifconfig.prefix}${ifconfig.gateway === undefined ? '' : ` via ${formatAddress(ifconfig.gateway)}`}`);
      }
    },
    async shutdown(): Promise<void> { link?.stop(); },
    busy: () => layer.open > 0,
    socket: (f, t, p) => layer.socket(f, t, p),
    pair: (f, t) => layer.pair(f, t),
    bind: (id, a) => layer.bind(id, a),
    listen: (id, b) => layer.listen(id, b),
    accept: (id, nb, w) => layer.accept(id, nb, w),
    connect: (id, a, nb, w) => layer.connect(id, a, nb, w),
    send: (id, d, to, nb, w) => layer.send(id, d, to, nb, w),
    recv: (id, max, peek, nb, w) => layer.recv(id, max, peek, nb, w),
    shut: (id, how) => layer.shut(id, how),
    close: (id) => layer.close(id),
    localAddress: (id) => layer.localAddress(id),
    remoteAddress: (id) => layer.remoteAddress(id),
    setOption: (id, l, n, v) => layer.setOption(id, l, n, v),
    getOption: (id, l, n) => layer.getOption(id, l, n),
    captureStats: (id) => layer.captureStats(id),
    attachFilter: (id, program) => layer.attachFilter(id, program),
    filterProgram: (id) => layer.filterProgram(id),
    poll: (id) => layer.poll(id),
    cancel: (w) => layer.cancel(w),
    sockets: () => layer.sockets(),
    netinfo: async () => {
      // lo's entries are shared, never changed; eth0's are added to fresh lists.
      const info: NetInfo = { links: [...LOOPBACK_NETINFO.links], addresses: [...LOOPBACK_NETINFO.addresses], routes: [], neighbours: [] };
      const iface = stack?.interface;
      if (ifconfig === undefined || iface === undefined) return info;
      // The device's own counters; a driver that is restarting has none to give.
      let stats: LinkInfo['stats'];
      try {
        const c = (await ctx.peer<NicService>('nic').info()).counters;
        stats = { rxPackets: c.rx_frames, txPackets: c.tx_frames, rxBytes: c.rx_bytes, txBytes: c.tx_bytes, rxDropped: c.rx_dropped_full, txDropped: c.tx_dropped_full, rxErrors: c.rx_dropped_bad, txErrors: c.tx_dropped_bad };
      } catch { stats = undefined; }
      info.links.push({ name: 'eth0', mac: formatMac(iface.link.mac), mtu: iface.mtu, loopback: false, ...(stats === undefined ? {} : { stats }) });
      info.addresses.push({ dev: 'eth0', address: formatAddress(ifconfig.address), prefix: ifconfig.prefix });
      const mask = ifconfig.prefix === 0 ? 0 : (0xffffffff << (32 - ifconfig.prefix)) >>> 0;
      if (ifconfig.gateway !== undefined) info.routes.push({ dest: 'default', via: formatAddress(ifconfig.gateway), dev: 'eth0' });
      info.routes.push({ dest: `${formatAddress((ifconfig.address & mask) >>> 0)}/${ifconfig.prefix}`, dev: 'eth0' });
      for (const n of iface.arp.neighbours(hostClock.now())) {
        info.neighbours.push({ address: formatAddress(n.address), ...(n.mac === undefined ? {} : { mac: formatMac(n.mac) }), state: n.mac === undefined ? 'INCOMPLETE' : 'REACHABLE', dev: 'eth0', queued: n.pending });
      }
      return info;
    },
    attachInterface: (link, config, clock) => layer.attachInterface(link, config, clock),
    // Not in the service list: only net's own server thread calls them, for the direct path.
    directSend: (id, src, nb) => layer.directSend(id, src, nb),
    directRecv: (id, dst, nb) => layer.directRecv(id, dst, nb),
  };
}

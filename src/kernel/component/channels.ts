// Wiring the direct channels (shm transport): one channel per `uses` edge of the
// manifests, made by the kernel, one end handed to each side (ipc/channel.ts).
//
//   client user,   service user     the two server threads, directly
//   client user,   service kernel   the client thread and the kernel thread; the
//                                   kernel end calls the service's binding
//   client kernel, service user     no edge channel: kernel-domain callers use the
//                                   service's kernel channel (component/server.ts)
//   both kernel                     no channel: a direct call
//
// The kernel's own calls to a user-domain server (syscalls) and the server's kernel
// calls (`uses: ['kernel.…']`) travel on that server's kernel channel.
//
// Life cycle, for a user-domain component X:
//   start (load or restart)  every edge touching X gets a new channel: X's init
//                            carries its ends; a running service X uses is sent the
//                            service end ('client'); X's clients get theirs
//                            ('peer-up') once X is ready
//   death                    X's clients are told 'peer-down' (they queue; replay
//                            idempotent calls at 'peer-up'); kernel ends of X's
//                            edges are dropped
//   unload / given up        'peer-gone' (ENODEV / EIO)
// A kernel-domain service is wired when it is loaded ('peer-up' to its clients).

import type { Value } from '../../lib/codec.js';
import { Doorbell } from '../../lib/poller.js';
import type { Manifest } from '../../abi/component.js';
import { SERVICES } from '../../abi/services.js';
import { ShmEndpoint } from '../ipc/endpoint.js';
import { fixedWire } from '../ipc/wire.js';
import { Rpc } from '../ipc/rpc.js';
import { makeChannel, type ChannelEnd } from '../ipc/channel.js';
import type { ComponentRecord } from './table.js';

/** The components a manifest's `uses` names (not the kernel core), once each. */
export function usedServices(manifest: Manifest): string[] {
  const out: string[] = [];
  for (const u of manifest.uses) {
    const name = u.split('.')[0]!;
    if (name !== 'kernel' && !out.includes(name)) out.push(name);
  }
  return out;
}

export interface ChannelsOptions {
  records: ReadonlyMap<string, ComponentRecord>;
  ringBytes: number;
  kernelBell: SharedArrayBuffer;
  /** Serves a call that arrived on a kernel end, for kernel-domain `service`, from `client`. */
  serve: (service: string, client: string, method: string, args: Value[]) => Promise<Value>;
  /** Something that is not an errno escaped a kernel-domain service. */
  failure: (service: string, e: unknown) => never;
}

interface KernelEnd { client: string; service: string; endpoint: ShmEndpoint; rpc: Rpc }

export interface Wiring {
  links: ChannelEnd[];
  clients: ChannelEnd[];
  /** Services this server uses that are loaded but not running yet: their links start down. */
  down: string[];
  /** Hands the clients their ends; call once the server is ready. */
  announce: () => void;
}

/** Bytes that went along one client -> service edge, both directions, over every channel it has had. */
export interface ChannelTraffic { from: string; to: string; bytes: number }

/** Bytes written into one channel's two rings so far: the rings' tails (lib/ring.ts), which only grow. */
function ringBytesWritten(memory: SharedArrayBuffer): number {
  const tail = (offset: number): number => Atomics.load(new Int32Array(memory, offset, 2), 1);
  return tail(0) + tail(memory.byteLength / 2);
}

export class Channels {
  /** Channel ends held by the kernel thread: edges from user-domain clients to kernel-domain services. */
  private readonly ends = new Map<string, KernelEnd>();
  /** Per edge: the channel now wired, and the bytes of the ones before it (a restart wires a new one). */
  private readonly wired = new Map<string, { from: string; to: string; memory: SharedArrayBuffer | undefined; before: number }>();

  constructor(private readonly o: ChannelsOptions) {}

  private live(r: ComponentRecord | undefined): r is ComponentRecord & { server: NonNullable<ComponentRecord['server']> } {
    return r !== undefined && r.domain === 'user' && r.server !== undefined && !r.server.dead;
  }

  /** A kernel end serving kernel-domain `service` to user-domain `client`; returns the client's end. */
  private kernelEnd(client: ComponentRecord, service: string): ChannelEnd {
    const [c, k] = makeChannel(this.o.ringBytes, client.name, client.bell, 'kernel', this.o.kernelBell);
    this.count(client.name, service, c.memory);
    const endpoint = new ShmEndpoint(k.memory, k.side, new Doorbell(k.peerBell), fixedWire(SERVICES[service], undefined));
    const rpc = new Rpc(endpoint, (_to, method, args) => this.o.serve(service, client.name, method, args), (e) => this.o.failure(service, e));
    this.ends.set(`${client.name}>${service}`, { client: client.name, service, endpoint, rpc });
    return { ...c, peer: service };
  }

  /** The channels of user-domain `x`, about to start. */
  wireStart(x: ComponentRecord): Wiring {
    const links: ChannelEnd[] = [], clients: ChannelEnd[] = [], down: string[] = [];
    this.dropEnds((e) => e.client === x.name);
    for (const name of usedServices(x.module.manifest)) {
      const s = this.o.records.get(name);
      if (s === undefined) continue; // not loaded: calls fail with ENODEV until it is
      if (s.domain !== 'user') { // kernel or sandbox: served in the kernel thread
        if (s.state === 'running') links.push(this.kernelEnd(x, name)); else down.push(name);
      } else if (this.live(s)) {
        const [c, sv] = makeChannel(this.o.ringBytes, x.name, x.bell, name, s.bell);
        this.count(x.name, name, c.memory);
        links.push(c);
        s.server.post({ type: 'client', end: sv });
      } else {
        down.push(name); // restarting: its start wires this edge
      }
    }
    const later: (() => void)[] = [];
    for (const y of this.o.records.values()) {
      if (y === x || !this.live(y) || !usedServices(y.module.manifest).includes(x.name)) continue;
      const [c, sv] = makeChannel(this.o.ringBytes, y.name, y.bell, x.name, x.bell);
      this.count(y.name, x.name, c.memory);
      clients.push(sv);
      later.push(() => y.server?.post({ type: 'peer-up', end: c }));
    }
    return { links, clients, down, announce: () => { for (const f of later) f(); } };
  }

  /** Kernel-domain `s` was loaded: its user-domain clients get their channels. */
  kernelServiceUp(s: ComponentRecord): void {
    for (const y of this.o.records.values()) {
      if (y === s || !this.live(y) || !usedServices(y.module.manifest).includes(s.name)) continue;
      y.server.post({ type: 'peer-up', end: this.kernelEnd(y, s.name) });
    }
  }

  /** User-domain `x` died: its clients queue; its kernel ends go. */
  serverDown(x: ComponentRecord): void {
    this.dropEnds((e) => e.client === x.name);
    for (const y of this.o.records.values()) {
      if (y !== x && this.live(y) && usedServices(y.module.manifest).includes(x.name)) y.server.post({ type: 'peer-down', peer: x.name });
    }
  }

  /** `name` is gone (unloaded: ENODEV; given up: EIO): its clients fail their calls. */
  unwire(name: string, errno: number): void {
    this.dropEnds((e) => e.client === name || e.service === name);
    for (const y of this.o.records.values()) {
      if (y.name !== name && this.live(y) && usedServices(y.module.manifest).includes(name)) y.server.post({ type: 'peer-gone', peer: name, errno });
    }
  }

  // A new channel on edge from -> to: what the old one carried is kept.
  private count(from: string, to: string, memory: SharedArrayBuffer): void {
    const key = `${from}>${to}`;
    const w = this.wired.get(key) ?? { from, to, memory: undefined, before: 0 };
    if (w.memory !== undefined) w.before += ringBytesWritten(w.memory);
    w.memory = memory;
    this.wired.set(key, w);
  }

  /** Bytes per edge the direct channels carried (the kernel reads the rings' counters; it is not on the path). */
  traffic(): ChannelTraffic[] {
    return [...this.wired.values()].map((w) => ({ from: w.from, to: w.to, bytes: w.before + (w.memory === undefined ? 0 : ringBytesWritten(w.memory)) }));
  }

  private dropEnds(which: (e: KernelEnd) => boolean): void {
    for (const [key, e] of this.ends) if (which(e)) this.ends.delete(key);
  }

  poll(): boolean {
    let worked = false;
    for (const e of this.ends.values()) if (e.endpoint.poll()) worked = true;
    return worked;
  }
}

// --net switch:NAME: machines started with the same NAME (separate `kernelkit run`
// processes of one user on one host) share a virtual Ethernet switch. Rendezvous: a
// Unix stream socket at $TMPDIR/kernelkit-switch-NAME.sock. The first machine to find
// nobody there hosts the hub (the learning bridge below) on that path; the others
// connect to it. Frames cross the socket as frame-port.ts's length-prefixed records,
// and large TCP segments (segmentation offload) whole between ends that both said they
// take them: a member offers, the hub answers; the hub cuts a large segment into frames
// (lib/gso.ts, as a device does) for a port that never offered.
// Machines may come and go: when the hub's machine leaves, the others find the socket
// dead and elect a new hub the same way (the first to listen wins; the rest connect).
// A socket file left by a hub that died is removed by whoever finds it refusing.
// No TCP or UDP port is opened; the socket file is created with the user's umask,
// so another local user who can reach $TMPDIR can join the switch (docs/net.md).

import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type FramePort, type StreamPort, streamPort, frameLengthOk, framesOf } from './frame-port.js';
import { gsoShape, gsoSegment } from '../../../lib/gso.js';
import { NIC_DEFAULT_MTU } from '../../../abi/device.js';

/** A switch name: a short word that fits in a file name. */
export function checkSwitchName(name: string): string | undefined {
  return /^[A-Za-z0-9_.-]{1,48}$/.test(name) && name !== '.' && name !== '..' ? undefined : `bad switch name '${name}': 1 to 48 of A-Z a-z 0-9 _ . -`;
}

export function switchPath(name: string, dir = os.tmpdir()): string {
  return path.join(dir, `kernelkit-switch-${name}.sock`);
}

/** Most addresses a switch learns (oldest forgotten first): a MAC flood cannot grow it without bound. */
const MAX_LEARNED = 1024;

/** A bridge port: where its frames go, and its large segments when it takes them whole (false: it did not). */
interface BridgePort {
  frame: (f: Uint8Array) => void;
  large?: (f: Uint8Array, mss: number) => boolean;
}

/** What the bridge did with large segments. */
export interface BridgeLargeCounts {
  /** Handed to a port whole. */
  whole: number;
  /** Cut into frames for a port that does not take them whole (counted once per port). */
  cut: number;
  /** Dropped: not a large segment a device would carry (lib/gso.ts gsoShape), or from an unknown port. */
  bad: number;
}

/**
 * The learning bridge: remembers which port each source address came from, forwards a
 * frame to its destination's port when known and different from where it came, and
 * floods it (every other port) when the destination is broadcast, multicast or unknown.
 * A large segment is learned from and forwarded as a frame is; a port that does not
 * take it whole gets the frames it stands for, cut once however many such ports there are.
 */
export class LearningSwitch {
  private readonly ports = new Map<number, BridgePort>();
  private readonly table = new Map<string, number>();
  private nextPort = 1;
  dropped = 0;
  readonly large: BridgeLargeCounts = { whole: 0, cut: 0, bad: 0 };

  attach(deliver: (f: Uint8Array) => void, deliverLarge?: (f: Uint8Array, mss: number) => boolean): number {
    const id = this.nextPort++;
    this.ports.set(id, deliverLarge === undefined ? { frame: deliver } : { frame: deliver, large: deliverLarge });
    return id;
  }

  detach(id: number): void {
    this.ports.delete(id);
    for (const [mac, port] of this.table) if (port === id) this.table.delete(mac);
  }

  get size(): number { return this.ports.size; }

  input(from: number, frame: Uint8Array): void {
    if (!frameLengthOk(frame.length) || !this.ports.has(from)) { this.dropped++; return; }
    for (const port of this.route(from, frame)) port.frame(frame);
  }

  /** A large segment with its mss from port `from`. */
  inputLarge(from: number, frame: Uint8Array, mss: number): void {
    const shape = this.ports.has(from) ? gsoShape(frame, mss, NIC_DEFAULT_MTU) : undefined;
    if (shape === undefined) { this.dropped++; this.large.bad++; return; }
    let frames: Uint8Array[] | undefined;
    for (const port of this.route(from, frame)) {
      if (port.large?.(frame, mss) === true) { this.large.whole++; continue; }
      frames ??= gsoSegment(frame, mss, shape);
      this.large.cut++;
      for (const f of frames) port.frame(f);
    }
  }

  /** Learns the frame's source on `from`; the ports it goes to. */
  private route(from: number, frame: Uint8Array): BridgePort[] {
    const dst = hex(frame, 0), src = hex(frame, 6);
    if ((frame[6]! & 1) === 0) {
      this.table.delete(src);
      this.table.set(src, from);
      if (this.table.size > MAX_LEARNED) this.table.delete(this.table.keys().next().value!);
    }
    const to = (frame[0]! & 1) === 0 ? this.table.get(dst) : undefined;
    if (to !== undefined) { const port = this.ports.get(to); return to !== from && port !== undefined ? [port] : []; }
    const out: BridgePort[] = [];
    for (const [id, port] of this.ports) if (id !== from) out.push(port);
    return out;
  }
}

const hex = (f: Uint8Array, at: number): string => Buffer.from(f.subarray(at, at + 6)).toString('hex');

/** How a machine is attached to its switch right now (for tests and --verbose). */
export interface SwitchMember extends FramePort {
  readonly role: () => 'hub' | 'member' | 'joining' | 'closed';
  /** Large segments this machine sent into the switch and got from it whole, over every hub it had. */
  readonly large: { sent: number; received: number };
  /** The bridge while this machine hosts the hub. */
  readonly bridge: () => LearningSwitch | undefined;
}

/** Joins switch `name`; the returned port carries this machine's frames. */
export function joinSwitch(name: string, options: { dir?: string; log?: (line: string) => void } = {}): SwitchMember {
  const bad = checkSwitchName(name);
  if (bad !== undefined) throw new Error(bad);
  const file = switchPath(name, options.dir);
  const log = options.log ?? (() => {});
  let handler: (f: Uint8Array) => void = () => {};
  let largeHandler: ((f: Uint8Array, mss: number) => void) | undefined;
  const large = { sent: 0, received: 0 };
  // A large segment for this machine: whole to a machine that takes them, else its frames.
  const takeLarge = (f: Uint8Array, mss: number): boolean => {
    if (largeHandler === undefined) return false;
    large.received++;
    largeHandler(f, mss);
    return true;
  };
  let role: 'hub' | 'member' | 'joining' | 'closed' = 'joining';
  let upstream: StreamPort | undefined;
  let hub: { server: net.Server; bridge: LearningSwitch; me: number; ino: number; check: NodeJS.Timeout; members: Set<FramePort> } | undefined;
  let retry: NodeJS.Timeout | undefined;

  const again = (): void => {
    if (role === 'closed') return;
    role = 'joining';
    clearTimeout(retry);
    retry = setTimeout(join, 10 + Math.floor(Math.random() * 40));
  };

  function join(): void {
    if (role === 'closed') return;
    const s = net.connect(file);
    s.once('connect', () => {
      if (role === 'closed') { s.destroy(); return; }
      role = 'member';
      log(`switch ${name}: joined`);
      const port = streamPort(s, (why) => { if (upstream === port) { upstream = undefined; log(`switch ${name}: hub gone (${why})`); again(); } }, 'offer');
      port.onFrame((f) => handler(f));
      port.onLarge!((f, mss) => { if (!takeLarge(f, mss)) for (const x of framesOf(f, mss)) handler(x); });
      upstream = port;
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (role !== 'joining') return;
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') host(e.code === 'ECONNREFUSED');
      else again();
    });
  }

  function host(stale: boolean): void {
    // A socket file nobody listens on is a dead hub's: remove it, then take its place.
    if (stale) { try { fs.unlinkSync(file); } catch { /* another machine removed it first */ } }
    const bridge = new LearningSwitch();
    const members = new Set<FramePort>();
    const server = net.createServer((s) => {
      const port = streamPort(s, () => { members.delete(port); bridge.detach(id); }, 'answer');
      const id = bridge.attach((f) => port.send(f), (f, mss) => port.sendLarge!(f, mss));
      members.add(port);
      port.onFrame((f) => bridge.input(id, f));
      port.onLarge!((f, mss) => bridge.inputLarge(id, f, mss));
    });
    server.once('error', () => { server.close(); again(); });
    server.listen(file, () => {
      if (role === 'closed') { server.close(); return; }
      let ino = 0;
      try { ino = fs.statSync(file).ino; } catch { /* checked below */ }
      const me = bridge.attach((f) => handler(f), takeLarge);
      // NOTE: two machines that both found a stale file may both remove it and listen;
      // the one whose file was replaced steps down (its members rejoin the other).
      const check = setInterval(() => {
        let now = -1;
        try { now = fs.statSync(file).ino; } catch { /* gone */ }
        if (now !== ino) { log(`switch ${name}: another hub took the rendezvous`); stepDown(); again(); }
      }, 500);
      check.unref();
      hub = { server, bridge, me, ino, check, members };
      role = 'hub';
      log(`switch ${name}: hosting the hub at ${file}`);
    });
  }

  function stepDown(): void {
    if (hub === undefined) return;
    const h = hub;
    hub = undefined;
    clearInterval(h.check);
    h.server.close();
    for (const m of h.members) m.close();
    try { if (fs.statSync(file).ino === h.ino) fs.unlinkSync(file); } catch { /* gone */ }
  }

  join();
  return {
    role: () => role,
    send: (f) => {
      if (hub !== undefined) hub.bridge.input(hub.me, f);
      else upstream?.send(f);
    },
    onFrame: (h) => { handler = h; },
    sendLarge: (f, mss) => {
      if (hub !== undefined) { large.sent++; hub.bridge.inputLarge(hub.me, f, mss); return true; }
      if (upstream?.sendLarge?.(f, mss) !== true) return false;
      large.sent++;
      return true;
    },
    onLarge: (h) => { largeHandler = h; },
    large,
    bridge: () => hub?.bridge,
    close: () => {
      if (role === 'closed') return;
      if (large.sent + large.received > 0) log(`switch ${name}: large segments: ${large.sent} sent whole, ${large.received} received whole`);
      clearTimeout(retry);
      stepDown();
      role = 'closed';
      upstream?.close();
      upstream = undefined;
    },
  };
}

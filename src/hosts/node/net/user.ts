// --net user: user-mode networking, as QEMU's slirp and passt do it. The guest is
// 10.0.2.15/24; the gateway 10.0.2.2 stands for the host's loopback: a guest UDP
// datagram or TCP connection to 10.0.2.2:P becomes one from this process to
// 127.0.0.1:P. `--forward HOSTPORT:GUESTPORT[/udp]` goes the other way: a program on the
// host connecting to 127.0.0.1:HOSTPORT reaches the guest's GUESTPORT.
//
// The gateway's end of the guest's traffic is our own TCP/IP stack (services/net/stack/),
// run here on the host as a second machine's stack would run: it answers ARP and ping
// for 10.0.2.2 and terminates the guest's TCP connections; each one is spliced to a
// real socket. 10.0.2.3 is a DNS server (dns.ts) answering from the host's /etc/hosts,
// a second stack of our own on the same cable. Nothing else is reachable: packets to
// any other address are not ours and are dropped by the stacks (no routing, no NAT to
// the outside).
//
// Bounds: at most MAX_PORTS distinct gateway ports are opened on demand, MAX_FLOWS UDP
// flows at once (the oldest is closed), MAX_CONNECTIONS TCP connections; a host socket
// that does not drain stops the guest connection's reading (its window closes).

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import dgram from 'node:dgram';
import type { FramePort } from './frame-port.js';
import { Stack } from '../../../services/net/stack/stack.js';
import type { Connection } from '../../../services/net/stack/tcp/connection.js';
import type { Clock, Link } from '../../../services/net/link.js';
import { parseEthernet, ETHERTYPE } from '../../../services/net/wire/ethernet.js';
import { parseIpv4, PROTOCOL } from '../../../services/net/wire/ipv4.js';
import { fromBytes, parseAddress } from '../../../services/net/stack/address.js';
import { DNS_PORT } from '../../../lib/dns.js';
import { answerQuery, hostsTable, type DnsTable } from './dns.js';

export const USER_GUEST = '10.0.2.15';
export const USER_GATEWAY = '10.0.2.2';
export const USER_PREFIX = 24;
export const USER_DNS = '10.0.2.3';
const GATEWAY_MAC = Uint8Array.of(0x52, 0x55, 10, 0, 2, 2);
const DNS_MAC = Uint8Array.of(0x52, 0x55, 10, 0, 2, 3);
const MAX_PORTS = 256;
const MAX_FLOWS = 256;
const MAX_CONNECTIONS = 256;
const UDP_IDLE_MS = 60_000;
const BUFFERS = { receive: 256 * 1024, send: 256 * 1024 };
const CHUNK = 64 * 1024;

export interface Forward { hostPort: number; guestPort: number; udp: boolean }

/** Parses --forward HOSTPORT:GUESTPORT[/udp]; throws with a one-line message. */
export function parseForward(text: string): Forward {
  const m = /^(\d{1,5}):(\d{1,5})(\/(udp|tcp))?$/.exec(text);
  const hostPort = Number(m?.[1]), guestPort = Number(m?.[2]);
  if (m === null || !(hostPort >= 1 && hostPort <= 65535) || !(guestPort >= 1 && guestPort <= 65535)) throw new Error(`bad --forward '${text}': expected HOSTPORT:GUESTPORT[/udp], ports 1 to 65535`);
  return { hostPort, guestPort, udp: m[4] === 'udp' };
}

// NOTE: unref'd: the gateway's timers (TIME_WAIT lasts a minute) must not keep
// `kernelkit run` alive after its machine halted.
const clock: Clock = {
  now: () => performance.now(),
  setTimer(atMs, fn) { const h = setTimeout(fn, Math.max(0, atMs - performance.now())); h.unref(); return () => clearTimeout(h); },
};

export interface UserNetPort extends FramePort {
  /** Resolves when every --forward listener is bound (rejects if one cannot be). */
  readonly ready: Promise<void>;
  readonly stats: { udpFlows: number; tcpConnections: number; refused: number };
}

/** The names 10.0.2.3 answers by default: the host's /etc/hosts and its name. */
export function hostDnsTable(): DnsTable {
  let text = '';
  try { text = fs.readFileSync('/etc/hosts', 'utf8').slice(0, 1 << 20); } catch { /* no file: the host's name only */ }
  return hostsTable(text, os.hostname(), USER_GATEWAY);
}

export function openUserNet(forwards: readonly Forward[], log: (line: string) => void = () => {}, dns: DnsTable = hostDnsTable()): UserNetPort {
  const guest = parseAddress(USER_GUEST)!, gateway = parseAddress(USER_GATEWAY)!;
  let handler: (f: Uint8Array) => void = () => {};
  let closed = false;
  const link: Link = { mac: GATEWAY_MAC, mtu: 1500, transmit: (f) => { if (!closed) handler(f); } };
  const stack = new Stack(clock);
  stack.attach(link, { address: gateway, prefix: USER_PREFIX });
  // The DNS server: its own address and MAC, so it answers ARP for 10.0.2.3 itself.
  const dnsStack = new Stack(clock);
  dnsStack.attach({ mac: DNS_MAC, mtu: 1500, transmit: (f) => { if (!closed) handler(f); } }, { address: parseAddress(USER_DNS)!, prefix: USER_PREFIX });
  dnsStack.udp.ports.set(DNS_PORT, {
    receive: (from, fromPort, data) => {
      const answer = answerQuery(data, dns);
      if (answer !== undefined) dnsStack.udp.send(DNS_PORT, from, fromPort, answer);
    },
  });
  const stats = { udpFlows: 0, tcpConnections: 0, refused: 0 };
  const opened = new Set<string>();
  const connections = new Set<Connection>();
  const closers = new Set<() => void>();

  // ---- TCP: splice a guest connection and a host socket ------------------------------
  function splice(c: Connection, sock: net.Socket, what: string): void {
    connections.add(c);
    stats.tcpConnections++;
    let pending: Uint8Array | undefined;
    let hostEnded = false, guestEnded = false, done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      connections.delete(c);
      closers.delete(stopBoth);
    };
    const stopBoth = (): void => { sock.destroy(); c.abort(0); stack.settle(); finish(); };
    closers.add(stopBoth);
    const toGuest = (): void => {
      while (pending !== undefined) {
        const n = c.write(pending);
        if (n === 0) break;
        pending = n < pending.length ? pending.subarray(n) : undefined;
      }
      if (pending === undefined) {
        sock.resume();
        if (hostEnded && c.canWrite) c.shutdownWrite();
      }
    };
    const pump = (): void => {
      if (c.state === 'CLOSED') { sock.destroy(); finish(); return; }
      toGuest();
      // Guest -> host, stopping while the host socket's buffer is full (the guest's window closes).
      while (sock.writableNeedDrain === false && !sock.destroyed) {
        const data = c.read(CHUNK);
        if (data.length === 0) break;
        sock.write(data);
      }
      if (c.atEnd && !guestEnded) { guestEnded = true; sock.end(); }
      if (guestEnded && hostEnded && pending === undefined) { c.close(); finish(); }
      stack.settle();
    };
    c.onChange = pump;
    sock.on('drain', pump);
    sock.on('data', (d: Buffer) => {
      pending = pending === undefined ? new Uint8Array(d) : concat(pending, d);
      sock.pause();
      toGuest();
      stack.settle();
    });
    sock.on('end', () => { hostEnded = true; pump(); });
    sock.on('error', (e) => { log(`user net: ${what}: ${e.message}`); });
    sock.on('close', () => {
      if (!hostEnded) { c.abort(0); stack.settle(); finish(); return; }
      pump();
    });
    pump();
  }

  function listenOn(port: number): void {
    const l = stack.tcp.listen(port, 64, BUFFERS);
    l.onChange = () => {
      for (const c of l.ready.splice(0)) {
        if (connections.size >= MAX_CONNECTIONS) { c.abort(0); continue; }
        // NOTE: the guest's connection is accepted before the host's answers; a refused host port resets it.
        const sock = net.connect({ host: '127.0.0.1', port });
        sock.once('error', () => { stats.refused++; });
        splice(c, sock, `10.0.2.2:${port}`);
      }
      stack.settle();
    };
  }

  // ---- UDP: one host socket per guest flow --------------------------------------------
  const flows = new Map<string, { sock: dgram.Socket; idle: NodeJS.Timeout }>();
  function bindUdp(port: number): void {
    stack.udp.ports.set(port, {
      receive: (from, fromPort, data) => {
        const key = `${fromPort}:${port}`;
        let flow = flows.get(key);
        if (flow === undefined) {
          if (flows.size >= MAX_FLOWS) { const [k, f] = flows.entries().next().value!; f.sock.close(); clearTimeout(f.idle); flows.delete(k); }
          const sock = dgram.createSocket('udp4');
          sock.on('message', (msg, rinfo) => {
            if (rinfo.address !== '127.0.0.1' || rinfo.port !== port) return;
            stack.udp.send(port, from, fromPort, new Uint8Array(msg));
            stack.settle();
          });
          sock.on('error', (e) => log(`user net: udp 10.0.2.2:${port}: ${e.message}`));
          flow = { sock, idle: setTimeout(() => {}, 0) };
          flows.set(key, flow);
          stats.udpFlows++;
        }
        clearTimeout(flow.idle);
        const f = flow;
        f.idle = setTimeout(() => { f.sock.close(); flows.delete(key); }, UDP_IDLE_MS);
        f.idle.unref();
        f.sock.send(data, port, '127.0.0.1');
      },
    });
  }

  // Opens the gateway's port for a guest packet before the stack sees it.
  function openFor(frame: Uint8Array): void {
    const e = parseEthernet(frame);
    if (e?.type !== ETHERTYPE.IPV4) return;
    const p = parseIpv4(e.payload);
    if (p === undefined || fromBytes(p.dst) !== gateway || fromBytes(p.src) !== guest || p.fragmentOffset !== 0 || p.payload.length < 4) return;
    const port = (p.payload[2]! << 8) | p.payload[3]!;
    const kind = p.protocol === PROTOCOL.TCP ? 'tcp' : p.protocol === PROTOCOL.UDP ? 'udp' : undefined;
    if (kind === undefined || port === 0 || opened.has(`${kind}:${port}`) || opened.size >= MAX_PORTS) return;
    // Only a connection's first segment opens a TCP port (SYN without ACK); a port --forward
    // uses for its own side is the forward's, not a way to the host.
    if (kind === 'tcp' && (p.payload.length < 14 || (p.payload[13]! & 0x12) !== 0x02 || stack.tcp.listeners.has(port))) return;
    if (kind === 'udp' && stack.udp.ports.has(port)) return;
    opened.add(`${kind}:${port}`);
    if (kind === 'tcp') listenOn(port); else bindUdp(port);
  }

  // ---- --forward: host programs reach guest ports ------------------------------------
  let nextPort = 49152;
  const ephemeral = (): number => { nextPort = nextPort >= 65535 ? 49152 : nextPort + 1; return nextPort; };
  const servers: (net.Server | dgram.Socket)[] = [];
  const ready = Promise.all(forwards.map((f) => new Promise<void>((resolve, reject) => {
    if (!f.udp) {
      const server = net.createServer((sock) => {
        if (connections.size >= MAX_CONNECTIONS) { sock.destroy(); return; }
        const c = stack.tcp.connect(ephemeral(), guest, f.guestPort, BUFFERS);
        splice(c, sock, `forward ${f.hostPort}->${f.guestPort}`);
        stack.settle();
      });
      server.once('error', reject);
      server.listen(f.hostPort, '127.0.0.1', () => resolve());
      servers.push(server);
    } else {
      const sock = dgram.createSocket('udp4');
      const port = ephemeral();
      let lastSender: { port: number } | undefined;
      stack.udp.ports.set(port, { receive: (_from, fromPort, data) => { if (fromPort === f.guestPort && lastSender !== undefined) sock.send(data, lastSender.port, '127.0.0.1'); } });
      sock.on('message', (msg, rinfo) => { lastSender = { port: rinfo.port }; stack.udp.send(port, guest, f.guestPort, new Uint8Array(msg)); stack.settle(); });
      sock.once('error', reject);
      sock.bind(f.hostPort, '127.0.0.1', () => resolve());
      servers.push(sock);
    }
  }))).then(() => {});
  ready.catch((e: unknown) => log(`error: --forward: ${e instanceof Error ? e.message : String(e)}`));

  return {
    ready,
    stats,
    // Each stack takes the frames for its MAC (and broadcasts) and drops the rest.
    send: (f) => { if (closed) return; openFor(f); stack.receive(f); dnsStack.receive(f); },
    onFrame: (h) => { handler = h; },
    close: () => {
      if (closed) return;
      closed = true;
      for (const stop of [...closers]) stop();
      for (const f of flows.values()) { clearTimeout(f.idle); f.sock.close(); }
      for (const s of servers) s.close();
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

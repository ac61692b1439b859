// XDP_TX on eth0, on every preset: the clang-built udpbounce program sends UDP to one
// port straight back out of eth0 with its addresses and ports swapped, before the
// stack sees it. A peer on a --net switch sends datagrams to that port and to an open
// neighbour port; it must receive each bounced datagram whole (valid IPv4 and UDP
// checksums, its own addresses as destination, the same payload), and a port
// unreachable for each datagram to the neighbour (the stack saw those) but none for
// the bounce port (the stack never did). The program's count equals what was sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinSwitch, type SwitchMember } from '../../src/hosts/node/net/switch.js';
import { buildEthernet, parseEthernet, ETHERTYPE } from '../../src/services/net/wire/ethernet.js';
import { buildArp, parseArp, ARP_OP } from '../../src/services/net/wire/arp.js';
import { buildIpv4, parseIpv4, PROTOCOL } from '../../src/services/net/wire/ipv4.js';
import { parseIcmp, ICMP } from '../../src/services/net/wire/icmp.js';
import { buildUdp, parseUdp } from '../../src/services/net/wire/udp.js';
import { parseMac } from '../../src/hw/nic-device.js';
import { parseAddress, toBytes } from '../../src/services/net/stack/address.js';
import { PRESETS } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');
const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/bpf/c');
const BOUNCE_PORT = 7790, OPEN_PORT = 7791, PEER_PORT = 40000;
const GUEST_IP = '10.8.0.2';
let objects = '';

before(() => {
  objects = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-xdp-tx-'));
  fs.chmodSync(objects, 0o755);
  execFileSync('clang', ['-target', 'bpf', '-O2', '-g', `-DBOUNCE_PORT=${BOUNCE_PORT}`, '-c', path.join(sources, 'xdp', 'udpbounce.c'), '-o', path.join(objects, 'udpbounce.o')]);
});
after(() => fs.rmSync(objects, { recursive: true, force: true }));

interface Machine { proc: ChildProcess; stdout: () => string; stderr: () => string; status: Promise<number> }

function start(args: string[], line: string): Machine {
  const proc = spawn(process.execPath, [bin, 'run', ...args, '--', line], { stdio: ['pipe', 'pipe', 'pipe'] });
  const err: Buffer[] = [], out: Buffer[] = [];
  proc.stderr!.on('data', (d: Buffer) => err.push(d));
  proc.stdout!.on('data', (d: Buffer) => out.push(d));
  const status = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? 128)));
  return { proc, stdout: () => Buffer.concat(out).toString(), stderr: () => Buffer.concat(err).toString(), status };
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** The peer: answers ARP, sends datagrams, keeps the bounced ones it gets back and counts port unreachables per quoted port. */
class Peer {
  readonly mac = Uint8Array.of(0x02, 0x50, 0x45, 0x45, 0x52, 0x03);
  readonly ip = parseAddress('10.8.0.9')!;
  readonly port: SwitchMember;
  readonly unreachable = new Map<number, number>();
  /** Payloads of the datagrams that came back from BOUNCE_PORT to PEER_PORT, addressed to this peer. */
  readonly bounced: string[] = [];
  /** Frames from the guest that were not well-formed IPv4 (a bad checksum, say). */
  malformed = 0;

  constructor(name: string, readonly guestMac: Uint8Array) {
    this.port = joinSwitch(name);
    this.port.onFrame((f) => this.input(f));
  }

  private input(f: Uint8Array): void {
    const e = parseEthernet(f);
    if (e?.type === ETHERTYPE.ARP) {
      const a = parseArp(e.payload);
      if (a?.op === ARP_OP.REQUEST && a.targetIp === this.ip) {
        this.port.send(buildEthernet(a.senderMac, this.mac, ETHERTYPE.ARP, buildArp({ op: ARP_OP.REPLY, senderMac: this.mac, senderIp: this.ip, targetMac: a.senderMac, targetIp: a.senderIp })));
      }
      return;
    }
    if (e?.type !== ETHERTYPE.IPV4) return;
    const p = parseIpv4(e.payload);
    if (p === undefined) { this.malformed++; return; }
    if (p.protocol === PROTOCOL.ICMP) {
      const icmp = parseIcmp(p.payload);
      if (icmp?.type === ICMP.DEST_UNREACHABLE && icmp.code === 3 && icmp.payload.length >= 28) {
        const quotedPort = (icmp.payload[22]! << 8) | icmp.payload[23]!;
        this.unreachable.set(quotedPort, (this.unreachable.get(quotedPort) ?? 0) + 1);
      }
      return;
    }
    if (p.protocol !== PROTOCOL.UDP) return;
    const u = parseUdp(p.payload, p.src, p.dst);
    if (u === undefined) { this.malformed++; return; }
    const toMe = Buffer.from(e.dst).equals(Buffer.from(this.mac)) && Buffer.from(e.src).equals(Buffer.from(this.guestMac))
      && Buffer.from(p.dst).equals(Buffer.from(toBytes(this.ip))) && Buffer.from(p.src).equals(Buffer.from(toBytes(parseAddress(GUEST_IP)!)));
    if (toMe && u.srcPort === BOUNCE_PORT && u.dstPort === PEER_PORT) this.bounced.push(new TextDecoder().decode(u.payload));
  }

  datagram(dstPort: number, id: number, text: string): void {
    const dst = toBytes(parseAddress(GUEST_IP)!), src = toBytes(this.ip);
    this.port.send(buildEthernet(this.guestMac, this.mac, ETHERTYPE.IPV4, buildIpv4({ src, dst, protocol: PROTOCOL.UDP, id }, buildUdp(PEER_PORT, dstPort, new TextEncoder().encode(text), src, dst))));
  }
}

for (const [i, preset] of PRESETS.entries()) {
  test(`XDP_TX on eth0 (${preset}): udpbounce sends UDP to port ${BOUNCE_PORT} back to the peer, addresses swapped, before the stack sees it`, async () => {
    const name = `kk-xdptx-${process.pid}-${i}`;
    const macText = `02:00:00:0d:00:0${i + 2}`;
    const mac = parseMac(macText)!;
    const m = start(['--preset', preset, '--net', `switch:${name}`, '--ip', `${GUEST_IP}/24`, '--mac', macText, '--mount', `${objects}:/obj:ro`], [
      'bpftool prog load /obj/udpbounce.o && echo LOADED', 'read go',
      'echo "== bounced"; bpftool map dump name bounced', 'echo "== end"', 'cat > /dev/null',
    ].join('; '));
    const peer = new Peer(name, mac);
    try {
      assert.ok(await until(() => /LOADED/.test(m.stdout()), 60_000), `the program loaded\n${m.stdout()}\n${m.stderr()}`);
      // Interleaved: 6 to the bounce port, 4 to its open neighbour.
      const ports = [BOUNCE_PORT, OPEN_PORT, BOUNCE_PORT, OPEN_PORT, BOUNCE_PORT, OPEN_PORT, BOUNCE_PORT, OPEN_PORT, BOUNCE_PORT, BOUNCE_PORT];
      const sent: string[] = [];
      for (const [k, port] of ports.entries()) {
        const text = `datagram ${k} to ${port}`;
        if (port === BOUNCE_PORT) sent.push(text);
        peer.datagram(port, 200 + k, text);
        await new Promise((r) => setTimeout(r, 30));
      }
      const sentOpen = ports.length - sent.length;
      assert.ok(await until(() => peer.bounced.length >= sent.length && (peer.unreachable.get(OPEN_PORT) ?? 0) >= sentOpen, 15_000),
        `every bounced datagram back (${peer.bounced.length} of ${sent.length}) and a port unreachable per datagram to ${OPEN_PORT} (${peer.unreachable.get(OPEN_PORT) ?? 0} of ${sentOpen})\n${m.stderr()}`);
      assert.deepEqual([...peer.bounced].sort(), [...sent].sort(), 'the same payloads came back, each once');
      assert.equal(peer.malformed, 0, 'every frame from the guest was well-formed (the swap kept the checksums valid)');
      assert.equal(peer.unreachable.get(BOUNCE_PORT) ?? 0, 0, `nothing from the stack about port ${BOUNCE_PORT}: it never saw those datagrams`);
      m.proc.stdin!.write('go\n');
      assert.ok(await until(() => /== end/.test(m.stdout()), 60_000), m.stdout() + m.stderr());
      const counts = /== bounced\n([\s\S]*?)\n== end/.exec(m.stdout())?.[1] ?? '';
      assert.match(counts, new RegExp(`^key: 0 value: ${sent.length}$`, 'm'), `the program counted what it bounced\n${m.stdout()}`);
    } finally {
      peer.port.close();
      m.proc.stdin!.end();
      const t = setTimeout(() => m.proc.kill('SIGKILL'), 30_000);
      assert.equal(await m.status, 0, m.stderr());
      clearTimeout(t);
    }
  });
}

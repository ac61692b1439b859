// XDP on eth0, on every preset, judged by traffic a peer on a --net switch sends: the
// clang-built udpdrop program drops UDP to one port before the stack sees it and
// counts every IPv4 frame per protocol. The peer knows what it sent, and what came
// back: every echo request answered (passed), a port unreachable for each datagram to
// the open port's neighbour (passed to the stack, which had no socket there), none for
// the dropped port. Then the hostile XDP programs are refused with the verifier's
// reason, and the machine still answers.
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
import { buildIcmp, parseIcmp, echoFields, ICMP } from '../../src/services/net/wire/icmp.js';
import { buildUdp } from '../../src/services/net/wire/udp.js';
import { parseMac } from '../../src/hw/nic-device.js';
import { parseAddress, toBytes } from '../../src/services/net/stack/address.js';
import { PRESETS } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');
const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/bpf/c');
const DROP_PORT = 7777, OPEN_PORT = 7778;
let objects = '';

before(() => {
  objects = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-xdp-sys-'));
  fs.chmodSync(objects, 0o755);
  for (const name of ['udpdrop', 'no-bounds', 'oob-write']) {
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', `-DDROP_PORT=${DROP_PORT}`, '-c', path.join(sources, 'xdp', `${name}.c`), '-o', path.join(objects, `${name}.o`)]);
  }
});
after(() => fs.rmSync(objects, { recursive: true, force: true }));

interface Machine { proc: ChildProcess; stdout: () => string; stderr: () => string; status: Promise<number> }

function start(args: string[], line: string): Machine {
  const proc = spawn(process.execPath, [bin, 'run', '--verbose', ...args, '--', line], { stdio: ['pipe', 'pipe', 'pipe'] });
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

/** The peer: answers ARP, sends echo requests and datagrams, counts the port unreachables it gets back per quoted port. */
class Peer {
  readonly mac = Uint8Array.of(0x02, 0x50, 0x45, 0x45, 0x52, 0x02);
  readonly ip = parseAddress('10.8.0.9')!;
  readonly port: SwitchMember;
  readonly unreachable = new Map<number, number>();
  private readonly waiting = new Map<string, () => void>();

  constructor(name: string) {
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
    const icmp = p === undefined || p.protocol !== PROTOCOL.ICMP ? undefined : parseIcmp(p.payload);
    if (icmp?.type === ICMP.DEST_UNREACHABLE && icmp.code === 3 && icmp.payload.length >= 28) {
      const quotedPort = (icmp.payload[22]! << 8) | icmp.payload[23]!;
      this.unreachable.set(quotedPort, (this.unreachable.get(quotedPort) ?? 0) + 1);
    }
    if (icmp?.type !== ICMP.ECHO_REPLY) return;
    this.waiting.get(Buffer.from(icmp.rest).toString('hex'))?.();
  }

  ping(mac: Uint8Array, ip: string, seq: number, ms = 2000): Promise<boolean> {
    const rest = echoFields(0x5844, seq);
    const key = Buffer.from(rest).toString('hex');
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.waiting.delete(key); resolve(false); }, ms);
      this.waiting.set(key, () => { clearTimeout(t); this.waiting.delete(key); resolve(true); });
      this.port.send(buildEthernet(mac, this.mac, ETHERTYPE.IPV4, buildIpv4({ src: toBytes(this.ip), dst: toBytes(parseAddress(ip)!), protocol: PROTOCOL.ICMP, id: seq }, buildIcmp(ICMP.ECHO_REQUEST, 0, rest, new Uint8Array(32)))));
    });
  }

  datagram(mac: Uint8Array, ip: string, dstPort: number, id: number): void {
    const dst = toBytes(parseAddress(ip)!), src = toBytes(this.ip);
    this.port.send(buildEthernet(mac, this.mac, ETHERTYPE.IPV4, buildIpv4({ src, dst, protocol: PROTOCOL.UDP, id }, buildUdp(40000, dstPort, new TextEncoder().encode(`datagram ${id}`), src, dst))));
  }
}

const dump = (text: string, name: string): Map<number, number> => {
  const part = text.split(`== ${name}\n`)[1]?.split('\n== ')[0] ?? '';
  return new Map([...part.matchAll(/^key: (\d+) value: (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as [number, number]).filter(([, v]) => v !== 0));
};

for (const [i, preset] of PRESETS.entries()) {
  test(`XDP udpdrop on eth0 (${preset}): UDP to port ${DROP_PORT} never reaches the stack, the rest does, and the per-protocol counts are what the peer sent`, async () => {
    const name = `kk-xdp-${process.pid}-${i}`;
    const macText = `02:00:00:0c:00:0${i + 2}`;
    const mac = parseMac(macText)!;
    const m = start(['--preset', preset, '--net', `switch:${name}`, '--ip', '10.8.0.2/24', '--mac', macText, '--mount', `${objects}:/obj:ro`], [
      'bpftool prog load /obj/udpdrop.o && echo LOADED', 'read go',
      'echo "== proto"; bpftool map dump name proto', 'echo "== dropped"; bpftool map dump name dropped', 'echo "== list"; bpftool prog list',
      ...['no-bounds', 'oob-write'].flatMap((n) => [`echo "== ${n}"`, `bpftool prog load /obj/${n}.o`, 'echo status=$?']),
      'echo "== end"', 'cat > /dev/null',
    ].join('; '));
    const peer = new Peer(name);
    try {
      assert.ok(await until(() => /LOADED/.test(m.stdout()), 60_000), `the program loaded\n${m.stdout()}\n${m.stderr()}`);
      let pings = 0, answered = 0;
      // Every request the peer sends after the load reaches eth0 and is counted, answered or not.
      for (let seq = 1; seq <= 60 && answered < 5; seq++) { pings++; if (await peer.ping(mac, '10.8.0.2', seq, 1000)) answered++; }
      assert.equal(answered, 5, `five echo requests answered\n${m.stderr()}`);
      // Interleaved, so a drop cannot be a matter of timing: 6 to the drop port, 4 to its neighbour.
      const ports = [DROP_PORT, OPEN_PORT, DROP_PORT, OPEN_PORT, DROP_PORT, OPEN_PORT, DROP_PORT, OPEN_PORT, DROP_PORT, DROP_PORT];
      for (const [k, port] of ports.entries()) {
        peer.datagram(mac, '10.8.0.2', port, 100 + k);
        await new Promise((r) => setTimeout(r, 30));
      }
      const sentDrop = ports.filter((p) => p === DROP_PORT).length, sentOpen = ports.length - sentDrop;
      assert.ok(await until(() => (peer.unreachable.get(OPEN_PORT) ?? 0) >= sentOpen, 10_000), `a port unreachable for each datagram to ${OPEN_PORT}`);
      // A last echo round trip: anything the guest would still send about the drop port is out by now.
      assert.ok(await peer.ping(mac, '10.8.0.2', 999, 3000)); pings++;
      assert.equal(peer.unreachable.get(DROP_PORT) ?? 0, 0, `nothing came back about port ${DROP_PORT}: the stack never saw those datagrams`);
      m.proc.stdin!.write('go\n');
      assert.ok(await until(() => /== end/.test(m.stdout()), 60_000), m.stdout() + m.stderr());
      const out = m.stdout();
      assert.deepEqual(Object.fromEntries(dump(out, 'proto')), { [PROTOCOL.ICMP]: pings, [PROTOCOL.UDP]: ports.length }, out);
      assert.deepEqual(Object.fromEntries(dump(out, 'dropped')), { 0: sentDrop }, out);
      assert.match(out, /udpdrop attached xdp\/eth0 insns \d+ runs [1-9]/);
      const part = (n: string): string => out.split(`== ${n}\n`)[1]?.split('\n== ')[0] ?? '';
      assert.match(part('no-bounds'), /invalid access to packet, off=23 size=1[^\n]*\nR1 offset is outside of the packet[\s\S]*status=1/);
      assert.match(part('oob-write'), /invalid access to packet, off=22 size=1, R1\(id=0,off=0,r=14\)[\s\S]*status=1/);
      // The machine runs on with udpdrop still attached.
      assert.ok(await peer.ping(mac, '10.8.0.2', 1000, 3000), 'still answers');
    } finally {
      peer.port.close();
      m.proc.stdin!.end();
      const t = setTimeout(() => m.proc.kill('SIGKILL'), 30_000);
      assert.equal(await m.status, 0, m.stderr());
      clearTimeout(t);
    }
  });
}

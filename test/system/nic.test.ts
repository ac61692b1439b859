// Machines with a network device, judged by real peers: Linux's own stack through a
// TAP device inside a private network namespace (`unshare -n`: no traffic leaves the
// test), and a peer on a --net switch shared by two separate `kernelkit run` processes
// of different presets. Each machine runs `cat` until the test closes its stdin, so it
// halts normally (and its back end closes) when the test is done with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinSwitch, type SwitchMember } from '../../src/hosts/node/net/switch.js';
import { buildEthernet, parseEthernet, ETHERTYPE, BROADCAST_MAC } from '../../src/services/net/wire/ethernet.js';
import { buildArp, parseArp, ARP_OP } from '../../src/services/net/wire/arp.js';
import { buildIpv4, parseIpv4, PROTOCOL } from '../../src/services/net/wire/ipv4.js';
import { buildIcmp, parseIcmp, echoFields, ICMP } from '../../src/services/net/wire/icmp.js';
import { parseMac } from '../../src/hw/nic-device.js';
import { parseAddress, toBytes } from '../../src/services/net/stack/address.js';
import { seededRandom } from '../../src/lib/random.js';
import { PRESETS } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

interface Machine { proc: ChildProcess; stdout: () => string; stderr: () => string; status: Promise<number> }

/** Starts `kernelkit run ARGS -- LINE` (under `prefix`, e.g. unshare), stdin a pipe the test closes. */
function start(args: string[], line: string, prefix: string[] = []): Machine {
  const argv = [...prefix, process.execPath, bin, 'run', '--verbose', ...args, '--', line];
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const err: Buffer[] = [], out: Buffer[] = [];
  proc.stderr!.on('data', (d: Buffer) => err.push(d));
  proc.stdout!.on('data', (d: Buffer) => out.push(d));
  const status = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? 128)));
  return { proc, stdout: () => Buffer.concat(out).toString(), stderr: () => Buffer.concat(err).toString(), status };
}

async function stop(m: Machine): Promise<number> {
  m.proc.stdin!.end();
  const t = setTimeout(() => m.proc.kill('SIGKILL'), 30_000);
  const s = await m.status;
  clearTimeout(t);
  return s;
}

const tsharkLines = (file: string, fields: string[], filter?: string): string[] =>
  execFileSync('tshark', ['-r', file, ...(filter === undefined ? [] : ['-Y', filter]), '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).trim().split('\n').filter((l) => l !== '');

for (const preset of PRESETS) {
  test(`tap (${preset}): Linux's ping and curl (10 MB, sha256 compared) reach the guest through a TAP device in a private namespace; the pcap has no malformed packet`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kk-tap-'));
    const pcap = path.join(dir, 'tap.pcap');
    const srv = path.join(dir, 'srv');
    mkdirSync(srv);
    const body = randomBytes(10 * 1024 * 1024);
    writeFileSync(path.join(srv, 'r.bin'), body);
    const m = start(['--preset', preset, '--net', 'tap:ktap0', '--ip', '10.9.0.2/24', '--pcap', pcap, '--mount', `${srv}:/srv:ro`], 'httpd -q -p 80 /srv & cat > /dev/null; kill %1',
      // The back end's socat talks to kernelkit over 127.0.0.1: the namespace's loopback must be up.
      ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"']);
    const inNs = (cmd: string[], timeout = 20_000): string => execFileSync('nsenter', ['-t', String(m.proc.pid), '-n', ...cmd], { encoding: 'utf8', timeout });
    try {
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        try { inNs(['ip', 'link', 'show', 'ktap0']); up = true; } catch { await new Promise((r) => setTimeout(r, 100)); }
      }
      assert.ok(up, `socat made ktap0\n${m.stderr()}`);
      inNs(['ip', 'addr', 'add', '10.9.0.1/24', 'dev', 'ktap0']);
      // The machine is up once it answers; then three pings in a row must all come back.
      let answered = false;
      for (let i = 0; i < 30 && !answered; i++) {
        try { inNs(['ping', '-c', '1', '-W', '1', '10.9.0.2']); answered = true; } catch { /* still booting */ }
      }
      assert.ok(answered, `the guest answered a ping\n${m.stderr()}`);
      const out = inNs(['ping', '-c', '3', '-i', '0.2', '-W', '2', '10.9.0.2']);
      assert.match(out, /3 packets transmitted, 3 received/);
      assert.match(inNs(['ip', 'neigh', 'show', '10.9.0.2']), /lladdr [0-9a-f:]{17}/, 'Linux learned the guest\'s MAC by ARP');
      // Linux's TCP and curl against the guest's TCP and httpd.
      const file = path.join(dir, 'got.bin');
      inNs(['curl', '-sf', '--retry', '5', '--retry-connrefused', '-o', file, 'http://10.9.0.2/r.bin'], 180_000);
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), createHash('sha256').update(body).digest('hex'), 'curl got every byte');
    } finally {
      assert.equal(await stop(m), 0, m.stderr());
    }
    try {
      const lines = tsharkLines(pcap, ['ip.src', 'icmp.type', 'arp.opcode']);
      assert.ok(lines.filter((l) => l.startsWith('10.9.0.2,0,')).length >= 4, `echo replies from the guest in the pcap:\n${lines.join('\n')}`);
      assert.ok(lines.some((l) => l.split(',')[2] === '2'), 'an ARP reply');
      // NOTE: tshark's TCP reassembly throws "New fragment overlaps old data
      // (retransmission?)", shown as a malformed packet, for a segment its sequence
      // analysis calls a fast retransmission or out of order (it skips only a plain
      // retransmission) that lies in a PDU it has already reassembled whole. The pcap is
      // taken at the guest's NIC, before the TAP relay: when the relay drops frames near
      // the end of the response (one 10 MB PDU to tshark's HTTP), the capture holds them,
      // the PDU is whole in it, and the guest's resends of them get that error. It is
      // raised before any comparison and says nothing about the frame; what it might
      // stand for, a resent byte unlike the first, is checked directly below.
      const excused = 'tcp.srcport == 80 && (tcp.analysis.fast_retransmission || tcp.analysis.out_of_order) && _ws.expert.message == "New fragment overlaps old data (retransmission?)"';
      const malformed = tsharkLines(pcap, ['frame.number', '_ws.expert.message'], `_ws.malformed && !(${excused})`);
      assert.deepEqual(malformed, [], 'no malformed packet');
      const tcp = tsharkLines(pcap, ['tcp.flags.syn', 'tcp.flags.fin'], 'tcp');
      assert.ok(tcp.some((l) => l.startsWith('1,')) && tcp.some((l) => l.split(',')[1] === '1'), 'the handshake and the FIN of the transfer are in the pcap');
      // Every segment the guest sent again carries the bytes it carried the first time
      // (Linux keeps the copy it got first, so curl's sha256 cannot tell). Relative
      // sequence numbers: the response starts at 1 and its last byte is just before the FIN.
      const fin = Number(tsharkLines(pcap, ['tcp.seq'], 'ip.src == 10.9.0.2 && tcp.srcport == 80 && tcp.flags.fin == 1')[0]);
      const headers = fin - 1 - body.length;
      assert.ok(headers > 0, `the response's FIN at ${fin}`);
      const resent = tsharkLines(pcap, ['tcp.seq', 'tcp.payload'], 'ip.src == 10.9.0.2 && tcp.srcport == 80 && tcp.len > 0 && (tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.out_of_order)');
      for (const l of resent) {
        const [seq, hex] = l.split(',');
        const data = Buffer.from(hex!, 'hex'), at = Number(seq) - 1 - headers, skip = Math.max(0, -at);
        assert.ok(data.subarray(skip).equals(body.subarray(at + skip, Math.max(at + skip, at + data.length))), `the segment resent at ${seq} (${data.length} bytes) is the body's bytes there`);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

/** A peer on a switch with its own MAC and IPv4 address: answers ARP, sends echo requests. */
class Peer {
  readonly mac = Uint8Array.of(0x02, 0x50, 0x45, 0x45, 0x52, 0x01);
  readonly ip = parseAddress('10.8.0.9')!;
  private readonly waiting = new Map<string, () => void>();
  readonly port: SwitchMember;

  constructor(name: string) {
    this.port = joinSwitch(name);
    this.port.onFrame((f) => this.input(f));
  }

  private input(f: Uint8Array): void {
    const e = parseEthernet(f);
    if (e === undefined) return;
    if (e.type === ETHERTYPE.ARP) {
      const a = parseArp(e.payload);
      if (a?.op === ARP_OP.REQUEST && a.targetIp === this.ip) {
        this.port.send(buildEthernet(a.senderMac, this.mac, ETHERTYPE.ARP, buildArp({ op: ARP_OP.REPLY, senderMac: this.mac, senderIp: this.ip, targetMac: a.senderMac, targetIp: a.senderIp })));
      }
      return;
    }
    if (e.type !== ETHERTYPE.IPV4) return;
    const p = parseIpv4(e.payload);
    const icmp = p === undefined || p.protocol !== PROTOCOL.ICMP ? undefined : parseIcmp(p.payload);
    if (icmp?.type !== ICMP.ECHO_REPLY) return;
    const key = `${[...p!.src].join('.')}/${Buffer.from(icmp.rest).toString('hex')}/${Buffer.from(icmp.payload).toString('hex')}`;
    this.waiting.get(key)?.();
  }

  /** One echo request to `ip` at `mac`; true when its reply (same id, sequence, payload) came back within `ms`. */
  ping(mac: Uint8Array, ip: string, seq: number, ms = 1000): Promise<boolean> {
    const payload = Uint8Array.from({ length: 56 }, (_, i) => (seq * 31 + i) & 0xff);
    const rest = echoFields(0x4b4b, seq);
    const key = `${ip}/${Buffer.from(rest).toString('hex')}/${Buffer.from(payload).toString('hex')}`;
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.waiting.delete(key); resolve(false); }, ms);
      this.waiting.set(key, () => { clearTimeout(t); this.waiting.delete(key); resolve(true); });
      this.port.send(buildEthernet(mac, this.mac, ETHERTYPE.IPV4, buildIpv4({ src: toBytes(this.ip), dst: toBytes(parseAddress(ip)!), protocol: PROTOCOL.ICMP, id: seq }, buildIcmp(ICMP.ECHO_REQUEST, 0, rest, payload))));
    });
  }

  /** Pings until one reply (the machine has booted), at most `tries` times. */
  async reachable(mac: Uint8Array, ip: string, tries = 60): Promise<boolean> {
    for (let i = 0; i < tries; i++) if (await this.ping(mac, ip, 60000 + i, 500)) return true;
    return false;
  }
}

test('switch: two kernelkit processes (microkernel, monolithic) and a peer on one switch; garbage frames are dropped and the guests keep answering', async () => {
  const name = `kk-test-${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-switch-'));
  const pcap = path.join(dir, 'a.pcap');
  const macA = parseMac('02:00:00:0a:00:02')!, macB = parseMac('02:00:00:0a:00:03')!;
  const a = start(['--preset', 'microkernel', '--net', `switch:${name}`, '--ip', '10.8.0.2/24', '--mac', '02:00:00:0a:00:02', '--pcap', pcap], 'cat > /dev/null');
  const b = start(['--preset', 'monolithic', '--net', `switch:${name}`, '--ip', '10.8.0.3/24', '--mac', '02:00:00:0a:00:03'], 'cat > /dev/null');
  const peer = new Peer(name);
  try {
    assert.ok(await peer.reachable(macA, '10.8.0.2'), `machine A answers\n${a.stderr()}`);
    assert.ok(await peer.reachable(macB, '10.8.0.3'), `machine B answers\n${b.stderr()}`);
    for (let seq = 1; seq <= 5; seq++) {
      assert.ok(await peer.ping(macA, '10.8.0.2', seq), `A: echo ${seq}`);
      assert.ok(await peer.ping(macB, '10.8.0.3', seq), `B: echo ${seq}`);
    }
    // An attacker on the switch: 400 seeded frames of random bytes and lengths, to B and to everyone.
    const rnd = seededRandom(1313);
    for (let i = 0; i < 400; i++) {
      const f = Uint8Array.from({ length: 14 + Math.floor(rnd() * 1501) }, () => Math.floor(rnd() * 256));
      f.set(i % 2 === 0 ? macB : BROADCAST_MAC, 0);
      f.set(peer.mac, 6);
      if (i % 2 === 1) { f[12] = 0x08; f[13] = i % 4 === 1 ? 0x00 : 0x06; } // as IPv4 or ARP
      peer.port.send(f);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    for (let seq = 6; seq <= 8; seq++) assert.ok(await peer.ping(macB, '10.8.0.3', seq, 3000), `B still answers: echo ${seq}`);
    assert.ok(await peer.ping(macA, '10.8.0.2', 6, 3000), 'A still answers');
  } finally {
    peer.port.close();
    assert.equal(await stop(a), 0, a.stderr());
    assert.equal(await stop(b), 0, b.stderr());
  }
  try {
    // B's device counted what it took in; nothing bad reached a ring (the switch takes only whole frames).
    assert.match(b.stderr(), /host: eth0 02:00:00:0a:00:03: rx_frames (\d+)/);
    const rx = Number(/rx_frames (\d+)/.exec(b.stderr().split('host: eth0')[1]!)![1]);
    assert.ok(rx >= 400, `B received the garbage too (${rx} frames)`);
    // A's pcap holds the garbage it was sent (broadcasts); what A itself sent must all be well formed.
    const all = tsharkLines(pcap, ['frame.number']);
    const sent = tsharkLines(pcap, ['ip.src', 'icmp.type', '_ws.malformed'], 'eth.src == 02:00:00:0a:00:02');
    assert.ok(all.length >= 200 + sent.length, `the garbage broadcasts were captured too (${all.length} frames)`);
    assert.ok(sent.filter((l) => l.startsWith('10.8.0.2,0,')).length >= 6, 'A\'s echo replies are in its pcap');
    assert.ok(sent.every((l) => l.split(',')[2] === ''), 'nothing A sent is malformed');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('fault nic crash on microkernel mid-traffic: the driver restarts and the guest answers again', async () => {
  const name = `kk-fault-${process.pid}`;
  const mac = parseMac('02:00:00:0b:00:02')!;
  const m = start(['--preset', 'microkernel', '--net', `switch:${name}`, '--ip', '10.8.0.2/24', '--mac', '02:00:00:0b:00:02'], 'read go; fault nic crash; cat > /dev/null');
  const peer = new Peer(name);
  try {
    assert.ok(await peer.reachable(mac, '10.8.0.2'), m.stderr());
    for (let seq = 1; seq <= 3; seq++) assert.ok(await peer.ping(mac, '10.8.0.2', seq));
    m.proc.stdin!.write('go\n');
    // Traffic goes on while the fault is armed and fires; a frame in flight at the crash may be lost.
    // Pings are paced (one per 20 ms, as ping -i 0.02) and bounded in count and time: on a
    // quiet host they are answered faster than the shell gets to `fault`.
    let lost = 0, after = 0;
    const until = Date.now() + 30_000;
    for (let seq = 4; seq < 1500 && after < 5 && Date.now() < until; seq++) {
      if (await peer.ping(mac, '10.8.0.2', seq, 700)) { if (/nic: restarted/.test(m.stderr())) after++; } else lost++;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(after, 5, `five replies after the restart (${lost} lost)\n${m.stderr()}`);
    assert.match(m.stderr(), /nic: .*restarting \(restart 1\)/);
  } finally {
    peer.port.close();
    assert.equal(await stop(m), 0, m.stderr());
  }
});

test('switch: httpd on a microkernel machine, wget on a monolithic one (separate kernelkit processes); 3 MB arrive whole, in large segments', async () => {
  const name = `kk-http-${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-srv-'));
  const rnd = seededRandom(2024);
  const body = Uint8Array.from({ length: 3 * 1024 * 1024 }, () => Math.floor(rnd() * 256));
  writeFileSync(path.join(dir, 'r.bin'), body);
  const server = start(['--preset', 'microkernel', '--net', `switch:${name}`, '--ip', '10.8.0.2/24', '--mount', `${dir}:/srv:ro`], 'httpd -q -p 80 /srv & cat > /dev/null; kill %1');
  const client = start(['--preset', 'monolithic', '--net', `switch:${name}`, '--ip', '10.8.0.3/24'],
    'n=0; until wget -q -T 10 -O /tmp/r.bin http://10.8.0.2/r.bin; do n=$((n+1)); [ $n -gt 100 ] && exit 9; sleep 0.3; done; sha256sum /tmp/r.bin');
  try {
    client.proc.stdin!.end();
    assert.equal(await client.status, 0, client.stderr());
    assert.equal(/^([0-9a-f]{64})  \/tmp\/r\.bin$/m.exec(client.stdout())?.[1], createHash('sha256').update(body).digest('hex'), client.stdout());
  } finally {
    assert.equal(await stop(server), 0, server.stderr());
    rmSync(dir, { recursive: true, force: true });
  }
  // With offload (the default) the server's large segments crossed the pipes and the
  // switch whole: each machine's back end says so when it leaves (--verbose).
  const whole = (err: string, what: string): number => Number(new RegExp(`large segments: (?:\\d+ sent whole, )?(\\d+) ${what} whole`).exec(err)?.[1] ?? 0);
  assert.ok(whole(server.stderr(), 'sent') > 10, server.stderr());
  assert.ok(whole(client.stderr(), 'received') > 10, client.stderr());
});

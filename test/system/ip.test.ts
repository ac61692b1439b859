// `ip` on every preset, judged by what the wire saw: a machine with `--net user`, a
// chosen address and MAC, and `--pcap` pings the gateway, then shows its links (with the
// device's counters), addresses, routes and neighbours. The counters must equal the
// frames and bytes in the capture in each direction, the neighbour's MAC the one the
// gateway's ARP reply carried, the addresses and routes the ones the machine was booted
// with. Without a network device only the loopback interface shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESETS } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

function run(args: string[], line: string): string {
  return execFileSync(process.execPath, [bin, 'run', ...args, '--', line], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The lines of `text` between the marker lines `== name` and the next marker. */
function section(text: string, name: string): string[] {
  const lines = text.split('\n');
  const at = lines.indexOf(`== ${name}`);
  assert.ok(at >= 0, `no ${name} section in:\n${text}`);
  const end = lines.findIndex((l, i) => i > at && l.startsWith('== '));
  return lines.slice(at + 1, end < 0 ? undefined : end).filter((l) => l !== '');
}

for (const preset of PRESETS) {
  test(`ip on ${preset}: counters equal the capture, the neighbour is the gateway's ARP reply, addresses and routes as booted`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kk-ip-'));
    try {
      const pcap = path.join(dir, 'eth0.pcap');
      const mac = '52:54:00:ab:cd:ef';
      const out = run(['--preset', preset, '--net', 'user', '--mac', mac, '--pcap', pcap],
        'ping -c 2 -i 0.2 10.0.2.2 > /dev/null; echo "== link"; ip -s link; echo "== addr"; ip addr show dev eth0; echo "== route"; ip route; echo "== neigh"; ip neigh; echo "== end"');

      // What the wire saw, direction by source MAC.
      const frames = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-E', 'separator=,', '-e', 'eth.src', '-e', 'frame.len', '-e', 'arp.opcode', '-e', 'arp.src.hw_mac', '-e', 'arp.src.proto_ipv4'], { encoding: 'utf8' })
        .trim().split('\n').filter((l) => l !== '').map((l) => l.split(','));
      const sent = frames.filter((f) => f[0] === mac), received = frames.filter((f) => f[0] !== mac);
      assert.ok(sent.length >= 3 && received.length >= 3, `an ARP exchange and two pings each way in the capture: ${frames.join(' | ')}`);
      const bytes = (fs: string[][]): number => fs.reduce((n, f) => n + Number(f[1]), 0);

      const link = section(out, 'link');
      const eth0 = link.findIndex((l) => /^\d+: eth0: /.test(l));
      assert.ok(eth0 > 0 && /^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536/.test(link[0]!), link.join('\n'));
      assert.match(link[eth0]!, /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP$/);
      assert.equal(link[eth0 + 1]!.trim(), `link/ether ${mac} brd ff:ff:ff:ff:ff:ff`);
      const counters = (row: string): number[] => row.trim().split(/\s+/).map(Number);
      assert.match(link[eth0 + 2]!, /RX:\s+bytes\s+packets\s+errors\s+dropped/);
      assert.deepEqual(counters(link[eth0 + 3]!), [bytes(received), received.length, 0, 0], 'RX counters = the frames the capture saw arrive');
      assert.match(link[eth0 + 4]!, /TX:\s+bytes\s+packets\s+errors\s+dropped/);
      assert.deepEqual(counters(link[eth0 + 5]!), [bytes(sent), sent.length, 0, 0], 'TX counters = the frames the capture saw leave');

      const addr = section(out, 'addr');
      assert.ok(addr.some((l) => l.trim() === 'inet 10.0.2.15/24 scope global eth0'), addr.join('\n'));
      assert.ok(!addr.some((l) => l.includes('127.0.0.1')), 'dev eth0 shows only eth0');

      assert.deepEqual(section(out, 'route'), ['default via 10.0.2.2 dev eth0', '10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.15']);

      const reply = received.find((f) => f[2] === '2' && f[4] === '10.0.2.2');
      assert.ok(reply !== undefined, `the gateway's ARP reply is in the capture: ${frames.join(' | ')}`);
      assert.deepEqual(section(out, 'neigh'), [`10.0.2.2 dev eth0 lladdr ${reply[3]} REACHABLE`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('ip without a network device shows the loopback interface only; changes and unknown objects or devices are refused', () => {
  const out = run(['--preset', 'microkernel'], 'ip addr; echo "== route"; ip route; echo "== neigh"; ip n; echo "== bad"; ip link set eth0 down; echo "status $?"; ip n show dev eth0; echo "status $?"; ip xyz; echo "status $?"');
  const lines = out.split('\n');
  assert.deepEqual(lines.slice(0, 3), ['1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN', '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00', '    inet 127.0.0.1/8 scope host lo']);
  assert.equal(lines[3], '== route');
  assert.deepEqual(section(out, 'route'), []);
  assert.deepEqual(section(out, 'neigh'), []);
  assert.deepEqual(section(out, 'bad').filter((l) => l.startsWith('status')), ['status 2', 'status 2', 'status 2']);
});

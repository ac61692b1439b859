// Segmentation offload end to end, on every preset: two machines on an in-process
// cable move the same bytes to the application with offload on and off (the NICs then
// carry 64 KiB segments whole, or real frames); and a capture on a cable where a large
// segment meets a wire (a pcap stage: the device cuts it there) holds only frames of at
// most the MTU, with good checksums, nothing malformed, the transfer's bytes whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { guestPair } from '../../src/lab/net-machines.js';
import { portPair, type FramePort } from '../../src/hosts/node/net/frame-port.js';
import { pcapPort } from '../../src/hosts/node/net/pcap-tap.js';

const PRESETS = ['monolithic', 'microkernel', 'hybrid'];
const BYTES = 3 << 20;

/** Counts the large segments a cable end was asked to carry whole (and whether it did). */
function counting(port: FramePort): { port: FramePort; offered: () => number; carried: () => number } {
  let offered = 0, carried = 0;
  const sendLarge = port.sendLarge;
  return {
    port: { ...port, sendLarge: sendLarge === undefined ? undefined : (f, mss) => { offered++; const ok = sendLarge(f, mss); if (ok) carried++; return ok; } },
    offered: () => offered, carried: () => carried,
  };
}

for (const preset of PRESETS) {
  test(`offload on and off give the application the same bytes (${preset})`, { timeout: 300_000 }, async () => {
    const seen: Record<string, { adler: number[]; carried: number }> = {};
    for (const offload of [true, false]) {
      const [a, b] = portPair();
      const sender = counting(b);
      const r = await guestPair({ preset, bytes: BYTES, count: 2, loopback: false, timeoutMs: 240_000, offload, cables: [a, sender.port] });
      assert.equal(r.failure, undefined, r.failure);
      assert.equal(r.guest.length, 2);
      for (const t of r.guest) assert.equal(t.intact, true, JSON.stringify(t));
      seen[String(offload)] = { adler: r.guest.map((t) => t.adler32!), carried: sender.carried() };
    }
    assert.ok(seen['true']!.carried > 0, 'with offload the sender handed the cable large segments');
    assert.equal(seen['false']!.carried, 0, 'without it none');
    assert.deepEqual(seen['true']!.adler, seen['false']!.adler, 'the same bytes either way');
  });
}

test('a capture of an offloaded transfer holds only real frames with good checksums (tshark)', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-gso-'));
  try {
    const file = path.join(dir, 'a.pcap');
    const [a, b] = portPair();
    const sender = counting(b);
    // Machine A's end goes through a pcap stage: no large segment can cross it whole.
    const r = await guestPair({ preset: 'monolithic', bytes: BYTES, count: 1, loopback: false, timeoutMs: 240_000, cables: [pcapPort(a, file), sender.port] });
    assert.equal(r.failure, undefined, r.failure);
    assert.equal(r.guest[0]?.intact, true);
    assert.ok(sender.offered() > 0 && sender.carried() === 0, 'the sender offered large segments; the pcap side took none whole');
    const run = (args: string[]): string => execFileSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', ...args],
      { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 });
    const rows = run(['-T', 'fields', '-E', 'separator=,', '-e', 'frame.len', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'tcp.len', '-e', '_ws.malformed'])
      .trim().split('\n').map((x) => x.split(','));
    assert.ok(rows.length > BYTES / 1460, `${rows.length} frames`);
    assert.ok(rows.every((x) => Number(x[0]) <= 1514), `largest frame ${Math.max(...rows.map((x) => Number(x[0])))}`);
    assert.ok(rows.every((x) => x[4] === ''), 'nothing malformed');
    const tcp = rows.filter((x) => x[2] !== '');
    // tshark's checksum status: 0 bad, 1 good, 2 unverified.
    assert.ok(tcp.every((x) => x[1] === '1' && x[2] === '1'), 'every IPv4 and TCP checksum good');
    const data = tcp.reduce((n, x) => n + Number(x[3]), 0);
    assert.ok(data >= BYTES, `${data} TCP payload bytes on the wire for ${BYTES}`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// `kernelkit run --no-offload`: the device offers no offload, so the driver accepts
// none (its boot line says which it took); without the flag it takes both. Without
// --net the flag is refused.
test('kernelkit run --no-offload: the NIC offers no TSO/GRO, on every preset', { timeout: 300_000 }, () => {
  const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../bin/kernelkit.js');
  const run = (args: string[]): { out: string; status: number | null; err: string } => {
    try { return { out: execFileSync(process.execPath, [bin, 'run', ...args], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] }), status: 0, err: '' }; } catch (e) {
      const x = e as { stdout?: string; stderr?: string; status: number | null };
      return { out: x.stdout ?? '', status: x.status, err: x.stderr ?? '' };
    }
  };
  for (const preset of PRESETS) {
    const off = run(['--preset', preset, '--net', 'user', '--no-offload', '--', 'dmesg | grep "eth0: offload"']);
    assert.match(off.out, /eth0: offload -tso -gro/, `${preset}: ${off.out}${off.err}`);
    const on = run(['--preset', preset, '--net', 'user', '--', 'dmesg | grep "eth0: offload"']);
    assert.match(on.out, /eth0: offload tso gro/, `${preset}: ${on.out}${on.err}`);
  }
  const refused = run(['--no-offload', '--', 'true']);
  assert.equal(refused.status, 2);
  assert.match(refused.err, /--no-offload .*need --net/);
});

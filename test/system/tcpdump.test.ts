// tcpdump inside the guest, on every preset, judged by the host's own capture of the
// same wire: a machine with `--net user --pcap` runs tcpdump -w while it pings the
// gateway; the guest's file must read cleanly in tshark and hold exactly the frames the
// host's capture holds, in the same order. The text mode names each frame's direction
// and protocol; a filter runs in the kernel, so the frames it rejects are not even
// counted. Then the rules of the capture socket and of its filters (nettests
// packet_capture_rules and packet_filter_rules, with a device and without), and
// tcpdump refused to a user and without a device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESETS } from './harness.js';

// `icmp and src host 10.0.2.2` behind 400 hosts that match nothing: 7429 instructions.
const LONG = `${Array.from({ length: 400 }, (_, i) => `host 10.1.${i >> 8}.${i & 255} or`).join(' ')} icmp and src host 10.0.2.2`;

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

function run(args: string[], line: string): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [bin, 'run', ...args, '--', line], { encoding: 'utf8', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** The frames of a pcap file (libpcap format, little-endian), as hex strings. */
function pcapFrames(bytes: Buffer): string[] {
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'libpcap magic');
  assert.equal(bytes.readUInt32LE(20), 1, 'link type Ethernet');
  const frames: string[] = [];
  for (let at = 24; at < bytes.length;) {
    const len = bytes.readUInt32LE(at + 8);
    assert.equal(bytes.readUInt32LE(at + 12), len, 'whole frames');
    frames.push(bytes.subarray(at + 16, at + 16 + len).toString('hex'));
    at += 16 + len;
  }
  return frames;
}

for (const preset of PRESETS) {
  test(`tcpdump on ${preset}: the guest's pcap holds exactly the frames the host captured; text mode names directions and protocols`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kk-tcpdump-'));
    try {
      const host = path.join(dir, 'host.pcap');
      // The capture starts before the first frame and stops after the fourth (ARP both
      // ways, then one echo each way); the ping's second round is seen in text mode.
      // Each ping waits (at most 10 s) until ss shows tcpdump's capture socket; with a
      // filter, until tcpdump says it is listening (its filter is attached: frames before
      // it are not captured, as with libpcap), its messages kept in a file meanwhile.
      const ready = 'for i in $(seq 100); do ss -a -0 | grep -q p_raw && break; sleep 0.1; done';
      const listening = 'for i in $(seq 100); do grep -q listening /tmp/e && break; sleep 0.1; done';
      const r = run(['--preset', preset, '--net', 'user', '--pcap', host],
        `tcpdump -c 4 -w /tmp/g.pcap & ${ready}; ping -c 1 10.0.2.2 > /dev/null; wait; echo "== hex"; xxd -p /tmp/g.pcap; echo "== text"; tcpdump -c 2 & ${ready}; ping -c 1 10.0.2.2 > /dev/null; wait; ` +
        // A filter: only echo replies from the gateway (the request, sent from 10.0.2.15, is not shown, and the
        // kernel's filter rejected it before it was counted).
        `echo "== filtered"; tcpdump -c 1 icmp and src host 10.0.2.2 2> /tmp/e & ${listening}; ping -c 1 10.0.2.2 > /dev/null; wait; cat /tmp/e >&2; ` +
        `tcpdump -c 1 port 99999; echo "bad filter $?"; ` +
        // The same filter made too long for the kernel (more than 4096 instructions): tcpdump filters what it reads.
        `echo "== long"; rm /tmp/e; tcpdump -c 1 ${LONG} 2> /tmp/e & ${listening}; ping -c 1 10.0.2.2 > /dev/null; wait; cat /tmp/e >&2`);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n');
      const hex = lines.slice(lines.indexOf('== hex') + 1, lines.indexOf('== text')).join('');
      const guestFile = path.join(dir, 'guest.pcap');
      writeFileSync(guestFile, Buffer.from(hex, 'hex'));
      const guest = pcapFrames(readFileSync(guestFile));
      const wire = pcapFrames(readFileSync(host));
      assert.equal(guest.length, 4, `four frames captured in the guest: ${guest.length}`);
      assert.deepEqual(guest, wire.slice(0, 4), "the guest's frames are the wire's first four, byte for byte");
      const summary = execFileSync('tshark', ['-r', guestFile, '-T', 'fields', '-e', '_ws.col.Protocol', '-e', '_ws.expert.message'], { encoding: 'utf8' }).trim().split('\n');
      assert.deepEqual(summary.map((l) => l.split('\t')[0]), ['ARP', 'ARP', 'ICMP', 'ICMP'], summary.join('\n'));
      assert.ok(!/malformed/i.test(summary.join('\n')), summary.join('\n'));

      const text = lines.slice(lines.indexOf('== text') + 1, lines.indexOf('== filtered')).filter((l) => l !== '');
      assert.equal(text.length, 2, text.join('\n'));
      assert.match(text[0]!, /^\d\d:\d\d:\d\d\.\d{6} Out IP 10\.0\.2\.15 > 10\.0\.2\.2: ICMP echo request, id \d+, seq 1, length 64$/);
      assert.match(text[1]!, /^\d\d:\d\d:\d\d\.\d{6} In  IP 10\.0\.2\.2 > 10\.0\.2\.15: ICMP echo reply, id \d+, seq 1, length 64$/);
      assert.match(r.stderr, /tcpdump: 4 packets captured/);
      const reply = /^\d\d:\d\d:\d\d\.\d{6} In  IP 10\.0\.2\.2 > 10\.0\.2\.15: ICMP echo reply, id \d+, seq 1, length 64$/;
      const filtered = lines.slice(lines.indexOf('== filtered') + 1, lines.indexOf('== long')).filter((l) => l !== '' && !l.startsWith('bad filter'));
      assert.equal(filtered.length, 1, filtered.join('\n'));
      assert.match(filtered[0]!, reply);
      const long = lines.slice(lines.indexOf('== long') + 1).filter((l) => l !== '');
      assert.equal(long.length, 1, long.join('\n'));
      assert.match(long[0]!, reply);
      // tcpdump read the request too: every frame crossed.
      assert.match(r.stderr, /tcpdump: 1 packet captured\ntcpdump: [2-9]\d* packets received by filter\ntcpdump: 0 packets dropped by kernel/);
      assert.match(r.stderr, /tcpdump: 1 packet captured\ntcpdump: 1 packet received by filter\ntcpdump: 0 packets dropped by kernel/);
      assert.match(r.stdout, /bad filter 2/);
      assert.match(r.stderr, /tcpdump: filter: '99999' is not a port number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`the capture socket's rules on ${preset}: receive only, bounded, root only; ENODEV without a device`, () => {
    const withNic = run(['--preset', preset, '--net', 'user'], 'nettests packet_capture_rules packet_filter_rules; su -c "tcpdump -c 1" nobody; echo "user status $?"');
    assert.match(withNic.stdout, /packet_capture_rules: checked on eth0/, withNic.stdout + withNic.stderr);
    assert.match(withNic.stdout, /packet_capture_rules: OK/);
    assert.match(withNic.stdout, /packet_filter_rules: checked on eth0/);
    assert.match(withNic.stdout, /packet_filter_rules: OK/);
    assert.match(withNic.stdout, /user status 1/);
    assert.match(withNic.stderr, /tcpdump: eth0: You don't have permission to capture on that device/);
    const without = run(['--preset', preset], 'nettests packet_capture_rules packet_filter_rules; tcpdump -c 1; echo "status $?"');
    assert.match(without.stdout, /packet_capture_rules: no network device: ENODEV/, without.stdout + without.stderr);
    assert.match(without.stdout, /packet_capture_rules: OK/);
    assert.match(without.stdout, /packet_filter_rules: no network device: ENODEV/);
    assert.match(without.stdout, /packet_filter_rules: OK/);
    assert.match(without.stdout, /status 1/);
    assert.match(without.stderr, /tcpdump: eth0: No such device/);
  });
}

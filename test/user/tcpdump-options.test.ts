// tcpdump's text for TCP segments and their options, against the host's own tcpdump
// reading the same frames from a pcap file (a bare ACK shows no seq, as there): a SYN with MSS, window scale and SACK-permitted, ACKs with one
// and four SACK blocks, a timestamp; and no mutation of the options makes it throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe } from '../../src/user/bin/tcpdump.js';
import { ETHERTYPE, buildEthernet } from '../../src/services/net/wire/ethernet.js';
import { PROTOCOL, buildIpv4 } from '../../src/services/net/wire/ipv4.js';
import { FLAG, buildTcp, type TcpOptions } from '../../src/services/net/wire/tcp.js';
import { pcapHeader, pcapRecord } from '../../src/services/net/wire/pcap.js';

const A = Uint8Array.of(10, 0, 0, 1), B = Uint8Array.of(10, 0, 0, 2);
const MAC_A = Uint8Array.of(2, 0, 0, 0, 0, 1), MAC_B = Uint8Array.of(2, 0, 0, 0, 0, 2);

function frame(flags: number, options: TcpOptions, payload = new Uint8Array(0)): Uint8Array {
  const tcp = buildTcp({ srcPort: 40000, dstPort: 47000, seq: 1000, ack: flags & FLAG.ACK ? 5000 : 0, flags, window: 512, options, payload }, A, B);
  return buildEthernet(MAC_B, MAC_A, ETHERTYPE.IPV4, buildIpv4({ src: A, dst: B, protocol: PROTOCOL.TCP }, tcp));
}

test('TCP options read as the host tcpdump reads them', () => {
  const frames = [
    frame(FLAG.SYN, { mss: 1460, windowScale: 7, sackPermitted: true }),
    frame(FLAG.ACK, { sack: [[7000, 8000]] }),
    frame(FLAG.ACK, { sack: [[9000, 10000], [7000, 8000], [11000, 12000], [13000, 14000]] }),
    frame(FLAG.ACK | FLAG.PSH, {}, new Uint8Array(10)),
  ];
  assert.equal(describe(frames[0]!), 'IP 10.0.0.1.40000 > 10.0.0.2.47000: Flags [S], seq 1000, win 512, options [mss 1460,nop,wscale 7,nop,nop,sackOK], length 0');
  assert.equal(describe(frames[1]!), 'IP 10.0.0.1.40000 > 10.0.0.2.47000: Flags [.], ack 5000, win 512, options [nop,nop,sack 1 {7000:8000}], length 0');
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-tcpopt-'));
  try {
    const file = path.join(dir, 'o.pcap');
    writeFileSync(file, Buffer.concat([pcapHeader(), ...frames.map((f, i) => pcapRecord(f, 1_700_000_000e6 + i))]));
    // -S: absolute sequence numbers, as ours prints them; -t: no time stamps.
    const host = execFileSync('tcpdump', ['-n', '-S', '-t', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    assert.deepEqual(frames.map(describe), host);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no option bytes make tcpdump throw', () => {
  const base = frame(FLAG.ACK, { sack: [[7000, 8000], [9000, 10000]] });
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 54, max: 74 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (edits) => {
    const f = base.slice();
    for (const [at, v] of edits) f[at] = v;
    assert.equal(typeof describe(f), 'string');
  }), { seed: 0x7cd, numRuns: 500 });
});

// The stack's TCP judged by a real peer's dissector: a connection between two of our
// stacks (handshake, 200 KB one way over a wire that loses and reorders some frames,
// FIN both ways), with the ARP that starts it, captured to a pcap file and read by
// tshark with checksum validation on. tshark must find no malformed frame and no bad
// checksum, see the SYN, SYN+ACK, data and both FINs, and its own reassembly of the
// stream (follow,tcp) must give back exactly the bytes that were sent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ip, pair, seeded } from './harness.js';
import { pcapHeader, pcapRecord } from '../../../src/services/net/wire/pcap.js';

test('tshark decodes a TCP connection between two stacks: checksums good, nothing malformed, the stream intact', () => {
  const { clock, a, b, linkA, linkB } = pair({ loss: 0.03, reorder: 0.05, delay: 2 }, 21);
  const capture: Uint8Array[] = [];
  for (const link of [linkA, linkB]) {
    const sink = link.sink!;
    link.sink = (f) => { capture.push(pcapRecord(f, 1_700_000_000e6 + Math.round(clock.now() * 1000))); sink(f); };
  }
  const rnd = seeded(3);
  const data = Uint8Array.from({ length: 200_000 }, () => Math.floor(rnd() * 256));
  const l = b.tcp.listen(8080, 1, { receive: 65536, send: 65536 });
  const c = a.tcp.connect(40000, ip('10.0.0.2'), 8080, { receive: 65536, send: 65536 });
  a.settle();
  let sent = 0, shut = false;
  const got: Uint8Array[] = [];
  let server = l.ready[0];
  const ok = clock.runUntil(() => {
    server ??= l.ready.shift();
    if (sent < data.length) sent += c.write(data.subarray(sent));
    if (sent === data.length && !shut) { shut = true; c.shutdownWrite(); }
    if (server !== undefined) {
      for (let d = server.read(65536); d.length > 0; d = server.read(65536)) got.push(d);
      if (server.atEnd && server.state === 'CLOSE_WAIT') server.close();
    }
    a.settle(); b.settle();
    return server !== undefined && server.state === 'CLOSED' && (c.state === 'TIME_WAIT' || c.state === 'CLOSED');
  }, 600_000);
  assert.ok(ok, `client ${c.state}, server ${server?.state}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-stack-'));
  try {
    const file = path.join(dir, 'tcp.pcap');
    writeFileSync(file, Buffer.concat([pcapHeader(), ...capture]));
    const run = (args: string[]): string => execFileSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', ...args],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    const rows = run(['-T', 'fields', '-E', 'separator=,', '-e', 'eth.type', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'tcp.flags.str', '-e', '_ws.malformed'])
      .trim().split('\n').map((r) => r.split(','));
    assert.equal(rows.length, capture.length, 'one row per frame');
    assert.ok(rows.every((r) => r[4] === ''), 'no malformed frame');
    const tcp = rows.filter((r) => r[0] === '0x0800');
    assert.ok(rows.some((r) => r[0] === '0x0806'), 'the ARP exchange is there');
    assert.ok(tcp.every((r) => r[1] === '1' && r[2] === '1'), 'every IPv4 and TCP checksum is good');
    const flags = tcp.map((r) => r[3]!);
    // tshark writes flags as "·······A··S·" (one character per bit).
    assert.ok(flags.some((f) => f.endsWith('S·') && !f.includes('A')), 'a SYN');
    assert.ok(flags.some((f) => f.includes('A') && f.endsWith('S·')), 'a SYN+ACK');
    assert.ok(flags.filter((f) => f.endsWith('F')).length >= 2, 'a FIN each way');
    // SACK (RFC 2018): both SYNs offer it, and the receiver's ACKs behind a lost frame
    // carry blocks tshark reads as lying above the ACK, left edge below right, none a D-SACK.
    const offers = run(['-Y', 'tcp.options.sack_perm', '-T', 'fields', '-e', 'tcp.flags.str']).trim().split('\n');
    assert.ok(offers.length >= 2 && offers.every((f) => f.endsWith('S·')), `SACK-permitted in the SYNs only: ${offers.join(' ')}`);
    const sacks = run(['-Y', 'tcp.options.sack', '-T', 'fields', '-E', 'separator=|', '-e', 'tcp.ack', '-e', 'tcp.options.sack_le', '-e', 'tcp.options.sack_re', '-e', 'tcp.options.sack.dsack'])
      .trim().split('\n').filter((r) => r.length > 0).map((r) => r.split('|'));
    assert.ok(sacks.length > 0, 'some ACKs carry SACK blocks');
    for (const [ack, le, re, dsack] of sacks) {
      const lefts = le!.split(',').map(Number), rights = re!.split(',').map(Number);
      assert.equal(lefts.length, rights.length);
      assert.ok(lefts.every((l, i) => l > Number(ack) && l < rights[i]!), `blocks ${le} - ${re} above ack ${ack}`);
      assert.equal(dsack, '', 'no D-SACK');
    }
    // tshark's own reassembly of the client's stream: the bytes that were sent, in order.
    const follow = run(['-q', '-z', 'follow,tcp,raw,0']);
    const hex = follow.split('\n').filter((line) => /^[0-9a-f]+$/.test(line) && !line.startsWith('\t'));
    const clientBytes = Buffer.from(hex.join(''), 'hex');
    assert.equal(clientBytes.length, data.length);
    assert.ok(clientBytes.equals(Buffer.from(data)), 'tshark reassembles the bytes that were sent');
    assert.deepEqual(Buffer.concat(got), Buffer.from(data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ARP, IPv4 (routing, fragmentation and reassembly), ICMP and UDP between two stacks
// joined by an in-memory wire (harness.ts), on a fake clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, TestLink, ip, mac, pair } from './harness.js';
import { Stack } from '../../../src/services/net/stack/stack.js';
import { parseEthernet, ETHERTYPE, buildEthernet } from '../../../src/services/net/wire/ethernet.js';
import { parseArp, ARP_OP } from '../../../src/services/net/wire/arp.js';
import { buildIpv4, parseIpv4, PROTOCOL } from '../../../src/services/net/wire/ipv4.js';
import { ICMP, buildIcmp, echoFields, parseIcmp } from '../../../src/services/net/wire/icmp.js';
import { buildUdp } from '../../../src/services/net/wire/udp.js';
import { toBytes } from '../../../src/services/net/stack/address.js';

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function listen(s: Stack, port: number): { got: { from: number; fromPort: number; data: Uint8Array }[]; errors: number[][] } {
  const got: { from: number; fromPort: number; data: Uint8Array }[] = [];
  const errors: number[][] = [];
  s.udp.ports.set(port, { receive: (from, fromPort, data) => got.push({ from, fromPort, data }), error: (type, code, to, toPort) => errors.push([type, code, to, toPort]) });
  return { got, errors };
}

test('ARP resolves the peer once, then UDP datagrams flow both ways', () => {
  const { clock, a, b, linkA } = pair();
  linkA.record = true;
  const atB = listen(b, 7000), atA = listen(a, 7001);
  assert.equal(a.udp.send(7001, ip('10.0.0.2'), 7000, bytes(100)), true);
  a.settle();
  clock.advance(10);
  assert.equal(atB.got.length, 1);
  assert.deepEqual(atB.got[0]!.data, bytes(100));
  assert.equal(atB.got[0]!.from, ip('10.0.0.1'));
  // The first frame A sent was a broadcast ARP request for 10.0.0.2.
  const first = parseEthernet(linkA.sent[0]!)!;
  assert.equal(first.type, ETHERTYPE.ARP);
  const req = parseArp(first.payload)!;
  assert.equal(req.op, ARP_OP.REQUEST);
  assert.equal(req.targetIp, ip('10.0.0.2'));
  // B learned A from the request: its answer needs no ARP of its own.
  b.udp.send(7000, ip('10.0.0.1'), 7001, bytes(5, 9));
  b.settle();
  clock.advance(20);
  assert.deepEqual(atA.got.map((g) => [...g.data]), [[...bytes(5, 9)]]);
  a.udp.send(7001, ip('10.0.0.2'), 7000, bytes(1));
  a.settle();
  clock.advance(30);
  assert.equal(linkA.sent.filter((f) => parseEthernet(f)!.type === ETHERTYPE.ARP).length, 1, 'one ARP request in all');
});

test('an address that never answers ARP: 3 requests 1 s apart, a bounded queue, then the packets are dropped', () => {
  const clock = new FakeClock();
  const s = new Stack(clock, { random: () => 0.5 });
  const link = new TestLink(mac(1));
  link.record = true;
  s.attach(link, { address: ip('10.0.0.1'), prefix: 24 });
  for (let i = 0; i < 20; i++) s.udp.send(1000, ip('10.0.0.9'), 2000, bytes(10));
  s.settle();
  const times: number[] = [];
  const arps = (): number => link.sent.filter((f) => parseEthernet(f)!.type === ETHERTYPE.ARP).length;
  let seen = 0;
  clock.runUntil(() => { if (arps() > seen) { seen = arps(); times.push(clock.now()); } return false; }, 10_000);
  assert.deepEqual(times, [0, 1000, 2000]);
  assert.equal(arps(), 3);
  assert.equal(s.interface!.arp.dropped, 20, '12 pushed out of the 8-deep queue, then the 8 left');
  assert.deepEqual(s.interface!.arp.neighbours(clock.now()), []);
});

test('routing: off-network addresses go to the gateway; without one there is no route', () => {
  const { a, b, linkA } = pair();
  linkA.sink = undefined;
  linkA.record = true;
  assert.equal(a.udp.send(1, ip('192.168.1.1'), 2, bytes(4)), true);
  a.settle();
  assert.equal(parseArp(parseEthernet(linkA.sent[0]!)!.payload)!.targetIp, ip('10.0.0.254'));
  assert.equal(b.udp.send(1, ip('192.168.1.1'), 2, bytes(4)), false);
  assert.equal(b.routable(ip('192.168.1.1')), false);
  assert.equal(b.routable(ip('10.0.0.77')), true);
});

test('ICMP echo: the stack answers a ping with the same id, sequence and payload', () => {
  const { clock, a, b } = pair();
  const replies: { from: number; id: number; sequence: number; payload: Uint8Array }[] = [];
  b.icmp.echoListeners.set(0x1234, (r) => replies.push(r));
  for (let seq = 1; seq <= 3; seq++) b.sendIp(ip('10.0.0.1'), PROTOCOL.ICMP, buildIcmp(ICMP.ECHO_REQUEST, 0, echoFields(0x1234, seq), bytes(56, seq)));
  b.settle();
  clock.advance(50);
  assert.deepEqual(replies.map((r) => [r.from, r.id, r.sequence, [...r.payload]]), [1, 2, 3].map((q) => [ip('10.0.0.1'), 0x1234, q, [...bytes(56, q)]]));
  assert.equal(a.icmp.stats.echoAnswered, 3);
});

test('UDP to a closed port: ICMP port unreachable reaches the sending port; errors are rate limited', () => {
  const { clock, a, b } = pair();
  const atA = listen(a, 5555);
  a.udp.send(5555, ip('10.0.0.2'), 9, bytes(8));
  a.settle();
  clock.advance(10);
  assert.deepEqual(atA.errors, [[ICMP.DEST_UNREACHABLE, 3, ip('10.0.0.2'), 9]]);
  // A flood: at most the burst (50) plus the refill over the elapsed time.
  for (let i = 0; i < 500; i++) a.udp.send(5555, ip('10.0.0.2'), 9, bytes(8));
  a.settle();
  clock.advance(20);
  assert.ok(b.icmp.stats.errorsLimited > 400, `limited ${b.icmp.stats.errorsLimited}`);
  assert.ok(b.icmp.stats.errorsSent <= 52, `sent ${b.icmp.stats.errorsSent}`);
});

test('an unknown protocol gets ICMP protocol unreachable; a bad header checksum is dropped', () => {
  const { clock, a, b } = pair();
  b.icmp.echoListeners.set(1, () => undefined);
  const before = b.icmp.stats.received;
  b.sendIp(ip('10.0.0.1'), 99, bytes(20));
  b.settle();
  clock.advance(10);
  assert.equal(b.icmp.stats.received, before + 1);
  assert.equal(a.icmp.stats.errorsSent, 1);
  // A corrupted header: nothing answers, nothing is delivered.
  const atA = listen(a, 4000);
  const packet = buildIpv4({ src: toBytes(ip('10.0.0.2')), dst: toBytes(ip('10.0.0.1')), protocol: PROTOCOL.UDP }, buildUdp(1, 4000, bytes(10), toBytes(ip('10.0.0.2')), toBytes(ip('10.0.0.1'))));
  packet[8] = 1; // TTL changed after the checksum
  a.receive(buildEthernet(a.interface!.link.mac, mac(2), ETHERTYPE.IPV4, packet));
  assert.equal(atA.got.length, 0);
  assert.equal(a.stats.ipBad, 1);
});

test('a datagram larger than the MTU is fragmented and reassembled, also out of order', () => {
  for (const reorder of [0, 0.5]) {
    const { clock, a, b, linkA } = pair({ reorder }, 3);
    linkA.record = true;
    const atB = listen(b, 53);
    const data = bytes(9000, 5);
    a.udp.send(1000, ip('10.0.0.2'), 53, data);
    a.settle();
    clock.advance(100);
    assert.equal(atB.got.length, 1);
    assert.deepEqual(atB.got[0]!.data, data);
    const fragments = linkA.sent.map((f) => parseIpv4(parseEthernet(f)!.payload)).filter((p) => p !== undefined);
    assert.equal(fragments.length, 7); // 9008 bytes in pieces of 1480
    assert.ok(fragments.every((p) => p.payload.length + 20 <= 1500));
    assert.equal(b.reassembler.held, 0);
  }
});

/** Fragments of one UDP datagram (id 77) from 10.0.0.2 to 10.0.0.1, as frames. */
function fragmentFrames(pieces: { offset: number; length: number; more: boolean }[], datagram: Uint8Array, id = 77): Uint8Array[] {
  return pieces.map(({ offset, length, more }) => buildEthernet(mac(1), mac(2), ETHERTYPE.IPV4,
    buildIpv4({ src: toBytes(ip('10.0.0.2')), dst: toBytes(ip('10.0.0.1')), protocol: PROTOCOL.UDP, id, fragmentOffset: offset, moreFragments: more }, datagram.subarray(offset, offset + length))));
}

test('reassembly refuses overlaps as Linux does: a duplicate is dropped, a partial overlap discards the datagram', () => {
  const { a } = pair();
  const atA = listen(a, 4000);
  const datagram = buildUdp(1, 4000, bytes(2392), toBytes(ip('10.0.0.2')), toBytes(ip('10.0.0.1'))); // 2400 bytes
  // A duplicate of the first piece changes nothing.
  for (const f of fragmentFrames([{ offset: 0, length: 800, more: true }, { offset: 0, length: 800, more: true }, { offset: 800, length: 800, more: true }, { offset: 1600, length: 800, more: false }], datagram)) a.receive(f);
  assert.equal(atA.got.length, 1);
  assert.deepEqual(atA.got[0]!.data, bytes(2392));
  // A piece overlapping two others partially: the whole datagram goes.
  for (const f of fragmentFrames([{ offset: 0, length: 800, more: true }, { offset: 400, length: 800, more: true }, { offset: 800, length: 800, more: true }, { offset: 1600, length: 800, more: false }], datagram, 78)) a.receive(f);
  assert.equal(atA.got.length, 1);
  assert.equal(a.reassembler.stats.overlaps, 1);
  assert.equal(a.reassembler.held, 1600, 'only the two pieces after the discard are held');
});

test('reassembly memory stays bounded and partial datagrams time out after 30 s with ICMP time exceeded', () => {
  const { clock, a, b } = pair();
  const datagram = bytes(4000);
  for (let id = 0; id < 1000; id++) for (const f of fragmentFrames([{ offset: 0, length: 1480, more: true }], datagram, id)) a.receive(f);
  assert.ok(a.reassembler.held <= 256 * 1024, `held ${a.reassembler.held}`);
  assert.ok(a.reassembler.count <= 64);
  const icmpBefore = b.icmp.stats.received;
  clock.advance(29_999);
  assert.ok(a.reassembler.count > 0);
  clock.advance(30_001);
  assert.equal(a.reassembler.count, 0);
  assert.equal(a.reassembler.held, 0);
  clock.advance(30_100);
  assert.ok(b.icmp.stats.received > icmpBefore, 'time exceeded reached the sender');
  const m = parseIcmp(buildIcmp(ICMP.TIME_EXCEEDED, 1, new Uint8Array(4), new Uint8Array(0)))!;
  assert.equal(m.type, ICMP.TIME_EXCEEDED);
});

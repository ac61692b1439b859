// Bad input: random and mutated frames thrown at a stack that holds an open TCP
// connection (fast-check, seeded). The stack must never throw, no queue may grow
// beyond its bound, and the connection must still carry data both ways afterwards.
// Frames are random bytes, real frames with bytes flipped, cut or extended, and
// well-formed packets (valid checksums) with random fields: ARP, IPv4 fragments,
// ICMP, UDP, and TCP segments to the listener, to closed ports and to the open
// connection's own 4-tuple with sequence numbers outside its window.
// Not covered on purpose: ARP replies claiming the peer's address (spoofing on the
// local network breaks any host's connections) and blind in-window TCP data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ip, mac, pair } from './harness.js';
import { toBytes } from '../../../src/services/net/stack/address.js';
import { ETHERTYPE, buildEthernet } from '../../../src/services/net/wire/ethernet.js';
import { PROTOCOL, buildIpv4 } from '../../../src/services/net/wire/ipv4.js';
import { FLAG, buildTcp } from '../../../src/services/net/wire/tcp.js';
import { buildUdp } from '../../../src/services/net/wire/udp.js';
import { buildArp } from '../../../src/services/net/wire/arp.js';
import { ICMP, buildIcmp } from '../../../src/services/net/wire/icmp.js';
import type { Connection } from '../../../src/services/net/stack/tcp/connection.js';

const A = ip('10.0.0.1'), B = ip('10.0.0.2');

function setup(): { env: ReturnType<typeof pair>; client: Connection; server: Connection; recorded: Uint8Array[] } {
  const env = pair({}, 9);
  const recorded: Uint8Array[] = [];
  const sinkA = env.linkA.sink!, sinkB = env.linkB.sink!;
  env.linkA.sink = (f) => { recorded.push(f); sinkA(f); };
  env.linkB.sink = (f) => { recorded.push(f); sinkB(f); };
  const l = env.b.tcp.listen(80, 8, { receive: 65536, send: 65536 });
  const client = env.a.tcp.connect(40000, B, 80, { receive: 65536, send: 65536 });
  env.a.settle();
  env.clock.advance(100);
  const server = l.ready.shift()!;
  server.listener = undefined;
  client.write(new Uint8Array(3000).fill(7));
  env.a.settle();
  env.clock.advance(200);
  server.read(3000);
  return { env, client, server, recorded };
}

/** Sends `size` bytes each way over the connection and checks they arrive. */
function exchange(env: ReturnType<typeof pair>, client: Connection, server: Connection, size: number, tag: number): void {
  const out = Uint8Array.from({ length: size }, (_, i) => (i + tag) & 0xff);
  const back = Uint8Array.from({ length: size }, (_, i) => (i * 3 + tag) & 0xff);
  let sent = 0, sentBack = 0;
  const got: number[] = [], gotBack: number[] = [];
  const ok = env.clock.runUntil(() => {
    sent += client.write(out.subarray(sent));
    sentBack += server.write(back.subarray(sentBack));
    got.push(...server.read(65536));
    gotBack.push(...client.read(65536));
    env.a.settle(); env.b.settle();
    return got.length === size && gotBack.length === size;
  }, env.clock.now() + 600_000);
  assert.ok(ok, `exchange ${tag}: ${got.length} and ${gotBack.length} of ${size} bytes; client ${client.state} error ${client.error}, server ${server.state} error ${server.error}`);
  assert.deepEqual(Uint8Array.from(got), out);
  assert.deepEqual(Uint8Array.from(gotBack), back);
}

const toB = (type: number, payload: Uint8Array): Uint8Array => buildEthernet(mac(2), mac(1), type, payload);
const ipv4 = (protocol: number, payload: Uint8Array, extra: { id?: number; fragmentOffset?: number; moreFragments?: boolean; src?: number } = {}): Uint8Array =>
  buildIpv4({ src: toBytes(extra.src ?? A), dst: toBytes(B), protocol, id: extra.id, fragmentOffset: extra.fragmentOffset, moreFragments: extra.moreFragments }, payload);

test('random and mutated frames: no exception, bounded queues, and the open connection still works', () => {
  const { env, client, server, recorded } = setup();
  const samples = recorded.slice();
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const port = fc.oneof(fc.constant(80), fc.constant(40000), fc.integer({ min: 0, max: 65535 }));
  const frame = fc.oneof(
    fc.uint8Array({ maxLength: 1600 }),
    fc.tuple(fc.nat(samples.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), fc.integer({ min: -60, max: 60 })).map(([i, flips, cut]) => {
      let f = samples[i]!.slice();
      for (const [at, x] of flips) f[at % f.length] = f[at % f.length]! ^ x;
      if (cut < 0) f = f.subarray(0, Math.max(0, f.length + cut));
      else if (cut > 0) { const g = new Uint8Array(f.length + cut); g.set(f); f = g; }
      if (f.length >= 6) f.set(mac(2), 0); // still addressed to B
      return f;
    }),
    fc.record({ op: fc.integer({ min: 0, max: 3 }), sender: fc.constantFrom(ip('10.0.0.7'), ip('10.0.0.255'), 0, ip('192.168.0.1')), target: fc.constantFrom(B, A, ip('10.0.0.9')) })
      .map(({ op, sender, target }) => toB(ETHERTYPE.ARP, buildArp({ op, senderMac: mac(7), senderIp: sender, targetMac: new Uint8Array(6), targetIp: target }))),
    fc.record({ id: fc.integer({ min: 0, max: 5 }), offset: fc.integer({ min: 0, max: 8191 }), more: fc.boolean(), len: fc.integer({ min: 0, max: 1480 }), protocol: fc.constantFrom(1, 6, 17, 99) })
      .map(({ id, offset, more, len, protocol }) => toB(ETHERTYPE.IPV4, ipv4(protocol, new Uint8Array(len).fill(id), { id, fragmentOffset: offset * 8, moreFragments: more }))),
    fc.record({ type: fc.integer({ min: 0, max: 20 }), code: fc.integer({ min: 0, max: 5 }), body: fc.uint8Array({ maxLength: 64 }) })
      .map(({ type, code, body }) => toB(ETHERTYPE.IPV4, ipv4(PROTOCOL.ICMP, buildIcmp(type === 8 ? ICMP.ECHO_REQUEST : type, code, new Uint8Array(4), body)))),
    fc.record({ sp: port, dp: port, body: fc.uint8Array({ maxLength: 64 }) })
      .map(({ sp, dp, body }) => toB(ETHERTYPE.IPV4, ipv4(PROTOCOL.UDP, buildUdp(sp, dp, body, toBytes(A), toBytes(B))))),
    // TCP to any port; to the open 4-tuple, sequence numbers half the space away from the window.
    fc.record({ sp: port, dp: port, seq: u32, ack: u32, flags: fc.integer({ min: 0, max: 63 }), window: fc.integer({ min: 0, max: 65535 }), mss: fc.option(fc.integer({ min: 0, max: 65535 })), ws: fc.option(fc.integer({ min: 0, max: 255 })), body: fc.uint8Array({ maxLength: 200 }) })
      .map(({ sp, dp, seq, ack, flags, window, mss, ws, body }) => {
        const own = sp === 40000 && dp === 80;
        const s = own ? (server.rcvNxt + 0x80000000 + (seq % 0x10000000)) >>> 0 : seq;
        return toB(ETHERTYPE.IPV4, ipv4(PROTOCOL.TCP, buildTcp({ srcPort: sp, dstPort: dp, seq: s, ack, flags, window, options: { mss: mss ?? undefined, windowScale: ws ?? undefined }, payload: body }, toBytes(A), toBytes(B))));
      }),
  );
  let round = 0;
  fc.assert(fc.property(fc.array(frame, { minLength: 1, maxLength: 40 }), (frames) => {
    for (const f of frames) env.b.receive(f);
    env.clock.advance(env.clock.now() + 50);
    // Bounds: reassembly memory, ARP's pending queue, the listener's half-open connections, the connection's buffers.
    assert.ok(env.b.reassembler.held <= 256 * 1024);
    assert.ok(env.b.reassembler.count <= 64);
    assert.ok(env.b.interface!.arp.neighbours(env.clock.now()).length <= 256 + 64);
    assert.ok(env.b.tcp.connections.size <= 1 + 8, `${env.b.tcp.connections.size} connections`);
    assert.ok(server.rx.size <= server.rx.capacity && server.outOfOrder.bytes <= server.rx.capacity);
    assert.ok(server.state === 'ESTABLISHED', `the connection is ${server.state} (error ${server.error})`);
    if (++round % 50 === 0) exchange(env, client, server, 2000, round);
  }), { seed: 0x5eed, numRuns: 300 });
  exchange(env, client, server, 200_000, 1);
  // The frames reached every layer (not all dropped at the door).
  const b = env.b;
  assert.ok(b.tcp.stats.received > 500 && b.tcp.stats.resetsSent > 50, JSON.stringify(b.tcp.stats));
  assert.ok(b.udp.stats.received > 100 && b.icmp.stats.received > 100, JSON.stringify([b.udp.stats, b.icmp.stats]));
  assert.ok(b.reassembler.stats.overlaps + b.reassembler.stats.evicted + b.reassembler.stats.reassembled > 10, JSON.stringify(b.reassembler.stats));
  assert.ok(b.stats.ipBad > 50, JSON.stringify(b.stats));
});

// SACK blocks are the peer's word about what it holds: forged ones (any range, repeated
// as duplicate ACKs so that recovery starts) may make the sender skip bytes, never lose
// them: the retransmission timer forgets the blocks and resends, and every byte arrives.
test('forged SACK blocks cannot lose data: the sender resends what the peer never had', () => {
  const { env, client, server } = setup();
  assert.ok(server.sackOk && client.sackOk, 'both ends agreed on SACK');
  let round = 0;
  const block = fc.tuple(fc.integer({ min: -3000, max: 40_000 }), fc.integer({ min: 0, max: 20_000 }));
  fc.assert(fc.property(fc.array(block, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (blocks, copies) => {
    round++;
    const chunk = Uint8Array.from({ length: 30_000 }, (_, i) => (i * 5 + round) & 0xff);
    assert.equal(server.write(chunk), chunk.length);
    env.b.settle();
    const una = server.sndUna;
    const sack = blocks.map(([at, len]) => [(una + at) >>> 0, (una + at + len) >>> 0] as const);
    for (let i = 0; i < copies; i++) {
      env.b.receive(toB(ETHERTYPE.IPV4, ipv4(PROTOCOL.TCP, buildTcp({ srcPort: 40000, dstPort: 80, seq: server.rcvNxt, ack: una, flags: FLAG.ACK, window: 512, options: { sack }, payload: new Uint8Array(0) }, toBytes(A), toBytes(B)))));
    }
    const got: Uint8Array[] = [];
    let n = 0;
    const ok = env.clock.runUntil(() => {
      for (let d = client.read(65536); d.length > 0; d = client.read(65536)) { got.push(d); n += d.length; }
      env.a.settle(); env.b.settle();
      return n >= chunk.length;
    }, env.clock.now() + 600_000);
    assert.ok(ok, `round ${round}: ${n} of ${chunk.length} bytes arrived (server ${server.state}, board ${server.board.bytes})`);
    const all = new Uint8Array(n);
    let at = 0;
    for (const d of got) { all.set(d, at); at += d.length; }
    assert.deepEqual(all, chunk);
    assert.ok(server.board.bytes <= 30_000);
  }), { seed: 0x5ac, numRuns: 40 });
  assert.ok(server.cc.stats.fastRetransmits > 0, 'the forged blocks started recovery at least once');
});

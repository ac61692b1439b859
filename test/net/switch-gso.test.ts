// Large TCP segments (segmentation offload) on the switch back end: the stream
// format's large segment record and the hello that negotiates it (frame-port.ts), the
// refusals a hostile peer on the switch socket meets, a hub with one port that takes
// large segments whole and one that takes only frames, and two machines on a switch
// moving bytes with their large segments crossing the socket whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import fc from 'fast-check';
import {
  frameSplitter, encodeFrame, encodeLargeHeader, streamPort, helloFrame, parseHello, joinPorts, type StreamPort, type FramePort,
} from '../../src/hosts/node/net/frame-port.js';
import { joinSwitch, type SwitchMember } from '../../src/hosts/node/net/switch.js';
import { pcapPort } from '../../src/hosts/node/net/pcap-tap.js';
import { gsoShape, wireFrames } from '../../src/lib/gso.js';
import { guestPair } from '../../src/lab/net-machines.js';
import { buildEthernet, ETHERTYPE } from '../../src/services/net/wire/ethernet.js';
import { buildIpv4, PROTOCOL } from '../../src/services/net/wire/ipv4.js';
import { buildTcp, FLAG } from '../../src/services/net/wire/tcp.js';
import { buildUdp } from '../../src/services/net/wire/udp.js';
import { seededRandom } from '../../src/lib/random.js';

const IP_A = Uint8Array.of(10, 0, 9, 2), IP_B = Uint8Array.of(10, 0, 9, 1);
const mac = (n: number): Uint8Array => Uint8Array.of(0x02, 0, 0, 0, 0, n);

/** A large segment of `bytes` payload bytes from mac(src) to mac(dst), as the stack builds it. */
function large(bytes: number, src: number, dst: number): Uint8Array {
  const rnd = seededRandom(bytes + src);
  const payload = Uint8Array.from({ length: bytes }, () => Math.floor(rnd() * 256));
  const tcp = buildTcp({ srcPort: 40000, dstPort: 5001, seq: 1000, ack: 77, flags: FLAG.ACK | FLAG.PSH, window: 512, options: {}, payload }, IP_A, IP_B);
  return buildEthernet(mac(dst), mac(src), ETHERTYPE.IPV4, buildIpv4({ src: IP_A, dst: IP_B, protocol: PROTOCOL.TCP, id: 7 }, tcp));
}

/** A frame tagged in its first payload byte. */
const frame = (dst: Uint8Array, src: Uint8Array, tag: number): Uint8Array => {
  const payload = new Uint8Array(46);
  payload[0] = tag;
  return buildEthernet(dst, src, 0x88b5, payload);
};

const until = async (what: () => boolean, label: string): Promise<void> => {
  for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(what(), label);
};

const largeRecord = (f: Uint8Array, mss: number): Uint8Array => Buffer.concat([encodeLargeHeader(f.length, mss), f]);

/** A connected Unix socket pair in `dir`: [the connecting end, the accepted end]. */
async function socketPair(dir: string): Promise<[net.Socket, net.Socket, () => void]> {
  const file = path.join(dir, `p${Math.floor(Math.random() * 1e9)}.sock`);
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(file, () => r()));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const a = net.connect(file);
  await new Promise<void>((r) => a.once('connect', () => r()));
  return [a, await accepted, () => server.close()];
}

/** Runs `body` with a fresh directory for switches and a list of ports to close; cleans both up after. */
async function withSwitchDir(prefix: string, body: (dir: string, members: FramePort[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const members: FramePort[] = [];
  try { await body(dir, members); } finally {
    for (const m of members) m.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Two machines' ports on switch `name`: the first hosts the hub, the second is a member; both go into `members` to be closed. */
async function hubAndMember(dir: string, name: string, members: FramePort[]): Promise<[SwitchMember, SwitchMember]> {
  const hub = joinSwitch(name, { dir });
  members.push(hub);
  await until(() => hub.role() === 'hub', 'the first machine hosts the hub');
  const member = joinSwitch(name, { dir });
  members.push(member);
  await until(() => member.role() === 'member', 'the second joined');
  return [hub, member];
}

test('large segment records: frames and large segments split anywhere come back whole and in order', () => {
  const record = fc.oneof(
    fc.uint8Array({ minLength: 14, maxLength: 1514 }).map((f) => ({ f, mss: -1 })),
    fc.tuple(fc.integer({ min: 1515, max: 14 + 65535 }), fc.integer({ min: 0, max: 0xffff })).map(([n, mss]) => ({ f: new Uint8Array(n).fill(n & 0xff), mss })),
  );
  fc.assert(fc.property(fc.array(record, { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 8 }), (records, cuts) => {
    const stream = Buffer.concat(records.map((r) => r.mss < 0 ? encodeFrame(r.f) : largeRecord(r.f, r.mss)));
    const got: { f: Uint8Array; mss: number }[] = [];
    const feed = frameSplitter({ frame: (f) => got.push({ f, mss: -1 }), large: (f, mss) => got.push({ f, mss }) });
    let at = 0;
    for (let i = 0; at < stream.length; i++) {
      const n = cuts[i % cuts.length]!;
      assert.equal(feed(stream.subarray(at, at + n)), true);
      at += n;
    }
    assert.equal(got.length, records.length);
    got.forEach((g, i) => { assert.equal(g.mss, records[i]!.mss); assert.deepEqual(g.f, records[i]!.f); });
  }), { seed: 4242, numRuns: 100 });
});

test('large segment records: a bad length, or a large segment where none is taken, stops the stream for good; garbage never throws', () => {
  const good = large(5000, 1, 2);
  const stops = (to: Parameters<typeof frameSplitter>[0], bytes: Uint8Array): void => {
    const feed = frameSplitter(to);
    assert.equal(feed(bytes), false);
    assert.equal(feed(encodeFrame(frame(mac(1), mac(2), 1))), false, 'stays stopped');
  };
  const both = { frame: () => assert.fail('no frame'), large: () => assert.fail('no large segment') };
  stops(both, encodeLargeHeader(1514, 1460)); // a frame's length in a large record
  stops(both, encodeLargeHeader(14 + 65536, 1460));
  stops(both, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 5, 0xb4));
  stops(both, Uint8Array.of(0x05, 0xeb)); // 1515 as a frame's length
  stops(() => assert.fail('no frame'), largeRecord(good, 1460)); // a frames-only splitter
  // Random bytes: the feeder answers true or false and never throws; every record it gives has a length the format allows.
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 6 }), fc.boolean(), (chunks, lead) => {
    const lengths: number[] = [];
    const feed = frameSplitter({ frame: (f) => lengths.push(f.length), large: (f) => lengths.push(f.length) });
    let stopped = false;
    for (const c of lead ? [Uint8Array.of(0xff, 0xff, 0, 0), ...chunks] : chunks) {
      const ok = feed(c);
      if (stopped) assert.equal(ok, false);
      stopped = !ok;
    }
    assert.ok(lengths.every((n) => n >= 14 && n <= 14 + 65535));
  }), { seed: 4243, numRuns: 300 });
});

test('hello: an offer and an answer are ordinary frames that say so; other frames are not hellos', () => {
  const offer = helloFrame('offer'), answer = helloFrame('answer');
  assert.ok(offer.length >= 14 && offer.length <= 1514);
  assert.equal(offer[0]! & 1, 1, 'to a group address: no switch learns it as a destination');
  assert.equal(parseHello(offer), 'offer');
  assert.equal(parseHello(answer), 'answer');
  const later = offer.slice();
  later[later.length - 2] = 2; // a version this build does not know
  assert.equal(parseHello(later), 'other');
  assert.equal(parseHello(frame(mac(1), mac(2), 1)), undefined);
  assert.equal(parseHello(offer.subarray(0, offer.length - 1)), undefined);
});

test('stream ports: an offer answered carries large segments whole both ways; a frame-only peer gets a hello frame and never a large segment', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-gso-stream-'));
  try {
    const [s1, s2, stop1] = await socketPair(dir);
    const a = streamPort(s1, undefined, 'offer'), b = streamPort(s2, undefined, 'answer');
    const gotA: number[] = [], gotB: number[] = [];
    a.onLarge!((f, mss) => gotA.push(f.length, mss));
    b.onLarge!((f, mss) => gotB.push(f.length, mss));
    await until(() => a.peerTakesLarge() && b.peerTakesLarge(), 'the offer was answered');
    const seg = large(64240, 1, 2);
    assert.equal(a.sendLarge!(seg, 1460), true);
    assert.equal(b.sendLarge!(large(8000, 2, 1), 1000), true);
    await until(() => gotA.length === 2 && gotB.length === 2, 'both arrived');
    assert.deepEqual(gotB, [seg.length, 1460]);
    assert.deepEqual(gotA, [large(8000, 2, 1).length, 1000]);
    assert.deepEqual([a.large.sent, a.large.received, b.large.sent, b.large.received], [1, 1, 1, 1]);
    a.close(); b.close(); stop1();

    // An offer to a peer that speaks only frames (an older client): it reads the hello
    // as a frame; the offering end keeps sending frames.
    const [s3, s4, stop2] = await socketPair(dir);
    const c = streamPort(s3, undefined, 'offer');
    const raw: Uint8Array[] = [];
    const feed = frameSplitter((f) => raw.push(f));
    s4.on('data', (d: Buffer) => { assert.equal(feed(new Uint8Array(d)), true); });
    c.send(frame(mac(2), mac(1), 9));
    await until(() => raw.length === 2, 'the hello and the frame arrived as frames');
    assert.equal(parseHello(raw[0]!), 'offer');
    assert.equal(raw[1]![14], 9);
    assert.equal(c.sendLarge!(seg, 1460), false, 'no large segment to a peer that never answered');
    c.close(); s4.destroy(); stop2();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('stream ports: a hostile peer\'s bad large segments are dropped and counted; one never offered, or a bad length, ends its stream', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-gso-stream-'));
  try {
    const seg = large(64240, 1, 2);
    const udp = buildEthernet(mac(2), mac(1), ETHERTYPE.IPV4, buildIpv4({ src: IP_A, dst: IP_B, protocol: PROTOCOL.UDP, id: 1 },
      buildUdp(1, 2, new Uint8Array(5000), IP_A, IP_B)));
    const syn = seg.slice();
    syn[14 + 20 + 13] = FLAG.SYN | FLAG.ACK;
    const [s1, s2, stop1] = await socketPair(dir);
    let ended = '';
    const port: StreamPort = streamPort(s2, (why) => { ended = why; }, 'answer');
    const got: number[] = [];
    port.onLarge!((f, mss) => got.push(mss));
    s1.write(encodeFrame(helloFrame('offer')));
    for (const [f, mss] of [[seg, 87], [seg, 1461], [seg, 0], [udp, 1460], [syn, 1460], [seg.subarray(0, 5000), 1460], [seg, 1460]] as const) s1.write(largeRecord(f, mss));
    await until(() => got.length === 1, 'the good one arrived');
    assert.deepEqual(got, [1460]);
    assert.equal(port.large.bad, 6, 'mss too small, too large, zero; not TCP; a SYN; its IP length not matching');
    assert.equal(ended, '', 'dropping a bad segment keeps the stream');
    s1.write(encodeLargeHeader(14 + 65536, 1460));
    await until(() => ended !== '', 'a length past the largest ends it');
    s1.destroy(); stop1();

    // Large segments from a peer that never offered: its stream ends at the first.
    const [s3, s4, stop2] = await socketPair(dir);
    let ended2 = '';
    const quiet = streamPort(s4, (why) => { ended2 = why; }, 'answer');
    quiet.onLarge!(() => assert.fail('taken without an offer'));
    s3.write(largeRecord(seg, 1460));
    await until(() => ended2 !== '', 'the stream ended');
    assert.match(ended2, /before it was offered/);
    s3.destroy(); stop2();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('hub: a large segment goes whole to a port that takes them and as frames to a frame-only port; its source is learned', async () => {
  await withSwitchDir('kk-gso-hub-', async (dir, members) => {
    const [hubMachine, member] = await hubAndMember(dir, 'lan', members);
    const wholeAtHub: number[] = [];
    hubMachine.onLarge!((f, mss) => wholeAtHub.push(f.length, mss));
    // A frame-only client (an older build, a capture tool): raw frames on the socket.
    const old = net.connect(path.join(dir, 'kernelkit-switch-lan.sock'));
    const oldFrames: Uint8Array[] = [];
    const feed = frameSplitter((f) => oldFrames.push(f));
    old.on('data', (d: Buffer) => { assert.equal(feed(new Uint8Array(d)), true, 'only frames reach a client that never offered'); });
    await new Promise<void>((r) => old.once('connect', () => r()));
    old.write(encodeFrame(frame(mac(1), mac(3), 1))); // mac(3) learned on the old client's port
    let answered = false;
    await until(() => answered ||= member.sendLarge!(large(1460 * 3, 2, 9), 1460), 'the hub answered the member');
    const seg = large(64240, 2, 1); // to mac(1): unknown, so flooded
    assert.equal(member.sendLarge!(seg, 1460), true);
    await until(() => wholeAtHub.length === 4, 'the hub\'s machine took it whole');
    assert.deepEqual(wholeAtHub.slice(2), [seg.length, 1460]);
    const expected = wireFrames(seg, 1460, 1500);
    await until(() => oldFrames.filter((f) => f.length > 60).length === 3 + expected.length, 'the old client got frames');
    const cut = oldFrames.filter((f) => f.length > 60).slice(3);
    assert.deepEqual(cut.map((f) => Buffer.from(f).toString('hex')), expected.map((f) => Buffer.from(f).toString('hex')));
    // mac(2) was learned from the large segment: a frame to it reaches the member only.
    const toMember: number[] = [];
    member.onFrame((f) => toMember.push(f[14]!));
    const before = oldFrames.length;
    hubMachine.send(frame(mac(2), mac(1), 42));
    await until(() => toMember.includes(42), 'forwarded to the learned port');
    // A large segment to the old client's learned address: cut for it, nothing to the others.
    assert.equal(member.sendLarge!(large(5000, 2, 3), 1000), true);
    await until(() => oldFrames.length === before + 5, 'five frames of 1000 bytes');
    assert.equal(wholeAtHub.length, 4);
    const counts = hubMachine.bridge()!.large;
    assert.deepEqual({ ...counts }, { whole: 2, cut: 3, bad: 0 });
    // The hub checks what it cuts: a bad one from its own machine is dropped and counted.
    hubMachine.sendLarge!(large(5000, 1, 2), 40);
    assert.equal(counts.bad, 1);
    old.destroy();
  });
});

test('two machines on a switch, the receiver behind a pipe as `kernelkit run` confines it: 3 MiB arrive whole and the large segments cross whole', { timeout: 300_000 }, async () => {
  await withSwitchDir('kk-gso-pair-', async (dir, members) => {
    const [sender, receiver] = await hubAndMember(dir, 'pair', members);
    // The receiving machine's cable is a stream to a relay joined to its switch port, as
    // between `kernelkit run` and its confined machine (cli/main.ts, cli/net-flags.ts).
    const [s1, s2, stop] = await socketPair(dir);
    const machineEnd = streamPort(s1, undefined, 'offer');
    const relay = streamPort(s2, () => receiver.close(), 'answer');
    members.push(machineEnd, relay);
    joinPorts(relay, receiver);
    const hub = sender.bridge()!.large;
    const r = await guestPair({ preset: 'monolithic', bytes: 3 << 20, count: 1, loopback: false, timeoutMs: 240_000, cables: [machineEnd, sender] });
    stop();
    assert.equal(r.failure, undefined, r.failure);
    assert.equal(r.guest[0]?.intact, true, JSON.stringify(r.guest));
    assert.ok(sender.large.sent > 20, `the sender's device sent ${sender.large.sent} large segments whole`);
    assert.ok(hub.whole > 20 && hub.cut === 0, `the hub forwarded them whole: ${JSON.stringify(hub)}`);
    assert.ok(receiver.large.received > 20 && relay.large.sent > 20 && machineEnd.large.received > 20,
      `whole through the member's socket (${receiver.large.received}), the relay (${relay.large.sent}) and the pipe (${machineEnd.large.received})`);
    assert.equal(machineEnd.large.bad + relay.large.bad + hub.bad, 0);
  });
});

/** The captured length of each record in a pcap file (services/net/wire/pcap.ts's format). */
function pcapLengths(file: Uint8Array): number[] {
  const v = new DataView(file.buffer, file.byteOffset, file.length);
  const out: number[] = [];
  for (let at = 24; at + 16 <= file.length; at += 16 + v.getUint32(at + 8, true)) out.push(v.getUint32(at + 12, true));
  return out;
}

test('a machine with a --pcap stage on a switch takes large segments as frames: its capture holds only real frames', { timeout: 300_000 }, async () => {
  await withSwitchDir('kk-gso-pcap-', async (dir, members) => {
    const [sender, receiver] = await hubAndMember(dir, 'cap', members);
    const file = path.join(dir, 'r.pcap');
    const r = await guestPair({ preset: 'monolithic', bytes: 1 << 20, count: 1, loopback: false, timeoutMs: 240_000, cables: [pcapPort(receiver, file), sender] });
    assert.equal(r.failure, undefined, r.failure);
    assert.equal(r.guest[0]?.intact, true, JSON.stringify(r.guest));
    const lengths = pcapLengths(readFileSync(file));
    assert.ok(lengths.length > (1 << 20) / 1460, `${lengths.length} frames captured`);
    assert.ok(lengths.every((n) => n >= 14 && n <= 1514), `largest captured ${Math.max(...lengths)}`);
    assert.ok(sender.large.sent > 0, 'the sender sent large segments whole into the switch');
    assert.equal(receiver.large.received, 0, 'none went whole into a chain with a capture');
  });
});

test('hub under attack: a peer offers, then sends 200 mutated large segments; the bad are dropped, the good flooded whole or cut, and the switch goes on', { timeout: 120_000 }, async () => {
  await withSwitchDir('kk-gso-attack-', async (dir, members) => {
    const [hubMachine, member] = await hubAndMember(dir, 'atk', members);
    const wholeAtMember: number[] = [], framesAtHub: number[] = [];
    member.onLarge!((f) => wholeAtMember.push(f.length));
    hubMachine.onFrame((f) => framesAtHub.push(f.length));
    // fast-check draws each segment: its size, mss, up to 8 flipped header bytes (past
    // the broadcast destination, so every good one is flooded) and bytes cut off the end.
    const drawn = fc.sample(fc.record({
      bytes: fc.integer({ min: 1461, max: 64000 }), mss: fc.integer({ min: 0, max: 2000 }),
      flips: fc.oneof(fc.constant([]), fc.array(fc.tuple(fc.integer({ min: 12, max: 60 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 })),
      cut: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 })),
    }), { seed: 4244, numRuns: 200 });
    const segments = drawn.map((d) => {
      const f = large(d.bytes, 7, 1);
      f.fill(0xff, 0, 6);
      for (const [at, x] of d.flips) f[at] = f[at]! ^ x;
      return { f: f.subarray(0, Math.max(1515, f.length - d.cut)), mss: d.mss };
    });
    const good = segments.filter((s) => gsoShape(s.f, s.mss, 1500) !== undefined).length;
    assert.ok(good > 10 && good < 190, `${good} of 200 are good: both kinds are exercised`);
    const attacker = net.connect(path.join(dir, 'kernelkit-switch-atk.sock'));
    await new Promise<void>((r) => attacker.once('connect', () => r()));
    attacker.write(encodeFrame(helloFrame('offer')));
    for (const s of segments) attacker.write(largeRecord(s.f, s.mss));
    const bridge = hubMachine.bridge()!;
    // Each good one reaches the member whole and the hub's machine (which takes none whole) as frames.
    await until(() => wholeAtMember.length === good, `the member got ${wholeAtMember.length} of ${good} whole`);
    assert.deepEqual({ ...bridge.large }, { whole: good, cut: good, bad: 0 }, 'the stream port dropped the bad before the bridge');
    assert.ok(framesAtHub.length > good && framesAtHub.every((n) => n >= 14 && n <= 1514), 'the hub\'s machine got frames only');
    // The switch goes on: a frame from the member reaches the hub's machine, and the attacker is still attached.
    member.send(frame(mac(1), mac(2), 5));
    await until(() => framesAtHub.includes(60), 'a frame after the attack');
    assert.equal(attacker.destroyed, false, 'bad large segments are dropped, not a reason to cut the peer off');
    assert.equal(hubMachine.role(), 'hub');
    attacker.destroy();
  });
});

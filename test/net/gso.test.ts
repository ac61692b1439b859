// Segmentation offload (abi/device.ts, lib/gso.ts): a large TCP segment cut into its
// frames has every header and checksum right; the device carries large segments only
// when both sides accepted offload and cuts them everywhere else; a malformed large
// segment, written by a wild driver straight into the ring or handed to the driver by
// its caller, is refused and counted, and the device and driver go on working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NicDeviceModel } from '../../src/hw/nic-device.js';
import * as nic from '../../src/services/nic/nic.js';
import {
  DEV_DOORBELL, NIC_SLOTS, NIC_SLOT_BYTES, NIC_TX_PRODUCED, NIC_TX_OFFSET, NIC_MAX_FRAME, NIC_DRIVER_FEATURES, NIC_F_TSO, NIC_F_GRO,
  NIC_MAX_GSO_FRAME, nicGsoSlots, nicRunWrite,
} from '../../src/abi/device.js';
import type { NicService } from '../../src/abi/services.js';
import type { Domain } from '../../src/kernel/component/table.js';
import { KernelError, Errno } from '../../src/abi/errno.js';
import { loadPreset } from '../../src/hosts/presets.js';
import { placedDomain } from '../../src/abi/component.js';
import { withTable } from '../kernel/in-process.js';
import { gsoShape, gsoSegment, wireFrames } from '../../src/lib/gso.js';
import { buildEthernet, ETHERTYPE } from '../../src/services/net/wire/ethernet.js';
import { buildIpv4, parseIpv4, PROTOCOL } from '../../src/services/net/wire/ipv4.js';
import { buildTcp, parseTcp, FLAG } from '../../src/services/net/wire/tcp.js';
import { seededRandom } from '../../src/lib/random.js';

const A = Uint8Array.of(10, 0, 9, 2), B = Uint8Array.of(10, 0, 9, 1);
const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 1), PEER = Uint8Array.of(0x02, 0, 0, 0, 0, 2);

/** A large segment of `bytes` payload bytes, as the stack builds it (whole TCP checksum). */
function large(bytes: number, seq = 0xfffff000, flags = FLAG.ACK | FLAG.PSH | FLAG.FIN, id = 0xfff0): Uint8Array {
  const rnd = seededRandom(bytes);
  const payload = Uint8Array.from({ length: bytes }, () => Math.floor(rnd() * 256));
  const tcp = buildTcp({ srcPort: 40000, dstPort: 5001, seq, ack: 77, flags, window: 512, options: {}, payload }, A, B);
  return buildEthernet(PEER, MAC, ETHERTYPE.IPV4, buildIpv4({ src: A, dst: B, protocol: PROTOCOL.TCP, id }, tcp));
}

/** The TCP payload of frames joined, after checking each frame's IPv4 and TCP checksums (the parsers refuse a bad one). */
function check(frames: Uint8Array[], mss: number): { payload: Uint8Array; seqs: number[]; flags: number[]; ids: number[] } {
  const parts: Uint8Array[] = [], seqs: number[] = [], flags: number[] = [], ids: number[] = [];
  for (const f of frames) {
    assert.ok(f.length <= NIC_MAX_FRAME, `a frame of ${f.length} bytes`);
    const ip = parseIpv4(f.subarray(14));
    assert.ok(ip !== undefined, 'IPv4 header and checksum');
    const t = parseTcp(ip.payload, ip.src, ip.dst);
    assert.ok(t !== undefined, 'TCP header and checksum');
    assert.ok(t.payload.length <= mss);
    parts.push(t.payload); seqs.push(t.seq); flags.push(t.flags); ids.push(ip.id);
  }
  return { payload: Buffer.concat(parts), seqs, flags, ids };
}

test('gso: a large segment is cut into MTU frames with their own lengths, ids, sequence numbers and checksums; PSH and FIN on the last', () => {
  for (const [bytes, mss] of [[64240, 1460], [64000, 1460], [5000, 536], [1461, 1460]] as const) {
    const f = large(bytes);
    const shape = gsoShape(f, mss, 1500);
    assert.ok(shape !== undefined);
    const frames = gsoSegment(f, mss, shape);
    assert.equal(frames.length, Math.ceil(bytes / mss));
    const got = check(frames, mss);
    assert.deepEqual(got.payload, Buffer.from(f.subarray(54)), 'the payload, in order');
    got.seqs.forEach((s, i) => assert.equal(s, (0xfffff000 + i * mss) >>> 0, 'sequence numbers run on (wrapping)'));
    got.ids.forEach((id, i) => assert.equal(id, (0xfff0 + i) & 0xffff));
    got.flags.forEach((fl, i) => assert.equal(fl, i === frames.length - 1 ? FLAG.ACK | FLAG.PSH | FLAG.FIN : FLAG.ACK));
  }
  // What is not a large segment: an ordinary frame passes as it is; a malformed one has no shape.
  const small = large(100);
  assert.deepEqual(wireFrames(small, 1460, 1500), [small]);
  const f = large(20000);
  assert.equal(gsoShape(f, 1461, 1500), undefined, 'an mss whose frames exceed the MTU');
  assert.equal(gsoShape(f, 0, 1500), undefined);
  assert.equal(gsoShape(f, 1460.5, 1500), undefined);
  for (const [at, value] of [[12, 0x86], [23, 17], [16, 0x00], [20, 0x20], [47, FLAG.SYN | FLAG.ACK], [47, FLAG.RST]] as const) {
    const bad = f.slice(); bad[at] = value;
    assert.equal(gsoShape(bad, 1460, 1500), undefined, `byte ${at} = ${value}`);
  }
  assert.deepEqual(wireFrames(f.subarray(0, 19000), 1460, 1500), [], 'a truncated one (length field disagrees) yields nothing');
});

test('gso device: a large segment queued by the driver goes whole over a cable that carries it, and as frames everywhere else', () => {
  const m = new NicDeviceModel(MAC);
  const words = new Int32Array(m.memory, 0, 32);
  Atomics.store(words, NIC_DRIVER_FEATURES, NIC_F_TSO | NIC_F_GRO);
  const bytes = new Uint8Array(m.memory);
  const queue = (f: Uint8Array, mss: number, at: number): number => {
    const dv = new DataView(m.memory);
    dv.setInt32(NIC_TX_OFFSET + (at % NIC_SLOTS) * NIC_SLOT_BYTES, f.length, true);
    dv.setInt32(NIC_TX_OFFSET + (at % NIC_SLOTS) * NIC_SLOT_BYTES + 4, mss, true);
    nicRunWrite(bytes, NIC_TX_OFFSET, at, 8, f);
    return at + nicGsoSlots(f.length);
  };
  const f = large(64240);
  const frames: Uint8Array[] = [], whole: Uint8Array[] = [];
  m.onTransmit = (x) => frames.push(x);
  // Near the ring's end, so the run wraps.
  let at = NIC_SLOTS - 5;
  Atomics.store(words, NIC_TX_PRODUCED, at); Atomics.store(words, 19, at);
  at = queue(f, 1460, at);
  Atomics.store(words, NIC_TX_PRODUCED, at);
  m.service();
  assert.equal(frames.length, 44, 'no cable for large segments: the device cut it');
  assert.deepEqual(check(frames, 1460).payload, Buffer.from(f.subarray(54)));
  m.onTransmitGso = (x) => { whole.push(x); return true; };
  at = queue(f, 1460, at);
  Atomics.store(words, NIC_TX_PRODUCED, at);
  m.service();
  assert.deepEqual(whole, [f], 'whole over a cable that carries it');
  const c = m.counters();
  assert.equal(c.tx_frames, 88, 'counted as the wire frames it stands for');
  assert.equal(c.tx_bytes, 2 * (f.length + 43 * 54));
  // The receiving side: whole into the ring only when its driver accepted GRO.
  const r = new NicDeviceModel(PEER);
  assert.equal(r.deliverGso(f, 1460), true);
  assert.equal(r.counters().rx_frames, 44, 'no GRO accepted: delivered as 44 frames');
  Atomics.store(new Int32Array(r.memory, 0, 32), NIC_DRIVER_FEATURES, NIC_F_GRO);
  assert.equal(r.deliverGso(f, 1460), true);
  assert.equal(r.counters().rx_frames, 88);
  assert.equal(r.deliverGso(f.subarray(0, 20000), 1460), false, 'a malformed one is dropped');
  assert.equal(r.counters().rx_dropped_bad, 1);
});

test('gso device: malformed large-segment descriptors a wild driver writes are dropped and counted; the ring goes on working', () => {
  const m = new NicDeviceModel(MAC);
  const words = new Int32Array(m.memory, 0, 32);
  const dv = new DataView(m.memory), bytes = new Uint8Array(m.memory);
  const sent: Uint8Array[] = [];
  m.onTransmit = (x) => sent.push(x);
  m.onTransmitGso = () => { throw new Error('a malformed segment must not reach the cable'); };
  let at = 0;
  const put = (length: number, mss: number, body: Uint8Array | undefined, slots: number): void => {
    const o = NIC_TX_OFFSET + (at % NIC_SLOTS) * NIC_SLOT_BYTES;
    dv.setInt32(o, length, true); dv.setInt32(o + 4, mss, true);
    if (body !== undefined) nicRunWrite(bytes, NIC_TX_OFFSET, at, 8, body);
    at += slots;
    Atomics.store(words, NIC_TX_PRODUCED, at);
    m.service();
  };
  const f = large(30000);
  // Offload not accepted by the driver: refused.
  put(f.length, 1460, f, nicGsoSlots(f.length));
  Atomics.store(words, NIC_DRIVER_FEATURES, NIC_F_TSO);
  let bad = 1;
  const cases: [string, number, number, Uint8Array | undefined, number][] = [
    ['mss 0', f.length, 0, f, nicGsoSlots(f.length)],
    ['mss past the MTU', f.length, 1500, f, nicGsoSlots(f.length)],
    ['negative mss', f.length, -5, f, nicGsoSlots(f.length)],
    ['length past the largest', NIC_MAX_GSO_FRAME + 1, 1460, undefined, 1],
    ['huge length', 0x7fffffff, 1460, undefined, 1],
    ['not TCP', f.length, 1460, (() => { const x = f.slice(); x[23] = 17; return x; })(), nicGsoSlots(f.length)],
    ['length disagrees with IPv4', f.length, 1460, (() => { const x = f.slice(); x[16] = 0; return x; })(), nicGsoSlots(f.length)],
    ['garbage', f.length, 1460, new Uint8Array(f.length).fill(0xa5), nicGsoSlots(f.length)],
  ];
  for (const [, length, mss, body, slots] of cases) { put(length, mss, body, slots); bad++; }
  // A descriptor claiming more slots than were published.
  const o = NIC_TX_OFFSET + (at % NIC_SLOTS) * NIC_SLOT_BYTES;
  dv.setInt32(o, f.length, true); dv.setInt32(o + 4, 1460, true);
  at += 2; Atomics.store(words, NIC_TX_PRODUCED, at); m.service(); bad++;
  const c = m.counters();
  assert.equal(c.tx_gso_bad, bad);
  assert.equal(c.tx_dropped_bad, bad);
  assert.equal(sent.length, 0, 'nothing of them left');
  assert.equal(Atomics.load(words, 19), at, 'every slot they claimed was consumed');
  // The device still carries a good one.
  m.onTransmitGso = undefined;
  put(f.length, 1460, f, nicGsoSlots(f.length));
  assert.equal(sent.length, Math.ceil(29946 / 1460));
});

// The driver in every preset's placement: a large segment with a bad mss or shape, or
// before offload was accepted, is EINVAL and counted; a good one goes out as frames.
function serve(model: NicDeviceModel): () => void {
  const words = new Int32Array(model.memory, 0, 1);
  let stopped = false;
  const loop = (seen: number): void => {
    if (stopped) return;
    model.service();
    const w = Atomics.waitAsync(words, DEV_DOORBELL, seen);
    if (w.async) void w.value.then(() => loop(Atomics.load(words, DEV_DOORBELL)));
    else setImmediate(() => loop(Atomics.load(words, DEV_DOORBELL)));
  };
  loop(Atomics.load(words, DEV_DOORBELL));
  return () => { stopped = true; Atomics.add(words, DEV_DOORBELL, 1); Atomics.notify(words, DEV_DOORBELL); };
}

for (const preset of ['monolithic', 'microkernel', 'hybrid']) {
  const domain = placedDomain(preset, loadPreset(preset).placement, 'nic') as Domain;
  test(`gso driver (${preset}: nic ${domain}): malformed large segments are refused with EINVAL and counted; good ones go out and come in whole`, async () => {
    const m = new NicDeviceModel(MAC);
    const stop = serve(m);
    try {
      await withTable({ nic }, 'shm', [[nic, domain]], async (t) => {
        const n = t.iface<NicService>('nic');
        const f = large(64240);
        const einval = (e: unknown): boolean => e instanceof KernelError && e.errno === Errno.EINVAL;
        await assert.rejects(n.transmitMany([f], [1460]), einval, 'before offload was accepted');
        assert.equal(await n.offload(NIC_F_TSO | NIC_F_GRO | 0x100), NIC_F_TSO | NIC_F_GRO, 'only the features the device offers');
        for (const [frames, mss] of [[[f], [1500]], [[f], [0]], [[f], [87]], [[f], [-1]], [[f.subarray(0, 3000)], [1460]], [[f, large(100)], [1460]], [[f], [1460, 0]], [[new Uint8Array(70000)], [1460]]] as [Uint8Array[], number[]][]) {
          await assert.rejects(n.transmitMany(frames, mss), einval, `${frames.map((x) => x.length).join(',')} with ${mss.join(',')}`);
        }
        const c = (await n.info()).counters;
        // Counted: the one before offload, mss 1500, 87 and -1, the truncated one and the 70000-byte one (a large frame
        // with mss 0 is a bad ordinary frame; an mss list of the wrong length is refused before any frame is looked at).
        assert.equal(c.tx_gso_bad, 6);
        assert.equal(c.tx_dropped_bad, 7);
        const out: Uint8Array[] = [];
        m.onTransmit = (x) => out.push(x);
        assert.equal(await n.transmitMany([large(100), f], [0, 1460]), 2);
        for (let i = 0; i < 100 && out.length < 45; i++) await new Promise((r) => setTimeout(r, 5));
        assert.equal(out.length, 45);
        assert.deepEqual(check(out.slice(1), 1460).payload, Buffer.from(f.subarray(54)));
        // In: with GRO accepted, a large segment arrives whole.
        assert.equal(m.deliverGso(f, 1460), true);
        assert.deepEqual(await n.receive(8), [f]);
        assert.equal(await n.offload(0), 0);
        assert.equal(m.deliverGso(f, 1460), true);
        const frames: Uint8Array[] = [];
        while (frames.length < 44) frames.push(...await n.receive(64));
        assert.deepEqual(check(frames, 1460).payload, Buffer.from(f.subarray(54)), 'GRO declined: the frames');
        await assert.rejects(n.transmitMany([f], [1460]), einval, 'offload given up');
      }, { devices: { nic: { kind: 'nic', memory: m.memory } }, grants: { nic: 'nic' } });
    } finally { stop(); }
  });
}

// The features a driver accepted live in the device, so the driver a crash restarts finds
// TSO still on while the stack goes on handing it large segments: it must carry them
// (it once faulted on a bounce buffer only its predecessor had, and every TCP connection
// through the NIC stalled after a driver restart).
for (const preset of ['monolithic', 'microkernel', 'hybrid']) {
  const domain = placedDomain(preset, loadPreset(preset).placement, 'nic') as Domain;
  test(`gso driver (${preset}: nic ${domain}): a driver started on a device whose TSO was accepted sends large segments`, async () => {
    const m = new NicDeviceModel(MAC);
    const stop = serve(m);
    const opts = { devices: { nic: { kind: 'nic' as const, memory: m.memory } }, grants: { nic: 'nic' as const } };
    try {
      await withTable({ nic }, 'shm', [[nic, domain]], async (t) => {
        assert.equal(await t.iface<NicService>('nic').offload(NIC_F_TSO | NIC_F_GRO), NIC_F_TSO | NIC_F_GRO);
      }, opts);
      // The successor: a new instance of the driver on the same device.
      await withTable({ nic }, 'shm', [[nic, domain]], async (t) => {
        const n = t.iface<NicService>('nic');
        const out: Uint8Array[] = [];
        m.onTransmit = (x) => out.push(x);
        const f = large(64240);
        assert.equal(await n.transmitMany([f], [1460]), 1);
        for (let i = 0; i < 100 && out.length < 44; i++) await new Promise((r) => setTimeout(r, 5));
        assert.equal(out.length, 44);
        assert.deepEqual(check(out, 1460).payload, Buffer.from(f.subarray(54)));
      }, opts);
    } finally { stop(); }
  });
}

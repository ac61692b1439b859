// The network device (hw/nic-device.ts) and its driver (services/nic/nic.ts): the rings
// alone, then the driver placed in the kernel domain and in its own server (every
// preset's placement), frames both ways, a flood, bad frames, and a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NicDeviceModel, macFromSeed, parseMac } from '../../src/hw/nic-device.js';
import * as nic from '../../src/services/nic/nic.js';
import { DEV_DOORBELL, NIC_SLOTS, NIC_SLOT_BYTES, NIC_MEMORY_BYTES, NIC_TX_PRODUCED, NIC_TX_OFFSET, NIC_MAX_FRAME } from '../../src/abi/device.js';
import type { NicService } from '../../src/abi/services.js';
import type { Domain } from '../../src/kernel/component/table.js';
import { KernelError, Errno } from '../../src/abi/errno.js';
import { seededRandom } from '../../src/lib/random.js';
import { loadPreset } from '../../src/hosts/presets.js';
import { placedDomain } from '../../src/abi/component.js';
import { withTable } from '../kernel/in-process.js';

const MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 1);

function frame(seq: number, length = 60 + (seq * 37) % 1400): Uint8Array {
  const f = new Uint8Array(length);
  f.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xb5]); // local experimental ethertype
  new DataView(f.buffer).setUint32(14, seq);
  for (let i = 18; i < length; i++) f[i] = (seq * 7 + i) & 0xff;
  return f;
}

// The host's side: serve the transmit ring whenever the doorbell rings (as hosts/node/machine.ts does).
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

test('nic device: a full receive ring drops and counts; bad lengths are dropped and counted, never copied', () => {
  const m = new NicDeviceModel(MAC);
  let accepted = 0;
  for (let i = 0; i < NIC_SLOTS + 50; i++) if (m.deliver(frame(i))) accepted++;
  assert.equal(accepted, NIC_SLOTS);
  assert.equal(m.deliver(new Uint8Array(13)), false);
  assert.equal(m.deliver(new Uint8Array(NIC_MAX_FRAME + 1)), false);
  const c = m.counters();
  assert.equal(c.rx_frames, NIC_SLOTS);
  assert.equal(c.rx_dropped_full, 50);
  assert.equal(c.rx_dropped_bad, 2);
  assert.equal(m.memory.byteLength, NIC_MEMORY_BYTES, 'the device is its rings: a flood cannot grow it');
  assert.ok(NIC_MEMORY_BYTES <= 2 * NIC_SLOTS * NIC_SLOT_BYTES + 4096, 'two rings and a page of registers');
});

test('nic device: a transmit slot with a garbage length, or a wild producer index, is dropped and counted', () => {
  const m = new NicDeviceModel(MAC);
  const sent: Uint8Array[] = [];
  m.onTransmit = (f) => sent.push(f);
  const words = new Int32Array(m.memory, 0, 32);
  new DataView(m.memory).setInt32(NIC_TX_OFFSET, 100000, true);
  Atomics.store(words, NIC_TX_PRODUCED, 1);
  assert.equal(m.service(), 1);
  assert.equal(sent.length, 0);
  assert.equal(m.counters().tx_dropped_bad, 1);
  Atomics.store(words, NIC_TX_PRODUCED, 1 + 5 * NIC_SLOTS);
  assert.equal(m.service(), 0);
  assert.equal(sent.length, 0);
  assert.equal(m.counters().tx_dropped_bad, 2);
});

test('nic MAC: derived from a name, locally administered unicast, stable, and distinct across names', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const mac = macFromSeed(`machine-${i}`);
    assert.equal(mac[0]! & 0x03, 0x02, 'locally administered, unicast');
    assert.deepEqual(macFromSeed(`machine-${i}`), mac);
    seen.add(Buffer.from(mac).toString('hex'));
  }
  assert.equal(seen.size, 200);
  assert.deepEqual(parseMac('02:aa:bb:cc:dd:0f'), Uint8Array.of(2, 0xaa, 0xbb, 0xcc, 0xdd, 0x0f));
  for (const bad of ['01:00:00:00:00:00', '02:00:00:00:00', '02-00-00-00-00-00', 'zz:00:00:00:00:00']) assert.equal(parseMac(bad), undefined, bad);
});

const PLACEMENTS: [string, Domain][] = ['monolithic', 'microkernel', 'hybrid'].map((p) => {
  const d = placedDomain(p, loadPreset(p).placement, 'nic');
  assert.ok(d === 'kernel' || d === 'user', `${p} places nic in the kernel or a server (${d})`);
  return [p, d];
});

async function withNic(domain: Domain, body: (n: NicService, m: NicDeviceModel, crash: () => Promise<void>, restarts: () => number) => Promise<void>): Promise<void> {
  const m = new NicDeviceModel(MAC);
  const stop = serve(m);
  try {
    await withTable({ nic }, 'shm', [[nic, domain]], async (t) => {
      await body(t.iface<NicService>('nic'), m, async () => {
        // The fault travels on the server's control line, not its call channel: armFault resolves once it has landed.
        await t.armFault('nic', 'crash');
      }, () => t.get('nic')?.restarts ?? 0);
    }, { devices: { nic: { kind: 'nic', memory: m.memory } }, grants: { nic: 'nic' } });
  } finally { stop(); }
}

for (const [preset, domain] of PLACEMENTS) {
  test(`nic driver (${preset}: ${domain} domain): frames both ways arrive whole and in order; a flood is bounded by the ring`, async () => {
    await withNic(domain, async (n, m) => {
      const info = await n.info();
      assert.deepEqual(info.mac, MAC);
      assert.equal(info.mtu, 1500);
      // Out: more frames than a ring holds, queued as fast as the driver takes them.
      const out: Uint8Array[] = [];
      m.onTransmit = (f) => out.push(f);
      let queued = 0, dropped = 0;
      const burst = NIC_SLOTS + 44;
      for (let i = 0; i < burst; i++) { if (await n.transmit(frame(i))) queued++; else dropped++; }
      for (let i = 0; i < 100 && out.length < queued; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(out.length, queued);
      assert.equal((await n.info()).counters.tx_dropped_full, dropped);
      assert.equal(queued + dropped, burst);
      // Whatever was queued left in order and whole.
      let last = -1;
      for (const f of out) {
        const seq = new DataView(f.buffer).getUint32(14);
        assert.ok(seq > last);
        assert.deepEqual(f, frame(seq));
        last = seq;
      }
      // In: a flood nobody reads fills the ring and the rest is dropped.
      let accepted = 0;
      const flood = NIC_SLOTS + 744;
      for (let i = 0; i < flood; i++) if (m.deliver(frame(10000 + i))) accepted++;
      assert.equal(accepted, NIC_SLOTS);
      const got: Uint8Array[] = [];
      while (got.length < NIC_SLOTS) got.push(...await n.receive(100));
      got.forEach((f, i) => assert.deepEqual(f, frame(10000 + i)));
      const c = (await n.info()).counters;
      assert.equal(c.rx_frames, NIC_SLOTS);
      assert.equal(c.rx_dropped_full, flood - NIC_SLOTS);
      // A receive blocks until a frame arrives.
      const waiting = n.receive(8);
      setTimeout(() => m.deliverAll([frame(1), frame(2)]), 20);
      assert.deepEqual(await waiting, [frame(1), frame(2)]);
    });
  });

  test(`nic driver (${preset}: ${domain} domain): transmitMany queues a batch in order with one call; one bad frame refuses the whole batch`, async () => {
    await withNic(domain, async (n, m) => {
      const out: Uint8Array[] = [];
      m.onTransmit = (f) => out.push(f);
      // Three batches of 60 (fewer than a ring each): what the driver queued leaves in order and whole.
      let queued = 0;
      for (let b = 0; b < 3; b++) queued += await n.transmitMany(Array.from({ length: 60 }, (_, i) => frame(b * 60 + i)));
      for (let i = 0; i < 100 && out.length < queued; i++) await new Promise((r) => setTimeout(r, 5));
      const c = (await n.info()).counters;
      assert.equal(queued + c.tx_dropped_full, 180, 'every frame was queued or counted as dropped');
      assert.equal(out.length, queued);
      let last = -1;
      for (const f of out) {
        const seq = new DataView(f.buffer, f.byteOffset).getUint32(14);
        assert.ok(seq > last, 'in order');
        assert.deepEqual(f, frame(seq));
        last = seq;
      }
      // A batch with one malformed frame: EINVAL, nothing of it queued, the bad frame counted.
      const before = (await n.info()).counters;
      await assert.rejects(n.transmitMany([frame(500), new Uint8Array(9), frame(501)]), (e: unknown) => e instanceof KernelError && e.errno === Errno.EINVAL);
      const after = (await n.info()).counters;
      assert.equal(after.tx_dropped_bad, before.tx_dropped_bad + 1);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(out.length, queued, 'no frame of the refused batch left');
      assert.equal(await n.transmitMany([]), 0);
      assert.equal(await n.transmitMany([frame(600)]), 1, 'the driver still works');
    });
  });

  test(`nic driver (${preset}): bad frames from the stack's side are refused with EINVAL and counted`, async () => {
    await withNic(domain, async (n) => {
      const rnd = seededRandom(7);
      for (const length of [0, 1, 13, NIC_MAX_FRAME + 1, 9000]) {
        await assert.rejects(n.transmit(new Uint8Array(length).map(() => rnd() * 256)), (e: unknown) => e instanceof KernelError && e.errno === Errno.EINVAL);
      }
      assert.equal((await n.info()).counters.tx_dropped_bad, 5);
      assert.equal(await n.transmit(frame(1)), true, 'the driver still works');
    });
  });
}

test('nic driver (own server): a crash restarts it; frames waiting in the ring survive it, the call in flight may not', async () => {
  await withNic('user', async (n, m, crash, restarts) => {
    m.deliverAll([frame(1), frame(2), frame(3)]);
    await crash();
    // The call that meets the crash: receive is replayed on the new driver (idempotent), which finds the frames.
    assert.deepEqual(await n.receive(10), [frame(1), frame(2), frame(3)]);
    assert.equal(restarts(), 1);
    const out: Uint8Array[] = [];
    m.onTransmit = (f) => out.push(f);
    await crash();
    await assert.rejects(n.transmit(frame(4)), (e: unknown) => e instanceof KernelError && e.errno === Errno.EIO);
    assert.equal(restarts(), 2);
    assert.equal(await n.transmit(frame(5)), true);
    for (let i = 0; i < 100 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(out, [frame(5)]);
  });
});

// Regression: after a net restart, the receive the dead net instance left parked in the
// driver took the next frames, and its reply went to a channel nobody reads: the new
// stack lost its first ARP reply or SYN+ACK and waited out a retransmission.
for (const [preset, domain] of PLACEMENTS) {
  test(`nic-receive-left-parked-by-a-dead-caller-takes-no-frames (${preset})`, async () => {
    await withNic(domain, async (n, m) => {
      const orphan = n.receive(8);
      await new Promise((r) => setTimeout(r, 20));
      // The caller's successor asks: the orphan ends with nothing, the new call gets every frame.
      const live = n.receive(8);
      assert.deepEqual(await orphan, []);
      m.deliverAll([frame(1), frame(2)]);
      assert.deepEqual(await live, [frame(1), frame(2)]);
    });
  });
}

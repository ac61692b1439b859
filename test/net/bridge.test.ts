// The bridge component (services/bridge/) on a machine with two NICs, placed as each
// preset places it (kernel domain with its drivers; its own server beside the drivers'
// servers; kernel domain with the drivers in servers): frames both ways checked byte
// for byte, the learning table's filtering, and two machines on either side of it
// talking TCP through it (the lab's C7 bridge, src/lab/net-machines.ts); garbage from
// both wires leaves it forwarding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeMachine, awaitForwarding, blast, blastFrame, guestPair, BLAST_SRC, BLAST_DST } from '../../src/lab/net-machines.js';
import { portPair, type FramePort } from '../../src/hosts/node/net/frame-port.js';
import { macFromSeed } from '../../src/hw/nic-device.js';
import { LearningTable } from '../../src/services/bridge/bridge.js';
import { loadPreset } from '../../src/hosts/presets.js';
import { placedDomain } from '../../src/abi/component.js';
import { seededRandom } from '../../src/lib/random.js';

const PRESETS = ['monolithic', 'microkernel', 'hybrid'];

/** Collects what comes out of `port` until `n` frames arrived or `ms` passed. */
function collect(port: FramePort, n: number, ms: number, keep: (f: Uint8Array) => boolean): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const got: Uint8Array[] = [];
    let done = false;
    const timer = setTimeout(() => { done = true; resolve(got); }, ms);
    port.onFrame((f) => { if (done || !keep(f)) return; got.push(f); if (got.length === n) { done = true; clearTimeout(timer); resolve(got); } });
  });
}

const isData = (f: Uint8Array): boolean => f.length !== 64;

test('the learning table: learns, moves, forgets the oldest past its bound', () => {
  const t = new LearningTable(3);
  t.learn(1, 0); t.learn(2, 1); t.learn(3, 0);
  assert.equal(t.lookup(2), 1);
  t.learn(2, 0);
  assert.equal(t.lookup(2), 0, 'an address seen on the other side moves');
  t.learn(4, 1);
  assert.equal(t.size, 3);
  assert.equal(t.lookup(1), undefined, 'the oldest is forgotten');
  assert.equal(t.lookup(4), 1);
});

for (const preset of PRESETS) {
  const p = loadPreset(preset);
  const where = ['bridge', 'nic', 'nic1'].map((c) => `${c} ${placedDomain(p.name, p.placement, c)}`).join(', ');
  test(`${preset} (${where}): frames both ways whole, filtering by what was learned`, { timeout: 120_000 }, async () => {
    const r = await bridgeMachine(preset, 90_000, async ([eth0, eth1], signal) => {
      // Forwarding starts: a broadcast from each side comes out of the other.
      await awaitForwarding(eth1, eth0, BLAST_DST, signal);
      await awaitForwarding(eth0, eth1, BLAST_SRC, signal);
      // 300 frames of varied lengths from eth0's side to eth1's, and 300 back.
      const lengths = (k: number): number => 60 + ((k * 97) % 1455);
      // In bursts of 50, each awaited: well inside the 256-slot rings, so nothing here may be dropped.
      const send = async (from: FramePort, to: FramePort, dst: Uint8Array, src: Uint8Array, base: number): Promise<Uint8Array[]> => {
        const got: Uint8Array[] = [];
        for (let k = 0; k < 300; k += 50) {
          const burst = collect(to, 50, 20_000, isData);
          for (let i = k; i < k + 50; i++) from.send(blastFrame(dst, src, base + i, lengths(i)));
          got.push(...await burst);
        }
        return got;
      };
      const a = await send(eth0, eth1, BLAST_DST, BLAST_SRC, 0);
      const b = await send(eth1, eth0, BLAST_SRC, BLAST_DST, 1000);
      // A frame to an address learned on its own side stays there; a frame to one on the other side passes.
      const local = macFromSeed('beside-src');
      eth0.send(blastFrame(local, Uint8Array.of(2, 9, 9, 9, 9, 9), 5000, 100));   // teaches nothing about `local` yet: flooded
      const heard = collect(eth1, 3, 5_000, isData);
      eth0.send(blastFrame(BLAST_DST, local, 5001, 100));                          // `local` is learned on eth0
      eth0.send(blastFrame(local, BLAST_SRC, 5002, 100));                          // for `local`, from eth0: filtered
      eth0.send(blastFrame(BLAST_DST, BLAST_SRC, 5003, 100));                      // passes, and marks the end
      const c = await heard;
      // Garbage from both wires (seeded: random lengths, bytes and addresses, 1200 source
      // addresses for a table of 1024): the bridge keeps forwarding, every frame whole.
      const random = seededRandom(7);
      for (let k = 0; k < 600; k++) {
        const g = new Uint8Array(14 + Math.floor(random() * 1501));
        for (let i = 0; i < g.length; i++) g[i] = Math.floor(random() * 256);
        if (g.length === 64) g[0] = 1;   // never mistaken for a hello
        (k % 2 === 0 ? eth0 : eth1).send(g);
        if (k % 100 === 99) await new Promise((r) => setTimeout(r, 50));
      }
      // A hello through eth0 -> eth1 comes out behind every garbage frame sent that way.
      await awaitForwarding(eth0, eth1, BLAST_SRC, signal);
      const counted = await blast([eth0, eth1], 2000, signal);
      return { a, b, c, counted, lengths };
    });
    assert.equal(r.failure, undefined, `${r.failure}\n${r.log}`);
    const { a, b, c, counted, lengths } = r.value!;
    assert.equal(a.length, 300, 'every frame from eth0 came out of eth1');
    a.forEach((f, k) => assert.deepEqual(f, blastFrame(BLAST_DST, BLAST_SRC, k, lengths(k)), `frame ${k}`));
    assert.equal(b.length, 300, 'every frame from eth1 came out of eth0');
    b.forEach((f, k) => assert.deepEqual(f, blastFrame(BLAST_SRC, BLAST_DST, 1000 + k, lengths(k)), `frame ${1000 + k}`));
    const seqs = c.map((f) => new DataView(f.buffer, f.byteOffset).getUint32(14));
    assert.deepEqual(seqs, [5000, 5001, 5003], 'the flooded and the forwarded frames passed, the filtered one did not');
    assert.equal(counted.intact, true);
    assert.equal(counted.frames + counted.lost, 2000);
    assert.ok(counted.frames > 0);
  });

  test(`${preset}: two machines on either side of a bridge machine talk TCP through it`, { timeout: 180_000 }, async () => {
    const r = await bridgeMachine(preset, 150_000, async ([eth0, eth1]) => {
      // A's cable ends at the bridge's eth0, B's at its eth1.
      const [aNic, aEnd] = portPair(), [bNic, bEnd] = portPair();
      const join = (x: FramePort, y: FramePort): void => { x.onFrame((f) => y.send(f)); y.onFrame((f) => x.send(f)); };
      join(aEnd, eth0);
      join(bEnd, eth1);
      return guestPair({ preset, bytes: 300_000, count: 1, loopback: false, timeoutMs: 120_000, cables: [aNic, bNic] });
    });
    assert.equal(r.failure, undefined, `${r.failure}\n${r.log}`);
    const pair = r.value!;
    assert.equal(pair.failure, undefined, pair.failure);
    assert.equal(pair.guest.length, 1);
    assert.equal(pair.guest[0]!.bytes, 300_000);
    assert.equal(pair.guest[0]!.intact, true, 'the receiver read every byte, and its Adler-32 is the sender\'s');
  });
}

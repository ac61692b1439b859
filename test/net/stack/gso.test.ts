// The stack with segmentation offload (link.gsoMax): TCP hands the link segments of up
// to 64 KiB with their mss, and a receiving stack takes a large segment as the run of
// segments it stands for. Two stacks over the test wire, the large segments carried
// whole (GRO) or cut into frames on the way (lib/gso.ts), over a wire that loses,
// reorders and corrupts: every byte arrives, in order; a corrupted large segment is
// dropped (its checksum covers all of it) and retransmitted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../../../src/services/net/stack/stack.js';
import { FakeClock, TestLink, Wire, ip, mac, seeded, type Impairments } from './harness.js';
import { gsoShape, gsoSegment } from '../../../src/lib/gso.js';

class GsoLink extends TestLink {
  readonly gsoMax = 65535;
  large = 0;
  constructor(m: Uint8Array, private readonly cut: boolean) { super(m); }
  override transmit(frame: Uint8Array, mss?: number): void {
    if (mss === undefined || frame.length <= 1514) { super.transmit(frame); return; }
    this.large++;
    const shape = gsoShape(frame, mss, this.mtu);
    assert.ok(shape !== undefined, 'the stack builds well-formed large segments');
    if (this.cut) for (const f of gsoSegment(frame, mss, shape)) super.transmit(f);
    else super.transmit(frame);
  }
}

function run(cut: boolean, imp: Impairments, seed: number, size = 1 << 20): { wireLargest: number; large: number } {
  const clock = new FakeClock();
  const a = new Stack(clock, { random: seeded(seed * 7 + 1) }), b = new Stack(clock, { random: seeded(seed * 7 + 2) });
  const linkA = new GsoLink(mac(1), cut), linkB = new GsoLink(mac(2), cut);
  a.attach(linkA, { address: ip('10.0.0.1'), prefix: 24 });
  b.attach(linkB, { address: ip('10.0.0.2'), prefix: 24 });
  let wireLargest = 0;
  const into = (s: Stack) => (f: Uint8Array): void => { wireLargest = Math.max(wireLargest, f.length); s.receiveAll([f]); };
  new Wire(clock, linkA, linkB, into(a), into(b), imp, seed);
  const buffers = { receive: 212992, send: 212992 };
  const listener = b.tcp.listen(80, 4, buffers);
  const client = a.tcp.connect(40000, ip('10.0.0.2'), 80, buffers);
  a.settle();
  assert.ok(clock.runUntil(() => listener.ready.length > 0, 60_000), 'connection established');
  const server = listener.ready.shift()!;
  server.listener = undefined;
  const data = Uint8Array.from({ length: size }, (_, i) => (i * 131 + (i >> 9)) & 0xff);
  let sent = 0;
  const got: Uint8Array[] = [];
  let n = 0;
  assert.ok(clock.runUntil(() => {
    if (sent < size) sent += client.write(data.subarray(sent, Math.min(size, sent + 65536)));
    const r = server.read(1 << 20);
    if (r.length > 0) { got.push(r.slice()); n += r.length; }
    a.settle(); b.settle();
    return n === size;
  }, 3_600_000), `all ${size} bytes arrived (${n})`);
  assert.ok(Buffer.concat(got).equals(Buffer.from(data)), 'the bytes, in order');
  return { wireLargest, large: linkA.large };
}

for (const cut of [false, true]) {
  for (const [name, imp] of [['clean', {}], ['lossy', { loss: 0.02, reorder: 0.05, corrupt: 0.02, duplicate: 0.02 }]] as [string, Impairments][]) {
    test(`stack with offload, large segments ${cut ? 'cut into frames on the wire' : 'carried whole'}, ${name} wire: every byte arrives`, () => {
      const r = run(cut, imp, 3);
      assert.ok(r.large > 0, 'the sender handed the link large segments');
      if (cut) assert.ok(r.wireLargest <= 1514, `largest frame on the wire ${r.wireLargest}`);
      else assert.ok(r.wireLargest > 1514, 'large segments crossed whole');
    });
  }
}

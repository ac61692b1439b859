// 1 MiB each way between two stacks over an impaired in-memory wire: every byte must
// arrive, in order (SHA-256 of what was sent and what was read), within a bound on the
// fake clock. Seeded: a failure names its seed and reproduces.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transfer } from './transfer.js';

const MiB = 1 << 20;

const cases: { name: string; imp: Parameters<typeof transfer>[1]; seed: number }[] = [
  { name: 'a clean wire', imp: {}, seed: 1 },
  { name: '1% loss', imp: { loss: 0.01 }, seed: 2 },
  { name: '5% loss', imp: { loss: 0.05 }, seed: 3 },
  { name: '20% loss', imp: { loss: 0.2 }, seed: 4 },
  { name: 'reordering, duplication and corruption (5% each) with 1% loss', imp: { loss: 0.01, reorder: 0.05, duplicate: 0.05, corrupt: 0.05, delay: 2 }, seed: 5 },
];

for (const c of cases) {
  test(`1 MiB each way over ${c.name} (seed ${c.seed}) arrives intact`, () => {
    const r = transfer(MiB, c.imp, c.seed);
    assert.ok(r.done, `seed ${c.seed}: not finished by the limit: received ${r.received.join(' and ')} bytes; ${r.ends.join('; ')}`);
    assert.deepEqual(r.received, [MiB, MiB]);
    assert.deepEqual(r.receivedHash, r.sentHash, `seed ${c.seed}: the bytes differ`);
    if ((c.imp.loss ?? 0) > 0) {
      assert.ok(r.wire.lost > 0 && r.retransmits > 0, `seed ${c.seed}: loss ${r.wire.lost}, retransmits ${r.retransmits}`);
    }
  });
}

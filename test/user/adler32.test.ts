// tcpbench's Adler-32 (RFC 1950) against its definition, byte by byte: any data, split
// into any pieces, including runs of 0xff long enough to need every reduction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Adler32 } from '../../src/user/bin/tcpbench.js';

function reference(pieces: readonly Uint8Array[]): number {
  let a = 1, b = 0;
  for (const p of pieces) for (const x of p) { a = (a + x) % 65521; b = (b + a) % 65521; }
  return ((b << 16) | a) >>> 0;
}

test('Adler-32 equals its definition for any data in any pieces', () => {
  const piece = fc.oneof(fc.uint8Array({ maxLength: 9000 }), fc.integer({ min: 1, max: 20_000 }).map((n) => new Uint8Array(n).fill(0xff)));
  fc.assert(fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
    const sum = new Adler32();
    for (const p of pieces) sum.update(p);
    assert.equal(sum.value, reference(pieces));
  }), { seed: 0xad1e, numRuns: 200 });
  // A known value: the Adler-32 of "Wikipedia" is 0x11E60398.
  const w = new Adler32();
  w.update(new TextEncoder().encode('Wikipedia'));
  assert.equal(w.value, 0x11e60398);
});

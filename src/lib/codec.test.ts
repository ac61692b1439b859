import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode, decode, DecodeError } from './codec.js';

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.uint8Array({ maxLength: 20 })),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('node'), { maxKeys: 5, noNullPrototype: true })),
})).node;

test('codec round-trips plain data', () => {
  fc.assert(fc.property(value, (v) => { assert.deepEqual(decode(encode(v)), v); }));
});

test('codec refuses malformed input with DecodeError, never anything else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    try { decode(bytes); } catch (e) { assert.ok(e instanceof DecodeError, String(e)); }
  }));
});

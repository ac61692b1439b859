import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Arena, ArenaFullError } from './arena.js';

test('arena regions never overlap and stay inside the arena, whatever the order of alloc and free', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constant(-1)), { maxLength: 200 }), (ops) => {
    const arena = new Arena('t', new ArrayBuffer(32768));
    const live: ReturnType<Arena['alloc']>[] = [];
    for (const op of ops) {
      if (op === -1) { const r = live.splice(0, 1)[0]; if (r !== undefined) arena.free(r); continue; }
      try { live.push(arena.alloc('o', op)); } catch (e) { assert.ok(e instanceof ArenaFullError); }
    }
    const sorted = arena.list().slice().sort((a, b) => a.offset - b.offset);
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i]!;
      assert.ok(r.offset >= 0 && r.offset + r.length <= 32768, 'inside');
      if (i > 0) assert.ok(sorted[i - 1]!.offset + sorted[i - 1]!.length <= r.offset, 'no overlap');
    }
    assert.equal(arena.list().length, live.length);
  }));
});

test('a freed range is found again once the end is full', () => {
  const arena = new Arena('t', new ArrayBuffer(4096));
  const a = arena.alloc('x', 1024);
  arena.alloc('x', 3072);
  assert.throws(() => arena.alloc('x', 64), ArenaFullError);
  arena.free(a);
  assert.equal(arena.alloc('y', 1000).offset, 0);
});

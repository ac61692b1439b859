// The TCB count: lines of code, computed from the placement and the sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countLoc, countTcb } from '../../src/lab/tcb.js';

test('countLoc skips blank lines and comments, counts code', () => {
  assert.equal(countLoc('// a\n\nconst x = 1;\n/* b\n c */\n/** d */\nlet y = 2; // e\n  /* f */ z();\n'), 3);
  assert.equal(countLoc(''), 0);
});

test('the kernel domain shrinks as components move out; the total stays', () => {
  const [mono, micro, hybrid] = countTcb(['monolithic', 'microkernel', 'hybrid']);
  assert.ok(mono && micro && hybrid);
  assert.equal(mono.total_loc, micro.total_loc);
  assert.ok(micro.kernel_loc < hybrid.kernel_loc && hybrid.kernel_loc < mono.kernel_loc, JSON.stringify([mono, micro, hybrid]));
  assert.deepEqual(micro.kernel_components, []);
  assert.deepEqual(hybrid.user_components.sort(), ['blk', 'console']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SYSCALLS } from '../../abi/syscalls.js';
import { SYSCALL_TABLE } from './table.js';

test('every syscall in the one list has a handler, and numbers are unique', () => {
  const numbers = new Set<number>();
  for (const s of SYSCALLS) {
    assert.ok(!numbers.has(s.nr), `duplicate number ${s.nr}`);
    numbers.add(s.nr);
    assert.equal(typeof SYSCALL_TABLE[s.nr], 'function', `${s.name} has a handler`);
    assert.ok(s.args.length <= 6, `${s.name} fits in six registers`);
  }
  assert.equal(SYSCALL_TABLE.filter((h) => h !== undefined).length, SYSCALLS.length, 'no handler without a syscall');
});

test('docs/syscalls.md lists every syscall (generated from the list)', () => {
  const doc = readFileSync(new URL('../../../../docs/syscalls.md', import.meta.url), 'utf8');
  for (const s of SYSCALLS) assert.match(doc, new RegExp(`\\| ${s.nr} \\| \`${s.name}\` \\|`));
});

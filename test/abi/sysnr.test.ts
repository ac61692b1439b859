// The syscall numbers user programs carry (abi/sysnr.ts, written by scripts/build.mjs)
// are the list's: every syscall, each with its number, nothing else. And a program's
// bundle carries the numbers, not the list with its docs or other programs' --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SYSCALLS } from '../../src/abi/syscalls.js';
import { SYS } from '../../src/abi/sysnr.js';
import { USAGES } from '../../src/user/util/usage-text.js';

test('sysnr.ts has exactly the numbers of the syscall list', () => {
  assert.deepEqual(Object.entries(SYS).sort(([a], [b]) => a.localeCompare(b)), SYSCALLS.map((s) => [s.name, s.nr] as [string, number]).sort(([a], [b]) => a.localeCompare(b)));
});

test('a program bundle carries the syscall numbers but neither the syscall docs nor other programs\' usage', () => {
  // The bundles sit in build/bin, three levels above the compiled test (dist/test/abi).
  const bundle = (name: string): string => fs.readFileSync(fileURLToPath(new URL(`../../../build/bin/${name}.js`, import.meta.url)), 'utf8');
  const cat = bundle('cat');
  const readDoc = SYSCALLS.find((s) => s.name === 'read')!.doc;
  assert.ok(!cat.includes(readDoc), 'the syscall list\'s docs are not in cat');
  assert.ok(cat.includes(JSON.stringify(USAGES.cat)), 'cat carries its own usage');
  assert.ok(!cat.includes(JSON.stringify(USAGES.awk)), 'cat does not carry awk\'s');
  assert.ok(bundle('man').includes(JSON.stringify(USAGES.awk)), 'man carries every program\'s');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVICES, grants } from './services.js';

test('docs/services.md lists every method of every service (generated from the list)', () => {
  const doc = readFileSync(new URL('../../../docs/services.md', import.meta.url), 'utf8');
  for (const s of Object.values(SERVICES)) {
    assert.match(doc, new RegExp(`^## ${s.name}$`, 'm'));
    for (const d of s.methods) assert.match(doc, new RegExp(`\\| ${d.nr} \\| \`${d.name}\` \\|`), `${s.name}.${d.name}`);
  }
});

test('grants: a name grants its whole service, name.method one method, and log needs nothing', () => {
  assert.equal(grants(['blk'], 'blk', 'read'), true);
  assert.equal(grants(['kernel.processTable'], 'kernel', 'processTable'), true);
  assert.equal(grants(['kernel.processTable'], 'kernel', 'terminate'), false);
  assert.equal(grants(['kernel.processTable'], 'kernel'), true, 'the edge exists');
  assert.equal(grants([], 'pm', 'getpid'), false);
  assert.equal(grants([], 'kernel', 'log'), true);
});

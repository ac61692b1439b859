import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outermost } from './confine.js';

test('the permission grants name each directory once, and nothing beneath another grant', () => {
  assert.deepEqual(outermost(['/pkg', '/pkg/node_modules', '/pkg', '/share', '/pkg/docs/']), ['/pkg', '/share']);
  assert.deepEqual(outermost(['/a/b', '/a/bc', '/a/b/c']), ['/a/b', '/a/bc'], 'a sibling with a longer name is not beneath');
  assert.deepEqual(outermost(['/', '/x']), ['/']);
  assert.deepEqual(outermost([]), []);
});

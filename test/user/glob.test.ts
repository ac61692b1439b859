// Which words the shell treats as patterns (user/sh/glob.ts): only those that could
// match something, so `[ "$x" = y ]` reads no directory (the test command's `[` is
// an ordinary word, as in bash), while real bracket expressions still expand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasGlob, expandGlob, type GlobChar } from '../../src/user/sh/glob.js';

const word = (s: string, active = true): GlobChar[] => [...s].map((ch) => ({ ch, active }));

test('a lone or unclosed [ is not a pattern; a bracket expression, * and ? are', () => {
  for (const s of ['[', '[[', '[ab', 'a[b', '[/]', '[!', '[]', 'x[/y]']) assert.equal(hasGlob(word(s)), false, s);
  for (const s of ['[ab]', '[!a]', '[]]', '[!]]', '*', 'a?', 'dir/[0-9]x', '[^x]']) assert.equal(hasGlob(word(s)), true, s);
  assert.equal(hasGlob(word('[ab]', false)), false, 'quoted');
});

test('a word that is not a pattern lists no directory; a bracket expression matches as before', () => {
  let listed = 0;
  const list = (): string[] => { listed++; return ['a1', 'b2', '[']; };
  // expandGlob is only called for words hasGlob accepts; [ab] still matches.
  assert.deepEqual(expandGlob(word('[ab]1'), list), ['a1']);
  assert.equal(listed, 1);
  assert.deepEqual(expandGlob(word('[!a]2'), list), ['b2']);
});

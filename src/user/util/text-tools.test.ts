// Unit tests for the pure parts of the text tools: diff's edit scripts (a common
// subsequence, and a longest one), the POSIX regular expression translation, tr's
// sets, cut's lists, fold and xargs's argument splitting. (date's formats are
// checked against GNU date by test/system/tools-diff.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { editScript } from './diffseq.js';
import { posixToJs } from './regex.js';
import { expandSet } from '../bin/tr.js';
import { parseList } from '../bin/cut.js';
import { foldText } from '../bin/fold.js';
import { splitArguments } from '../bin/xargs.js';

// The length of a longest common subsequence, by dynamic programming.
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const next = [0];
    for (let j = 0; j < b.length; j++) next.push(x === b[j] ? (row[j] as number) + 1 : Math.max(row[j + 1] as number, next[j] as number));
    row = next;
  }
  return row[b.length] as number;
}

test('diffseq: the kept lines are a longest common subsequence, for any horizon', () => {
  const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 25 });
  fc.assert(fc.property(lines, lines, fc.integer({ min: 0, max: 4 }), (a, b, horizon) => {
    const { deleted, inserted } = editScript(a, b, horizon);
    const keptA = a.filter((_, i) => !deleted[i]);
    const keptB = b.filter((_, i) => !inserted[i]);
    assert.deepEqual(keptA, keptB);
    assert.equal(keptA.length, lcsLength(a, b));
  }));
});

test('regex: BRE and ERE operators, brackets and classes', () => {
  const m = (re: string, extended: boolean, s: string): string | null => new RegExp(posixToJs(re, extended)).exec(s)?.[0] ?? null;
  assert.equal(m('a\\{2,\\}', false, 'caaab'), 'aaa');
  assert.equal(m('a{2}', false, 'a{2}'), 'a{2}');
  assert.equal(m('\\(ab\\)*c', false, 'ababc'), 'ababc');
  assert.equal(m('*a', false, 'x*a'), '*a');
  assert.equal(m('a^b$c', false, 'a^b$c'), 'a^b$c');
  assert.equal(m('[[:upper:]][[:digit:]]+', true, 'xA12'), 'A12');
  assert.equal(m('[]a]*', false, ']a]b'), ']a]');
  assert.equal(m('[\\n]', false, 'x\\'), '\\');
  assert.equal(m('(ab|cd)+', true, 'abcdx'), 'abcd');
  assert.equal(m('a+?', false, 'a+?'), 'a+?');
});

test('tr sets: ranges, classes, escapes and repeats', () => {
  assert.equal(expandSet('a-e'), 'abcde');
  assert.equal(expandSet('[:digit:]x'), '0123456789x');
  assert.equal(expandSet('\\n\\t\\101'), '\n\tA');
  assert.equal(expandSet('[x*3]y'), 'xxxy');
  assert.equal(expandSet('a[x*]b', 5), 'axxxb');
});

test('cut lists', () => {
  assert.deepEqual(parseList('1,3-4,6-'), [[1, 1], [3, 4], [6, Infinity]]);
  assert.deepEqual(parseList('-2'), [[1, 2]]);
  assert.throws(() => parseList('0'));
  assert.throws(() => parseList('3-1'));
});

test('fold keeps every byte and no line is wider than asked', () => {
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n') }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (text, width, spaces) => {
    const out = foldText(text, width, true, spaces);
    assert.equal(out.replace(/\n/g, ''), text.replace(/\n/g, ''));
    for (const line of out.split('\n')) assert.ok(line.length <= width);
  }));
});

test('xargs splits on blanks with quotes and backslashes', () => {
  assert.deepEqual(splitArguments(' a  "b c"\n\'d e\' f\\ g\n'), ['a', 'b c', 'd e', 'f g']);
  assert.deepEqual(splitArguments(''), []);
});

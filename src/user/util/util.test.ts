// Unit tests for the programs' pure helpers: argument parsing, formatting, paths,
// echo escapes, and the pure parts of grep, chmod and test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseArgs } from './args.js';
import { UsageError } from './io.js';
import { modeString, humanSize, lsDate, fullDate, alignColumns } from './format.js';
import { joinPath, baseName, dirName } from './path.js';
import { echoText } from './echo.js';
import { basicToJs } from '../bin/grep.js';
import { applyMode } from '../bin/chmod.js';

test('parseArgs: combined flags, option values, --, long names', () => {
  const a = parseArgs(['-la', '-n', '5', 'x', '-c7', '--recursive', '--', '-y'], { flags: 'larR', options: 'nc', long: { recursive: 'R' } });
  assert.deepEqual([...a.flags].sort(), ['R', 'a', 'l']);
  assert.equal(a.options.get('n'), '5');
  assert.equal(a.options.get('c'), '7');
  assert.deepEqual(a.operands, ['x', '-y']);
  assert.deepEqual(parseArgs(['-', 'a'], { flags: 'l' }).operands, ['-', 'a']);
});

test('parseArgs: bad options are usage errors', () => {
  assert.throws(() => parseArgs(['-z'], { flags: 'l' }), (e: unknown) => e instanceof UsageError && /invalid option -- 'z'/.test(e.message));
  assert.throws(() => parseArgs(['-n'], { options: 'n' }), UsageError);
  assert.throws(() => parseArgs(['--nope'], {}), /unrecognized option '--nope'/);
});

test('modeString', () => {
  assert.equal(modeString(0o100644), '-rw-r--r--');
  assert.equal(modeString(0o040755), 'drwxr-xr-x');
  assert.equal(modeString(0o041777), 'drwxrwxrwt');
  assert.equal(modeString(0o120777), 'lrwxrwxrwx');
  assert.equal(modeString(0o020620), 'crw--w----');
  assert.equal(modeString(0o060660), 'brw-rw----');
  assert.equal(modeString(0o104644), '-rwSr--r--');
});

test('humanSize follows du -h rounding (up, one decimal below 10)', () => {
  assert.equal(humanSize(0), '0');
  assert.equal(humanSize(1023), '1023');
  assert.equal(humanSize(1024), '1.0K');
  assert.equal(humanSize(1536), '1.5K');
  assert.equal(humanSize(1025), '1.1K');
  assert.equal(humanSize(588895), '576K');
  assert.equal(humanSize(10 * 1024 * 1024), '10M');
});

test('dates in UTC', () => {
  const t = Date.UTC(2026, 10, 23, 2, 5, 9) * 1e6 + 123456789 % 1e6;
  assert.equal(lsDate(t, t), 'Nov 23 02:05');
  assert.equal(lsDate(t, t + 400 * 24 * 3600 * 1e9), 'Nov 23  2026');
  assert.match(fullDate(Date.UTC(2026, 0, 2, 3, 4, 5) * 1e6 + 7), /^2026-01-02 03:04:05\.00000000\d \+0000$/);
});

test('alignColumns pads all but the last column', () => {
  assert.deepEqual(alignColumns([['a', '1', 'x'], ['bbb', '22', 'y']], new Set([0])), ['a    1 x', 'bbb 22 y']);
});

test('paths', () => {
  assert.equal(joinPath('/a', 'b'), '/a/b');
  assert.equal(joinPath('/a/', 'b'), '/a/b');
  assert.equal(joinPath('/', 'b'), '/b');
  assert.equal(joinPath('x', '/abs'), '/abs');
  assert.equal(baseName('/a/b/'), 'b');
  assert.equal(baseName('/'), '/');
  assert.equal(dirName('/a/b'), '/a');
  assert.equal(dirName('/a'), '/');
  assert.equal(dirName('b'), '.');
});

test('baseName and dirName put a path back together', () => {
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z.]{1,4}$/).filter((s) => s !== '.' && s !== '..'), { minLength: 2, maxLength: 5 }), (parts) => {
    const p = '/' + parts.join('/');
    assert.equal(joinPath(dirName(p), baseName(p)), p);
  }));
});

test('echo options and escapes', () => {
  assert.equal(echoText(['a', 'b']), 'a b\n');
  assert.equal(echoText(['-n', 'a']), 'a');
  assert.equal(echoText(['-e', 'a\\tb\\n']), 'a\tb\n\n');
  assert.equal(echoText(['-e', 'x\\cy', 'z']), 'x');
  assert.equal(echoText(['-e', '\\x41\\0102']), 'AB\n');
  assert.equal(echoText(['a\\tb']), 'a\\tb\n');
  assert.equal(echoText(['-nx']), '-nx\n');
});

test('grep: basic regular expressions', () => {
  const m = (bre: string, s: string): boolean => new RegExp(basicToJs(bre)).test(s);
  assert.ok(m('a(b', 'xa(by'));
  assert.ok(m('\\(ab\\)\\{2\\}', 'abab'));
  assert.ok(!m('\\(ab\\)\\{2\\}', 'ab'));
  assert.ok(m('a|b', 'a|b'));
  assert.ok(!m('a|b', 'a'));
  assert.ok(m('a\\|b', 'b'));
  assert.ok(m('x+', 'x+'));
  assert.ok(m('^[a-c]*$', 'abcab'));
  assert.ok(m('*a', '*a'));
  assert.ok(m('\\<foo\\>', 'a foo b'));
  assert.ok(!m('\\<foo\\>', 'afoob'));
});

test('chmod: octal and symbolic modes', () => {
  assert.equal(applyMode('755', 0o644, false), 0o755);
  assert.equal(applyMode('u+x', 0o644, false), 0o744);
  assert.equal(applyMode('go-r', 0o644, false), 0o600);
  assert.equal(applyMode('a=r', 0o777, false), 0o444);
  assert.equal(applyMode('+x', 0o644, false), 0o755);
  assert.equal(applyMode('u=rwx,g=rx,o=', 0o000, false), 0o750);
  assert.equal(applyMode('a+X', 0o644, true), 0o755);
  assert.equal(applyMode('a+X', 0o644, false), 0o644);
  assert.equal(applyMode('q+x', 0o644, false), null);
});

test('printf conversions', async () => {
  const { formatPrintf } = await import('./printf.js');
  const p = (f: string, ...a: string[]): string => formatPrintf(f, a).text;
  assert.equal(p('%s-%s\\n', 'a', 'b'), 'a-b\n');
  assert.equal(p('%s\\n', 'a', 'b', 'c'), 'a\nb\nc\n');
  assert.equal(p('[%5s][%-5s][%.2s]', 'ab', 'cd', 'xyz'), '[   ab][cd   ][xy]');
  assert.equal(p('%d %i %05d %+d %x %X %o %#x', '42', '-7', '42', '3', '255', '255', '8', '255'), '42 -7 00042 +3 ff FF 10 0xff');
  assert.equal(p('%.2f %e %g %g', '3.14159', '1234.5', '0.0001', '100000'), '3.14 1.234500e+03 0.0001 100000');
  assert.equal(p('%c%c %% %b', 'hello', 'w', 'a\\tb'), 'hw % a\tb');
  assert.equal(p('%d', "'A"), '65');
  assert.equal(p('%s|%d|\\n'), '|0|\n');
  assert.equal(p('\\101\\x42\\n'), 'AB\n');
  assert.equal(formatPrintf('%d', ['x1']).badNumber, 'x1');
});

test('test expressions (no files involved)', async () => {
  const { evaluateTest } = await import('./test-expr.js');
  assert.equal(evaluateTest([]), false);
  assert.equal(evaluateTest(['']), false);
  assert.equal(evaluateTest(['x']), true);
  assert.equal(evaluateTest(['-z', '']), true);
  assert.equal(evaluateTest(['-n', '']), false);
  assert.equal(evaluateTest(['a', '=', 'a']), true);
  assert.equal(evaluateTest(['a', '!=', 'a']), false);
  assert.equal(evaluateTest(['3', '-lt', '10']), true);
  assert.equal(evaluateTest(['!', '3', '-ge', '10']), true);
  assert.equal(evaluateTest(['a', '=', 'b', '-o', '1', '-eq', '1']), true);
  assert.equal(evaluateTest(['(', 'a', '=', 'b', ')', '-a', 'x']), false);
  assert.equal(evaluateTest(['-n']), true);
  assert.throws(() => evaluateTest(['a', '-lt', '1']), UsageError);
});

test('sha256 and md5 match the host digests', async () => {
  const { createHash } = await import('node:crypto');
  const { sha256, md5 } = await import('./digest.js');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
    assert.equal(sha256(data), createHash('sha256').update(data).digest('hex'));
    assert.equal(md5(data), createHash('md5').update(data).digest('hex'));
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineDiscipline } from '../../src/services/console/line-discipline.js';
import { TERM_MODE, TERM_MODE_COOKED } from '../../src/abi/syscalls.js';

function make(canonical: boolean): { ld: LineDiscipline; echoed: () => string; interrupts: () => number; suspends: () => number } {
  let echo = '';
  let ints = 0, stops = 0;
  const ld = new LineDiscipline(canonical, new Uint8Array(4096), {
    echo: (b) => { echo += Buffer.from(b).toString('latin1'); }, interrupt: () => { ints++; }, suspend: () => { stops++; },
  });
  return { ld, echoed: () => echo, interrupts: () => ints, suspends: () => stops };
}

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('latin1'));

test('canonical mode delivers whole lines, with echo and backspace', () => {
  const { ld, echoed } = make(true);
  ld.feed(bytes('helo\x7flo'));
  assert.equal(ld.take(100), undefined, 'nothing until Enter');
  ld.feed(bytes('\r'));
  assert.equal(text(ld.take(100)), 'hello\n');
  assert.equal(echoed(), 'helo\b \blo\n');
});

test('^C interrupts and drops the line; ^D on an empty line is end of input', () => {
  const { ld, interrupts } = make(true);
  ld.feed(bytes('abc\x03'));
  assert.equal(interrupts(), 1);
  assert.equal(ld.take(100), undefined);
  ld.feed(bytes('\x04'));
  assert.equal(text(ld.take(100)), '', 'an empty read: end of file');
  ld.feed(bytes('x\x04'));
  assert.equal(text(ld.take(100)), 'x', '^D mid-line delivers the line without a newline');
});

test('^U kills the line, ^W the last word, up/down walk the history', () => {
  const { ld } = make(true);
  ld.feed(bytes('garbage\x15first\r'));
  assert.equal(text(ld.take(100)), 'first\n');
  ld.feed(bytes('one two\x17three\r'));
  assert.equal(text(ld.take(100)), 'one three\n');
  ld.feed(bytes('\x1b[A\x1b[A\r'));
  assert.equal(text(ld.take(100)), 'first\n', 'two steps back in history');
});

test('a read smaller than the line gets the rest next time', () => {
  const { ld } = make(true);
  ld.feed(bytes('abcdef\r'));
  assert.equal(text(ld.take(4)), 'abcd');
  assert.equal(text(ld.take(4)), 'ef\n');
});

test('raw mode passes bytes through and ends at close', () => {
  const { ld, echoed } = make(false);
  ld.feed(bytes('a\x03b'));
  assert.equal(text(ld.take(10)), 'a\x03b');
  assert.equal(echoed(), '', 'no echo on a pipe');
  assert.equal(ld.take(10), undefined);
  ld.close();
  assert.equal(text(ld.take(10)), '');
});

test('a terminal without ICANON returns each key at once, echoing only with ECHO', () => {
  const { ld, echoed } = make(true);
  ld.setMode(TERM_MODE.ISIG);
  ld.feed(bytes('a'));
  assert.equal(text(ld.take(10)), 'a', 'one byte is enough (VMIN 1)');
  ld.feed(bytes('\x1b[D\x7f\x04'));
  assert.equal(text(ld.take(10)), '\x1b[D\x7f\x04', 'arrows, backspace and ^D are data');
  assert.equal(echoed(), '', 'no echo without ECHO');
  ld.setMode(TERM_MODE.ECHO);
  ld.feed(bytes('xy'));
  assert.equal(echoed(), 'xy');
  assert.equal(ld.getMode(), TERM_MODE.ECHO);
});

test('ISIG in raw mode: ^C interrupts and ^Z suspends; without ISIG they are bytes', () => {
  const { ld, interrupts, suspends } = make(true);
  ld.setMode(TERM_MODE.ISIG);
  ld.feed(bytes('q\x03w\x1a'));
  assert.equal(interrupts(), 1);
  assert.equal(suspends(), 1);
  assert.equal(text(ld.take(10)), 'q');
  assert.equal(text(ld.take(10)), 'w');
  ld.setMode(0);
  ld.feed(bytes('\x03\x1a'));
  assert.equal(text(ld.take(10)), '\x03\x1a');
  assert.equal(interrupts(), 1);
  assert.equal(suspends(), 1);
});

test('typed-ahead input follows a mode change both ways', () => {
  const { ld, interrupts } = make(true);
  ld.feed(bytes('par'));
  ld.setMode(TERM_MODE.ISIG);
  assert.equal(text(ld.take(10)), 'par', 'a partial line becomes raw bytes');
  ld.setMode(0);
  ld.feed(bytes('ls\r\x03'));
  ld.setMode(TERM_MODE_COOKED);
  assert.equal(text(ld.take(10)), 'ls\n', 'unread raw bytes are edited as typed');
  assert.equal(interrupts(), 1, 'a ^C nobody read interrupts once signals are on again');
});

test('a pipe ignores the modes', () => {
  const { ld, interrupts } = make(false);
  ld.setMode(TERM_MODE_COOKED);
  ld.feed(bytes('a\x03\r'));
  assert.equal(text(ld.take(10)), 'a\x03\r');
  assert.equal(interrupts(), 0);
});

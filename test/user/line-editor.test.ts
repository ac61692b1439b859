import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineEditor, KeyDecoder, type Key, type EditResult, type Completion } from '../../src/user/sh/line-editor.js';
import { complete, type CompletionSources, type DirEntryInfo } from '../../src/user/sh/completion.js';

/** One terminal row: enough of a VT100 to show what the editor drew (\r, \n, ESC[K, ESC[nD, ESC[H ESC[2J). */
class Row {
  lines: string[] = [''];
  col = 0;
  apply(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\r') { this.col = 0; continue; }
      if (c === '\n') { this.lines.push(''); this.col = 0; continue; }
      if (c === '\x1b') {
        const m = /^\x1b\[(\d*)([A-Za-z])/.exec(s.slice(i))!;
        i += m[0].length - 1;
        if (m[2] === 'K') this.lines[this.lines.length - 1] = this.current.slice(0, this.col);
        else if (m[2] === 'D') this.col -= Number(m[1] || '1');
        else if (m[2] === 'J') { this.lines = ['']; this.col = 0; }
        continue;
      }
      const line = this.current.padEnd(this.col);
      this.lines[this.lines.length - 1] = line.slice(0, this.col) + c + line.slice(this.col + 1);
      this.col++;
    }
  }
  get current(): string { return this.lines[this.lines.length - 1]!; }
}

function keys(s: string): Key[] { return new KeyDecoder().feed(Buffer.from(s)); }

function session(typed: string, o: { history?: string[]; columns?: number; complete?: (line: string) => Completion } = {}): { result: EditResult; screen: Row; editor: LineEditor } {
  const editor = new LineEditor({
    prompt: '$ ', columns: o.columns ?? 80, history: o.history ?? [],
    complete: o.complete ?? (() => ({ start: 0, candidates: [] })),
  });
  const screen = new Row();
  screen.apply(editor.start());
  let result: EditResult = { kind: 'more' };
  for (const k of keys(typed)) {
    const r = editor.key(k);
    screen.apply(r.output);
    result = r.result;
    if (result.kind !== 'more') break;
  }
  return { result, screen, editor };
}

test('keys: escape sequences, also split across reads, and control keys', () => {
  const d = new KeyDecoder();
  assert.deepEqual(d.feed(Buffer.from('a\x1b[')), [{ char: 'a' }]);
  assert.deepEqual(d.feed(Buffer.from('D\x1b[3~\x1bOH\x1b[1~\x01\r\x7f\t')), [
    { name: 'left' }, { name: 'delete' }, { name: 'home' }, { name: 'home' }, { name: 'ctrl-a' }, { name: 'enter' }, { name: 'backspace' }, { name: 'tab' },
  ]);
  const utf8 = Buffer.from('é');
  assert.deepEqual([...d.feed(utf8.subarray(0, 1)), ...d.feed(utf8.subarray(1))], [{ char: 'é' }]);
});

test('moving and inserting in the middle: the screen shows the line and the cursor where it is', () => {
  const { result, screen } = session('echo wrld\x1b[D\x1b[D\x1b[Do\x01X\x05Y\r');
  assert.deepEqual(result, { kind: 'line', line: 'Xecho worldY' });
  assert.equal(screen.lines[0], '$ Xecho worldY');
  const mid = session('abcd\x1b[D\x1b[D');
  assert.equal(mid.screen.current, '$ abcd');
  assert.equal(mid.screen.col, 4, 'cursor between b and c');
});

test('deleting: backspace, Delete, ^D inside a line, ^K ^U ^W and ^Y', () => {
  assert.deepEqual(session('abc\x7f\x7fx\r').result, { kind: 'line', line: 'ax' });
  assert.deepEqual(session('abc\x01\x1b[3~\x04\r').result, { kind: 'line', line: 'c' });
  assert.deepEqual(session('one two three\x1b[D\x1b[D\x0b\r').result, { kind: 'line', line: 'one two thr' });
  assert.deepEqual(session('one two\x1b[D\x15\r').result, { kind: 'line', line: 'o' });
  assert.deepEqual(session('one two  \x17X\r').result, { kind: 'line', line: 'one X' });
  assert.deepEqual(session('one two\x17\x01\x19 \r').result, { kind: 'line', line: 'two one ' });
  const shown = session('one two\x17');
  assert.equal(shown.screen.current, '$ one ', 'the killed word is gone from the screen');
});

test('^C abandons the line, ^D on an empty line is the end', () => {
  const c = session('half typed\x03');
  assert.deepEqual(c.result, { kind: 'interrupt' });
  assert.deepEqual(c.screen.lines, ['$ half typed^C', '']);
  assert.deepEqual(session('\x04').result, { kind: 'eof' });
});

test('history: Up/Down walk it and come back to the line being typed', () => {
  const history = ['ls', 'cat f'];
  assert.deepEqual(session('\x1b[A\r', { history }).result, { kind: 'line', line: 'cat f' });
  assert.deepEqual(session('\x1b[A\x1b[A\x1b[A\r', { history }).result, { kind: 'line', line: 'ls' });
  assert.deepEqual(session('new\x1b[A\x1b[B\r', { history }).result, { kind: 'line', line: 'new' });
  const s = session('\x1b[A\x1b[A', { history });
  assert.equal(s.screen.current, '$ ls', 'the longer line drawn before is cleared');
});

test('^R finds the newest matching line, ^R again an older one; Enter runs it, ^G gives up', () => {
  const history = ['echo one', 'ls /bin', 'echo two'];
  const first = session('\x12ech', { history });
  assert.equal(first.screen.current, "(reverse-i-search)'ech': echo two");
  assert.deepEqual(session('\x12ech\x12\r', { history }).result, { kind: 'line', line: 'echo one' });
  assert.deepEqual(session('\x12bin\x1b[Cx\r', { history }).result, { kind: 'line', line: 'ls /bxin' }, 'an arrow leaves the search to edit the match');
  assert.deepEqual(session('keep\x12zzz\x07\r', { history }).result, { kind: 'line', line: 'keep' });
  assert.match(session('\x12zzz', { history }).screen.current, /failed reverse-i-search/);
});

test('Tab: one candidate completes, several complete their common part or are listed', () => {
  const words = ['cat', 'cd', 'chmod', 'chown'];
  const cmd = (line: string): Completion => ({ start: line.lastIndexOf(' ') + 1, candidates: words.filter((w) => w.startsWith(line.slice(line.lastIndexOf(' ') + 1))) });
  assert.deepEqual(session('ca\t\r', { complete: cmd }).result, { kind: 'line', line: 'cat ' });
  assert.deepEqual(session('chm\t\r', { complete: cmd }).result, { kind: 'line', line: 'chmod ' });
  assert.deepEqual(session('ch\t\r', { complete: cmd }).result, { kind: 'line', line: 'ch' });
  const listed = session('c\t', { complete: cmd });
  assert.match(listed.screen.lines.join('\n'), /cat +cd +chmod +chown/);
  assert.equal(listed.screen.current, '$ c', 'the line comes back under the list');
  assert.deepEqual(session('zz\t\r', { complete: cmd }).result, { kind: 'line', line: 'zz' });
});

test('a line wider than the terminal scrolls sideways and keeps the cursor on the row', () => {
  const long = 'x'.repeat(50) + 'END';
  const s = session(long, { columns: 20 });
  assert.ok(s.screen.current.length <= 20, `fits: ${JSON.stringify(s.screen.current)}`);
  assert.ok(s.screen.current.endsWith('END'));
  assert.deepEqual(session(long + '\r', { columns: 20 }).result, { kind: 'line', line: long });
});

const tree: Record<string, DirEntryInfo[]> = {
  '/bin': [{ name: 'cat', dir: false, executable: true }, { name: 'cut', dir: false, executable: true }, { name: 'conf', dir: false, executable: false }],
  '.': [{ name: 'docs', dir: true, executable: true }, { name: 'data.txt', dir: false, executable: false }, { name: '.hidden', dir: false, executable: false }],
  'docs/': [{ name: 'intro.md', dir: false, executable: false }],
};
const sources: CompletionSources = {
  list: (path, prefix) => tree[path]?.filter((e) => e.name.startsWith(prefix)),
  commandNames: () => ['cd', 'echo'],
  path: () => '/bin',
};

test('completion: commands in the command place, paths elsewhere', () => {
  assert.deepEqual(complete('c', sources), { start: 0, candidates: ['cat', 'cd', 'cut'] }, 'builtins and executables in $PATH, not a plain file');
  assert.deepEqual(complete('ls | c', sources).candidates, ['cat', 'cd', 'cut']);
  assert.deepEqual(complete('cat d', sources), { start: 4, candidates: ['data.txt', 'docs/'] });
  assert.deepEqual(complete('cat docs/i', sources), { start: 4, candidates: ['docs/intro.md'] });
  assert.deepEqual(complete('cat ', sources).candidates, ['data.txt', 'docs/'], 'dot files only when asked for');
  assert.deepEqual(complete('cat .h', sources).candidates, ['.hidden']);
  assert.deepEqual(complete('cat nowhere/x', sources).candidates, []);
});

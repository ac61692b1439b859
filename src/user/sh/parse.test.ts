// Unit tests for the shell's pure parts: lexer, parser, printer, expansion, globbing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse, isComplete, normalizeWord, IncompleteInput, ShellSyntaxError } from './parse.js';
import { printProgram, quote } from './print.js';
import { expandWord, expandToString, type ExpandContext } from './expand.js';
import { segmentRegExp, expandGlob, type GlobChar } from './glob.js';
import type { Program, Word, WordPart, SimpleCommand, Command, Pipeline, Redirect } from './ast.js';

const lit = (text: string, quoted = false): WordPart => ({ type: 'lit', text, quoted });
const word = (...parts: WordPart[]): Word => ({ parts });
const w = (text: string): Word => word(lit(text));

function onlyCommand(src: string): SimpleCommand {
  const program = parse(src);
  assert.equal(program.length, 1);
  const item = program[0]!;
  assert.equal(item.andOr.rest.length, 0);
  assert.equal(item.andOr.first.commands.length, 1);
  const c = item.andOr.first.commands[0]!;
  assert.equal(c.kind, 'simple');
  return c as SimpleCommand;
}

function context(vars: Record<string, string> = {}, positional: string[] = [], files: Record<string, string[]> = {}): ExpandContext {
  const store = new Map(Object.entries(vars));
  return {
    getVar: (n) => store.get(n),
    setVar: (n, v) => { store.set(n, v); },
    positional: () => positional,
    commandSubstitution: (src) => `<${src}>`,
    listDir: (dir) => files[dir] ?? null,
  };
}

const fields = (src: string, ctx: ExpandContext): string[] => onlyCommand(src).words.flatMap((x) => expandWord(x, ctx));

test('simple words split on blanks', () => {
  assert.deepEqual(onlyCommand('echo  hello\tworld').words, [w('echo'), w('hello'), w('world')]);
});

test('quotes keep spaces and mark parts quoted', () => {
  const c = onlyCommand(`echo 'a  b' "c $x d" e\\ f`);
  assert.deepEqual(c.words[1], word(lit('a  b', true)));
  assert.deepEqual(c.words[2], word(lit('c ', true), { type: 'param', name: 'x', quoted: true }, lit(' d', true)));
  assert.deepEqual(c.words[3], word(lit('e'), lit(' ', true), lit('f')));
});

test('empty quotes make an empty argument', () => {
  assert.deepEqual(fields(`printf '' ""`, context()), ['printf', '', '']);
});

test('pipelines, and-or lists and background jobs', () => {
  const p = parse('a | b | c && d || e; f & g');
  assert.equal(p.length, 3);
  assert.equal(p[0]!.andOr.first.commands.length, 3);
  assert.deepEqual(p[0]!.andOr.rest.map((r) => r.op), ['&&', '||']);
  assert.equal(p[0]!.background, false);
  assert.equal(p[1]!.background, true);
  assert.deepEqual((p[2]!.andOr.first.commands[0] as SimpleCommand).words, [w('g')]);
});

test('redirections with default and explicit descriptors', () => {
  const c = onlyCommand('cmd <in >out 2>err >>app 2>&1 3<>rw');
  const r: Redirect[] = [
    { fd: 0, op: '<', target: w('in') },
    { fd: 1, op: '>', target: w('out') },
    { fd: 2, op: '>', target: w('err') },
    { fd: 1, op: '>>', target: w('app') },
    { fd: 2, op: '>&', target: w('1') },
    { fd: 3, op: '<>', target: w('rw') },
  ];
  assert.deepEqual(c.redirs, r);
  assert.deepEqual(c.words, [w('cmd')]);
});

test('a digit not touching > is an ordinary word', () => {
  const c = onlyCommand('echo 2 > f');
  assert.deepEqual(c.words, [w('echo'), w('2')]);
  assert.deepEqual(c.redirs, [{ fd: 1, op: '>', target: w('f') }]);
});

test('assignments only before the command name', () => {
  const c = onlyCommand('A=1 B="x y" cmd C=3');
  assert.deepEqual(c.assigns, [{ name: 'A', value: w('1') }, { name: 'B', value: word(lit('x y', true)) }]);
  assert.deepEqual(c.words, [w('cmd'), w('C=3')]);
});

test('comments run to the end of the line, but # inside a word does not start one', () => {
  assert.deepEqual(onlyCommand('echo a#b # comment').words, [w('echo'), w('a#b')]);
});

test('newlines separate commands and may follow | && ||', () => {
  const p = parse('a |\n b &&\n\n c\nd\n');
  assert.equal(p.length, 2);
  assert.equal(p[0]!.andOr.first.commands.length, 2);
  assert.equal(p[0]!.andOr.rest.length, 1);
});

test('negated pipelines', () => {
  assert.equal(parse('! false')[0]!.andOr.first.negate, true);
  assert.equal(parse("'!' x")[0]!.andOr.first.negate, false);
});

test('unfinished input is incomplete, not an error', () => {
  for (const src of [`echo 'abc`, 'echo "abc', 'a |', 'a &&', 'a ||', 'echo $(ls', 'echo ${x', 'echo `ls']) {
    assert.throws(() => parse(src), IncompleteInput, src);
    assert.equal(isComplete(src), false, src);
  }
  assert.equal(isComplete(`echo 'abc\ndef'`), true);
});

test('syntax errors name the unexpected token', () => {
  assert.throws(() => parse('| a'), (e: unknown) => e instanceof ShellSyntaxError && /'\|'/.test(e.message));
  assert.throws(() => parse('a ;; b'), ShellSyntaxError);
  assert.throws(() => parse('a > | b'), ShellSyntaxError);
  assert.throws(() => parse('echo ${x?}'), ShellSyntaxError);
});

test('backslash-newline joins lines', () => {
  assert.deepEqual(onlyCommand('echo a\\\nb').words, [w('echo'), w('ab')]);
});

test('parameters: $?, $!, ${NAME}, positional and specials', () => {
  const ctx = context({ '?': '3', '!': '42', HOME: '/home/me', x: 'X' }, ['one', 'two words']);
  assert.deepEqual(fields('echo $? $! ${x}y $xy $1 "$2" $#', { ...ctx, getVar: (n) => (n === '#' ? '2' : n === '1' ? 'one' : n === '2' ? 'two words' : ctx.getVar(n)) }), ['echo', '3', '42', 'Xy', 'one', 'two words', '2']);
});

test('unquoted expansions split into fields, quoted ones do not', () => {
  const ctx = context({ v: '  a  b  ', e: '' });
  assert.deepEqual(fields('x $v "$v" $e "$e" pre$v', ctx), ['x', 'a', 'b', '  a  b  ', '', 'pre', 'a', 'b']);
});

test('"$@" keeps each positional parameter a field', () => {
  const ctx = context({}, ['a b', 'c']);
  assert.deepEqual(fields('x "$@" "<$@>"', ctx), ['x', 'a b', 'c', '<a b', 'c>']);
  assert.deepEqual(fields('x "$@"', context({}, [])), ['x']);
});

test('${x:-default} and friends', () => {
  const ctx = context({ set: 'v', empty: '' });
  assert.deepEqual(fields('e ${set:-d} ${empty:-d} ${empty-d} ${unset-d} ${set:+alt} ${unset:+alt} ${#set}', ctx), ['e', 'v', 'd', 'd', 'alt', '1']);
  assert.deepEqual(fields('e ${new:=made} $new', ctx), ['e', 'made', 'made']);
  assert.deepEqual(fields('e "${unset:-a b}"', ctx), ['e', 'a b']);
});

test('tilde expands to $HOME at the start of a word only', () => {
  const ctx = context({ HOME: '/home/me' });
  assert.deepEqual(fields(`cd ~ ~/x a~ '~'`, ctx), ['cd', '/home/me', '/home/me/x', 'a~', '~']);
});

test('command substitution goes through the context', () => {
  assert.deepEqual(fields('echo $(ls -l) "$(date)" `pwd`', context()), ['echo', '<ls', '-l>', '<date>', '<pwd>']);
});

test('nested parentheses and quotes inside $( )', () => {
  const c = onlyCommand(`echo $(echo ")" '(' $(inner))`);
  assert.deepEqual(c.words[1], word({ type: 'cmdsub', source: `echo ")" '(' $(inner)`, quoted: false }));
});

test('assignment values expand without splitting', () => {
  const c = onlyCommand('A=$v');
  assert.equal(expandToString(c.assigns[0]!.value, context({ v: 'a  b' })), 'a  b');
});

test('globbing matches unquoted patterns and keeps non-matching ones', () => {
  const files = { '.': ['a.txt', 'b.txt', 'c.md', '.hidden.txt'], '/tmp': ['x1', 'x2', 'y'] };
  const ctx = context({}, [], files);
  assert.deepEqual(fields('ls *.txt "*.txt" /tmp/x? *.none [ab].txt', ctx), ['ls', 'a.txt', 'b.txt', '*.txt', '/tmp/x1', '/tmp/x2', '*.none', 'a.txt', 'b.txt']);
  assert.deepEqual(fields('ls .*', ctx), ['ls', '.hidden.txt']);
});

test('glob segments: classes, negation, literal specials', () => {
  const g = (s: string): GlobChar[] => [...s].map((ch) => ({ ch, active: true }));
  assert.ok(segmentRegExp(g('[!a]*')).test('bcd'));
  assert.ok(!segmentRegExp(g('[!a]*')).test('abc'));
  assert.ok(segmentRegExp(g('a.c')).test('a.c'));
  assert.ok(!segmentRegExp(g('a.c')).test('abc'));
  assert.ok(segmentRegExp(g('[a-c]')).test('b'));
  assert.deepEqual(expandGlob(g('*/f'), (d) => ({ '.': ['d1', 'd2', 'file'], d1: ['f'], d2: ['g'] } as Record<string, string[]>)[d] ?? null), ['d1/f']);
});

test('quote() makes one word that expands to the string itself', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
    const src = `cmd ${quote(s)}`;
    const c = onlyCommand(src);
    assert.deepEqual(c.words.flatMap((x) => expandWord(x, context({ HOME: '/h' }, [], { '.': ['aa', 'bb'] }))), ['cmd', s]);
  }), { numRuns: 500 });
});

// Random syntax trees in the form the parser produces; printing and parsing again
// must give the same tree.
// Unquoted literals the lexer could have made; reserved words are left out, since in
// command position they would start a compound command.
const plainText = fc.stringMatching(/^[a-z0-9._/*?-]{1,6}$/).filter((t) => !['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'do', 'done', 'for', 'in'].includes(t));
const anyText = fc.string({ maxLength: 8 });
const name = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,4}$/), fc.constantFrom('?', '!', '#', '1'));

const part = (quotedOnly: boolean, depth: number): fc.Arbitrary<WordPart> => {
  const quoted = quotedOnly ? fc.constant(true) : fc.boolean();
  const options: fc.Arbitrary<WordPart>[] = [
    fc.record({ type: fc.constant('lit' as const), text: anyText, quoted: fc.constant(true) }),
    fc.record({ type: fc.constant('param' as const), name, quoted }),
    fc.record({ type: fc.constant('cmdsub' as const), source: fc.constantFrom('ls', 'echo hi', 'cat f | wc -l'), quoted }),
  ];
  if (!quotedOnly) options.push(fc.record({ type: fc.constant('lit' as const), text: plainText, quoted: fc.constant(false) }));
  if (depth > 0) {
    options.push(quoted.chain((q) => fc.record({
      type: fc.constant('param' as const),
      name: fc.stringMatching(/^[a-z_]{1,4}$/),
      quoted: fc.constant(q),
      op: fc.record({ op: fc.constantFrom(':-', '-', ':+', '+', ':=', '=') as fc.Arbitrary<':-'>, word: wordArb(q, depth - 1, true) }),
    })));
  }
  return fc.oneof(...options);
};

function wordArb(quotedOnly: boolean, depth: number, allowEmpty = false): fc.Arbitrary<Word> {
  return fc.array(part(quotedOnly, depth), { minLength: allowEmpty ? 0 : 1, maxLength: 4 }).map((parts) => normalizeWord({ parts }));
}

const commandArb: fc.Arbitrary<SimpleCommand> = fc.record({
  kind: fc.constant('simple' as const),
  assigns: fc.array(fc.record({ name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,3}$/), value: wordArb(false, 1, true) }), { maxLength: 2 }),
  words: fc.array(wordArb(false, 1), { minLength: 1, maxLength: 3 }),
  redirs: fc.array(fc.oneof(
    fc.record({ fd: fc.constantFrom(0, 3), op: fc.constant('<' as const), target: wordArb(false, 0) }),
    fc.record({ fd: fc.constantFrom(1, 2), op: fc.constantFrom('>' as const, '>>' as const), target: wordArb(false, 0) }),
    fc.record({ fd: fc.constant(2), op: fc.constant('>&' as const), target: fc.constant(w('1')) }),
  ), { maxLength: 2 }),
}).filter((c) => {
  // A command whose first word is '!' or looks like NAME=... would parse differently.
  const first = c.words[0]?.parts[0];
  return !(first?.type === 'lit' && !first.quoted && (/^!$/.test(first.text)));
});

const redirArb = fc.array(fc.record({ fd: fc.constantFrom(1, 2), op: fc.constant('>' as const), target: wordArb(false, 0) }), { maxLength: 1 });

const pipelineOf = (command: fc.Arbitrary<Command>, maxCommands: number): fc.Arbitrary<Pipeline> =>
  fc.record({ negate: fc.boolean(), commands: fc.array(command, { minLength: 1, maxLength: maxCommands }) });
const programOf = (pipeline: fc.Arbitrary<Pipeline>, maxItems: number): fc.Arbitrary<Program> => fc.array(fc.record({
  andOr: fc.record({ first: pipeline, rest: fc.array(fc.record({ op: fc.constantFrom('&&' as const, '||' as const), pipeline }), { maxLength: 2 }) }),
  background: fc.boolean(),
}), { minLength: 1, maxLength: maxItems });

const programArb = programOf(pipelineOf(commandArb, 3), 3);

// Compound commands around small bodies (kept small: generating and comparing deep
// trees is slow, and one level of nesting exercises every rule of the grammar).
const smallBody = programOf(pipelineOf(commandArb, 1), 2);
const compoundArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constantFrom('group' as const, 'subshell' as const), body: smallBody, redirs: redirArb }),
  fc.record({ kind: fc.constantFrom('while' as const, 'until' as const), cond: smallBody, body: smallBody, redirs: redirArb }),
  fc.record({
    kind: fc.constant('for' as const), name: fc.stringMatching(/^[a-z_]{1,3}$/),
    words: fc.option(fc.array(wordArb(false, 0), { maxLength: 3 }), { nil: null }), body: smallBody, redirs: redirArb,
  }),
  fc.record({
    kind: fc.constant('if' as const),
    clauses: fc.array(fc.record({ cond: smallBody, body: smallBody }), { minLength: 1, maxLength: 2 }),
    elseBody: fc.option(smallBody, { nil: null }), redirs: redirArb,
  }),
);
const compoundProgramArb = programOf(pipelineOf(fc.oneof(commandArb, compoundArb), 2), 2);

test('printing compound commands and parsing them again gives the same tree', () => {
  fc.assert(fc.property(compoundProgramArb, (program) => {
    const text = printProgram(program);
    assert.deepEqual(parse(text), JSON.parse(JSON.stringify(program)), text);
  }), { numRuns: 60 });
});

test('printing a syntax tree and parsing it again gives the same tree', () => {
  fc.assert(fc.property(programArb, (program) => {
    const text = printProgram(program);
    // fast-check builds records without a prototype; compare plain copies.
    assert.deepEqual(parse(text), JSON.parse(JSON.stringify(program)), text);
  }), { numRuns: 200 });
});

test('if, elif, else', () => {
  const p = parse('if a; then b; elif c\nthen d; else e; fi > out');
  const c = p[0]!.andOr.first.commands[0]!;
  assert.equal(c.kind, 'if');
  if (c.kind !== 'if') return;
  assert.equal(c.clauses.length, 2);
  assert.notEqual(c.elseBody, null);
  assert.deepEqual(c.redirs, [{ fd: 1, op: '>', target: w('out') }]);
});

test('loops and groups', () => {
  const kinds = (src: string): string[] => parse(src).map((i) => i.andOr.first.commands[0]!.kind);
  assert.deepEqual(kinds('while true; do x; done; until false; do y; done'), ['while', 'until']);
  assert.deepEqual(kinds('for i in 1 2 3; do echo $i; done; for j do :; done'), ['for', 'for']);
  assert.deepEqual(kinds('{ a; b; }; ( c; d )'), ['group', 'subshell']);
  const f = parse('for i in a "b c"; do echo $i; done')[0]!.andOr.first.commands[0]!;
  assert.ok(f.kind === 'for' && f.words?.length === 2 && f.name === 'i');
});

test('reserved words are plain words outside command position', () => {
  const c = onlyCommand('echo if then done }');
  assert.deepEqual(c.words.map((x) => (x.parts[0] as { text: string }).text), ['echo', 'if', 'then', 'done', '}']);
});

test('unfinished compound commands are incomplete; misplaced reserved words are errors', () => {
  for (const src of ['if true; then', 'if true; then echo', 'while true; do echo x', 'for i in a b', '{ echo a', '( echo a']) {
    assert.throws(() => parse(src), IncompleteInput, src);
  }
  for (const src of ['fi', 'done', 'if then fi', 'while; do x; done', 'for 1 in a; do x; done', '{ }']) {
    assert.throws(() => parse(src), ShellSyntaxError, src);
  }
});

test('arithmetic expansion', () => {
  const ctx = context({ i: '4', s: ' 7 ', e: '' });
  assert.deepEqual(fields('echo $((1 + 2 * 3)) $(( (1+2)*3 )) $((i+1)) $(($i*2)) "$((10 / 3 % 2))" $((e+s)) $((1<2 && 3>4)) $((-i)) $((0x10)) $((010))', ctx),
    ['echo', '7', '9', '5', '8', '1', '7', '0', '-4', '16', '8']);
  assert.deepEqual(fields('echo $((2**3**2)) $((-2*3**2))', ctx), ['echo', '512', '-18']);
  assert.throws(() => fields('echo $((1/0))', ctx), /division by 0/);
  assert.throws(() => fields('echo $((1 +))', ctx), /operand expected/);
  assert.throws(() => parse('echo $((1+2)'), IncompleteInput);
});

test('case and function definitions', () => {
  const c = parse('case $x in (a|b) echo ab;; c*) echo c\n;; *) ;; esac')[0]!.andOr.first.commands[0]!;
  assert.ok(c.kind === 'case' && c.items.length === 3);
  if (c.kind !== 'case') return;
  assert.deepEqual(c.items[0]!.patterns, [w('a'), w('b')]);
  assert.equal(c.items[2]!.body.length, 0);
  const f = parse('greet() { echo hi $1; }')[0]!.andOr.first.commands[0]!;
  assert.ok(f.kind === 'function' && f.name === 'greet' && f.body.kind === 'group');
  for (const src of ['case x in a) echo', 'case x in', 'f()']) assert.throws(() => parse(src), IncompleteInput, src);
  for (const src of ['case x a) b;; esac', 'f() echo x', 'if() { :; }']) assert.throws(() => parse(src), ShellSyntaxError, src);
  // Printing keeps the meaning.
  for (const src of ['case $x in (a|b) echo ab;; c*) echo c;; esac', 'f() { echo $1; } > out']) {
    assert.deepEqual(parse(printProgram(parse(src))), parse(src));
  }
});

test('here-documents and here-strings', () => {
  const target = (src: string): Redirect => onlyCommand(src).redirs[0]!;
  const ctx = context({ x: 'X' });
  assert.equal(expandToString(target('cat <<EOF\nhello $x\n  two\nEOF\n').target, ctx), 'hello X\n  two\n');
  assert.equal(expandToString(target("cat <<'EOF'\nhello $x\nEOF").target, ctx), 'hello $x\n');
  assert.equal(expandToString(target('cat <<-EOF\n\t\tindented\n\tEOF\n').target, ctx), 'indented\n');
  assert.equal(target('cat <<<word').op, '<<<');
  const p = parse('cat <<A; echo mid; cat <<B\na\nA\nb\nB\necho after');
  assert.equal(p.length, 4);
  assert.throws(() => parse('cat <<EOF\nno end'), IncompleteInput);
  assert.throws(() => parse('cat <<EOF'), IncompleteInput);
  // Printed as a here-string, the command means the same.
  const again = onlyCommand(printProgram(parse('cat <<EOF\nv=$x\nEOF\n')));
  assert.equal(expandToString(again.redirs[0]!.target, ctx) + '\n', 'v=X\n');
});

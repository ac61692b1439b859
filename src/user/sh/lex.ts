// The shell's lexer: turns a command line into words (with their quoting kept as
// WordPart pieces), operators and redirection operators. Pure: no syscalls.
// Unfinished input (an open quote, a trailing backslash, an open $( or ${) throws
// IncompleteInput so an interactive shell can ask for another line.

import type { Word, WordPart, RedirOp, ParamOp } from './ast.js';

export type ControlOp = '|' | '||' | '&&' | ';' | '&' | '\n' | '(' | ')' | ';;';

export type Token =
  | { kind: 'word'; word: Word }
  | { kind: 'op'; op: ControlOp }
  | { kind: 'redir'; op: RedirOp; fd: number | null };

/** The input ended in the middle of a construct; more lines may complete it. */
export class IncompleteInput extends Error {
  constructor(what: string) { super(`unexpected end of input (${what})`); this.name = 'IncompleteInput'; }
}

/** A line that can never be valid, whatever follows it. */
export class ShellSyntaxError extends Error {
  constructor(message: string) { super(`syntax error: ${message}`); this.name = 'ShellSyntaxError'; }
}

type Mode = 'normal' | 'dquote' | 'brace' | 'brace-dq' | 'arith' | 'heredoc';

const OPERATOR_START = new Set([' ', '\t', '\n', '|', '&', ';', '<', '>', '(', ')']);
const SPECIAL_PARAMS = new Set(['?', '!', '$', '#', '@', '*', '-', '0']);
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Appends a literal piece, merging it with the previous one when quoting matches. */
export function pushLiteral(parts: WordPart[], text: string, quoted: boolean): void {
  const last = parts[parts.length - 1];
  if (last !== undefined && last.type === 'lit' && last.quoted === quoted) {
    last.text += text;
    return;
  }
  if (text === '' && !quoted) return;
  parts.push({ type: 'lit', text, quoted });
}

/** Appends pieces one by one so adjacent literals merge (keeps words in normal form). */
export function pushParts(parts: WordPart[], more: readonly WordPart[]): void {
  for (const p of more) {
    if (p.type === 'lit') pushLiteral(parts, p.text, p.quoted);
    else parts.push(p);
  }
}

export class Lexer {
  private pos = 0;
  constructor(private readonly src: string) {}

  /** Every token of the input. */
  tokens(): Token[] {
    const out: Token[] = [];
    // Here-documents whose delimiter word has been read; their bodies start after the
    // next newline token.
    const pending: { token: Extract<Token, { kind: 'word' }>; stripTabs: boolean }[] = [];
    let heredocOp: Extract<Token, { kind: 'redir' }> | null = null;
    for (;;) {
      const t = this.next();
      if (t === null) {
        if (pending.length > 0) throw new IncompleteInput('here-document');
        return out;
      }
      out.push(t);
      if (heredocOp !== null) {
        if (t.kind === 'word') pending.push({ token: t, stripTabs: heredocOp.op === '<<' && this.stripNext });
        heredocOp = null;
      } else if (t.kind === 'redir' && t.op === '<<') {
        heredocOp = t;
      }
      if (t.kind === 'op' && t.op === '\n') {
        for (const h of pending.splice(0)) this.readHereDocument(h.token, h.stripTabs);
      }
    }
  }

  // Set by redirect() when the operator was '<<-' (strip leading tabs).
  private stripNext = false;

  // Replaces the delimiter word of a here-document with its body, read from the line
  // after the current one up to the delimiter line. A quoted delimiter means the body
  // is taken as it is; otherwise $ expansions and \ escapes apply (as inside "...").
  private readHereDocument(token: Extract<Token, { kind: 'word' }>, stripTabs: boolean): void {
    const delimiter = token.word.parts.map((p) => (p.type === 'lit' ? p.text : '')).join('');
    const quoted = token.word.parts.some((p) => p.quoted);
    let body = '';
    for (;;) {
      if (this.pos >= this.src.length) throw new IncompleteInput(`here-document (wanted '${delimiter}')`);
      const nl = this.src.indexOf('\n', this.pos);
      const end = nl < 0 ? this.src.length : nl;
      let line = this.src.slice(this.pos, end);
      this.pos = nl < 0 ? end : nl + 1;
      if (stripTabs) line = line.replace(/^\t+/, '');
      if (line === delimiter) break;
      if (nl < 0) throw new IncompleteInput(`here-document (wanted '${delimiter}')`);
      body += line + '\n';
    }
    if (quoted) { token.word = { parts: [{ type: 'lit', text: body, quoted: true }] }; return; }
    const parts: WordPart[] = [];
    pushLiteral(parts, '', true);
    const inner = new Lexer(body);
    inner.readParts(parts, 'heredoc');
    token.word = { parts };
  }

  /** The whole input read as the inside of double quotes ($ expansions, no splitting). */
  innerWord(): Word {
    const parts: WordPart[] = [];
    this.readParts(parts, 'arith');
    return { parts };
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private next(): Token | null {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') { this.pos++; continue; }
      if (c === '\\' && this.peek(1) === '\n') { this.pos += 2; continue; }
      if (c === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
        continue;
      }
      break;
    }
    const c = this.peek();
    if (c === undefined) return null;
    const two = this.src.slice(this.pos, this.pos + 2);
    for (const op of ['&&', '||', ';;'] as const) {
      if (two === op) { this.pos += 2; return { kind: 'op', op }; }
    }
    if (c === '|' || c === '&' || c === ';' || c === '\n' || c === '(' || c === ')') {
      this.pos++;
      return { kind: 'op', op: c };
    }
    // An IO_NUMBER: digits immediately followed by < or >.
    const m = /^(\d+)(?=[<>])/.exec(this.src.slice(this.pos, this.pos + 12));
    if (m !== null) {
      this.pos += m[1]!.length;
      return this.redirect(Number(m[1]));
    }
    if (c === '<' || c === '>') return this.redirect(null);
    const parts: WordPart[] = [];
    this.readParts(parts, 'normal');
    return { kind: 'word', word: { parts } };
  }

  private redirect(fd: number | null): Token {
    if (this.src.startsWith('<<<', this.pos)) { this.pos += 3; return { kind: 'redir', op: '<<<', fd }; }
    if (this.src.startsWith('<<', this.pos)) {
      this.stripNext = this.src[this.pos + 2] === '-';
      this.pos += this.stripNext ? 3 : 2;
      return { kind: 'redir', op: '<<', fd };
    }
    const two = this.src.slice(this.pos, this.pos + 2);
    for (const op of ['>>', '>|', '<>', '>&', '<&'] as const) {
      if (two === op) { this.pos += 2; return { kind: 'redir', op, fd }; }
    }
    const c = this.src[this.pos++] as '<' | '>';
    return { kind: 'redir', op: c, fd };
  }

  // Reads the pieces of one word (or of the inside of "..." or ${...}) into `parts`,
  // stopping before the character that ends it in this mode.
  readParts(parts: WordPart[], mode: Mode): void {
    const quotedMode = mode === 'dquote' || mode === 'brace-dq' || mode === 'arith' || mode === 'heredoc';
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        if (mode === 'normal' || mode === 'arith' || mode === 'heredoc') return;
        throw new IncompleteInput(mode === 'dquote' ? 'unterminated "' : 'unterminated ${');
      }
      if (mode === 'normal' && OPERATOR_START.has(c)) return;
      if ((mode === 'brace' || mode === 'brace-dq') && c === '}') return;
      if (mode === 'dquote' && c === '"') return;
      if (c === '\\') {
        const n = this.peek(1);
        if (n === undefined) {
          if (mode === 'normal') { this.pos++; pushLiteral(parts, '\\', true); return; }
          throw new IncompleteInput('trailing backslash');
        }
        if (n === '\n') { this.pos += 2; continue; }
        if (quotedMode && !((mode === 'heredoc' ? '$`\\' : '$`"\\').includes(n) || (mode === 'brace-dq' && n === '}'))) { this.pos++; pushLiteral(parts, '\\', true); continue; }
        this.pos += 2;
        pushLiteral(parts, n, true);
        continue;
      }
      if (c === "'" && !quotedMode) {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new IncompleteInput("unterminated '");
        pushLiteral(parts, this.src.slice(this.pos + 1, end), true);
        this.pos = end + 1;
        continue;
      }
      if (c === '"' && !quotedMode) {
        this.pos++;
        const inner: WordPart[] = [];
        pushLiteral(inner, '', true);
        this.readParts(inner, 'dquote');
        if (this.peek() !== '"') throw new IncompleteInput('unterminated "');
        this.pos++;
        pushParts(parts, inner);
        continue;
      }
      if (c === '$') { this.readDollar(parts, quotedMode); continue; }
      if (c === '`') {
        parts.push({ type: 'cmdsub', source: this.readBackquote(), quoted: quotedMode });
        continue;
      }
      this.pos++;
      pushLiteral(parts, c, quotedMode);
    }
  }

  private readDollar(parts: WordPart[], quoted: boolean): void {
    const n = this.peek(1);
    if (n === '{') { this.pos += 2; parts.push(this.readBraceParam(quoted)); return; }
    if (n === '(') {
      if (this.peek(2) === '(') {
        this.pos += 3;
        const inner = this.readUntilCloseParen();
        if (this.peek() !== ')') {
          if (this.peek() === undefined) throw new IncompleteInput('unterminated $((');
          throw new ShellSyntaxError('arithmetic expansion: missing ))');
        }
        this.pos++;
        parts.push({ type: 'arith', source: inner, quoted });
        return;
      }
      this.pos += 2;
      parts.push({ type: 'cmdsub', source: this.readUntilCloseParen(), quoted });
      return;
    }
    if (n !== undefined && NAME_START.test(n)) {
      let end = this.pos + 1;
      while (end < this.src.length && NAME_CHAR.test(this.src[end] as string)) end++;
      parts.push({ type: 'param', name: this.src.slice(this.pos + 1, end), quoted });
      this.pos = end;
      return;
    }
    if (n !== undefined && (/[0-9]/.test(n) || SPECIAL_PARAMS.has(n))) {
      parts.push({ type: 'param', name: n, quoted });
      this.pos += 2;
      return;
    }
    this.pos++;
    pushLiteral(parts, '$', quoted);
  }

  // After "${": NAME or a special, then "}" or an operator and a word, then "}".
  private readBraceParam(quoted: boolean): WordPart {
    let length = false;
    if (this.peek() === '#' && this.peek(1) !== '}') { length = true; this.pos++; }
    let name: string;
    const c = this.peek();
    if (c === undefined) throw new IncompleteInput('unterminated ${');
    if (NAME_START.test(c)) {
      let end = this.pos;
      while (end < this.src.length && NAME_CHAR.test(this.src[end] as string)) end++;
      name = this.src.slice(this.pos, end);
      this.pos = end;
    } else if (/[0-9]/.test(c)) {
      let end = this.pos;
      while (end < this.src.length && /[0-9]/.test(this.src[end] as string)) end++;
      name = String(Number(this.src.slice(this.pos, end)));
      this.pos = end;
    } else if (SPECIAL_PARAMS.has(c)) {
      name = c;
      this.pos++;
    } else {
      throw new ShellSyntaxError('bad substitution');
    }
    if (length) {
      if (this.peek() === undefined) throw new IncompleteInput('unterminated ${');
      if (this.peek() !== '}') throw new ShellSyntaxError('bad substitution');
      this.pos++;
      return { type: 'param', name, quoted, op: { op: 'len', word: { parts: [] } } };
    }
    if (this.peek() === '}') { this.pos++; return { type: 'param', name, quoted }; }
    let op: ParamOp['op'] | undefined;
    for (const candidate of [':-', ':+', ':=', '-', '+', '='] as const) {
      if (this.src.startsWith(candidate, this.pos)) { op = candidate; break; }
    }
    if (op === undefined) {
      if (this.peek() === undefined) throw new IncompleteInput('unterminated ${');
      throw new ShellSyntaxError('bad substitution');
    }
    this.pos += op.length;
    const word: WordPart[] = [];
    this.readParts(word, quoted ? 'brace-dq' : 'brace');
    if (this.peek() !== '}') throw new IncompleteInput('unterminated ${');
    this.pos++;
    return { type: 'param', name, quoted, op: { op, word: { parts: word } } };
  }

  // After "$(": the source up to the matching ")", skipping quoted text and nested parens.
  private readUntilCloseParen(): string {
    const start = this.pos;
    let depth = 1;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === '\\') { this.pos += 2; continue; }
      if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) break;
        this.pos = end + 1;
        continue;
      }
      if (c === '"') {
        this.pos++;
        while (this.pos < this.src.length && this.src[this.pos] !== '"') this.pos += this.src[this.pos] === '\\' ? 2 : 1;
        this.pos++;
        continue;
      }
      if (c === '(') depth++;
      if (c === ')' && --depth === 0) {
        const source = this.src.slice(start, this.pos);
        this.pos++;
        return source;
      }
      this.pos++;
    }
    throw new IncompleteInput('unterminated $(');
  }

  private readBackquote(): string {
    let out = '';
    this.pos++;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === '`') { this.pos++; return out; }
      if (c === '\\' && '`\\$'.includes(this.src[this.pos + 1] ?? '')) {
        out += this.src[this.pos + 1];
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
    throw new IncompleteInput('unterminated `');
  }
}

/** Tokenizes a whole input. */
export function tokenize(src: string): Token[] {
  return new Lexer(src).tokens();
}

// awk's language: the lexer and a recursive-descent parser that turn program text into
// the tree `awk/run.ts` walks. The grammar is POSIX awk's (precedence from lowest:
// assignment, ?:, ||, &&, in, ~ !~, relational, concatenation, + -, * / %, unary,
// ^, ++ --, $, grouping); newlines end statements except after `{ , && || do else`
// and a backslash-newline. A '/' starts a regular expression wherever an operand may
// start, and divides after one. `>` inside print's arguments is a redirection unless
// parenthesised, as in every awk.

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 're'; re: string }
  | { k: 'var'; name: string }
  | { k: 'field'; e: Expr }
  | { k: 'index'; name: string; subs: Expr[] }
  | { k: 'assign'; op: string; target: LValue; e: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'in'; subs: Expr[]; name: string }
  | { k: 'match'; neg: boolean; e: Expr; re: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'incdec'; op: '++' | '--'; prefix: boolean; target: LValue }
  | { k: 'call'; name: string; args: Expr[] }
  | { k: 'builtin'; name: string; args: Expr[] }
  | { k: 'getline'; from: 'input' | 'file' | 'cmd'; target: LValue | undefined; src: Expr | undefined }
  | { k: 'group'; e: Expr };

export type LValue = Extract<Expr, { k: 'var' | 'field' | 'index' }>;

export interface Redirect { mode: '>' | '>>' | '|'; target: Expr }

export type Stmt =
  | { k: 'expr'; e: Expr }
  | { k: 'print' | 'printf'; args: Expr[]; redirect: Redirect | undefined }
  | { k: 'if'; c: Expr; then: Stmt; else: Stmt | undefined }
  | { k: 'while'; c: Expr; body: Stmt }
  | { k: 'do'; body: Stmt; c: Expr }
  | { k: 'for'; init: Stmt | undefined; c: Expr | undefined; step: Stmt | undefined; body: Stmt }
  | { k: 'forin'; v: LValue; arr: string; body: Stmt }
  | { k: 'block'; body: Stmt[] }
  | { k: 'next' | 'nextfile' | 'break' | 'continue' }
  | { k: 'exit' | 'return'; e: Expr | undefined }
  | { k: 'delete'; name: string; subs: Expr[] | undefined };

export type Pattern =
  | { k: 'begin' } | { k: 'end' } | { k: 'always' }
  | { k: 'expr'; e: Expr }
  | { k: 'range'; from: Expr; to: Expr; id: number };

export interface Rule { pattern: Pattern; action: Stmt[] | undefined }
export interface FunctionDef { name: string; params: string[]; body: Stmt[] }
export interface Program { rules: Rule[]; functions: Map<string, FunctionDef>; ranges: number }

/** A syntax error: the message names the line. */
export class AwkSyntaxError extends Error {}

const BUILTINS = new Set(['length', 'substr', 'index', 'split', 'sub', 'gsub', 'match', 'sprintf', 'sin', 'cos', 'atan2', 'exp', 'log', 'sqrt', 'int', 'rand', 'srand', 'tolower', 'toupper', 'system', 'close', 'fflush']);
const KEYWORDS = new Set(['BEGIN', 'END', 'function', 'func', 'if', 'else', 'while', 'for', 'do', 'break', 'continue', 'next', 'nextfile', 'exit', 'return', 'delete', 'in', 'getline', 'print', 'printf']);

type TokenKind = 'num' | 'str' | 're' | 'name' | 'funcname' | 'builtin' | 'kw' | 'op' | 'nl' | 'eof';
interface Token { kind: TokenKind; text: string; value: string | number; line: number }

const OPERATORS = ['+=', '-=', '*=', '/=', '%=', '^=', '**=', '==', '<=', '>=', '!=', '++', '--', '&&', '||', '>>', '!~', '**',
  '{', '}', '(', ')', '[', ']', ';', ',', '+', '-', '*', '/', '%', '^', '!', '>', '<', '|', '?', ':', '~', '$', '='];
// After these a newline is not a statement end.
const CONTINUES = new Set([',', '{', '&&', '||', 'do', 'else']);
// After these a '/' divides.
const ENDS_OPERAND = new Set(['num', 'str', 're', 'name', 'builtin']);

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '/': '/', a: '\x07', b: '\b', f: '\f', v: '\v' };

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const push = (kind: TokenKind, text: string, value: string | number = text): void => { tokens.push({ kind, text, value, line }); };
  const fail = (msg: string): never => { throw new AwkSyntaxError(`syntax error at source line ${line}: ${msg}`); };
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '\\' && src[i + 1] === '\n') { i += 2; line++; continue; }
    if (c === '\\' && src[i + 1] === '\r' && src[i + 2] === '\n') { i += 3; line++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '\n') {
      const prev = tokens[tokens.length - 1];
      if (prev !== undefined && prev.kind !== 'nl' && !CONTINUES.has(prev.text)) push('nl', '\n');
      i++; line++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length || src[i] === '\n') fail('unterminated string');
        const d = src[i] as string;
        if (d === '"') { i++; break; }
        if (d === '\\') {
          const e = src[i + 1] ?? '';
          const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1));
          if (oct !== null) { s += String.fromCharCode(parseInt(oct[0], 8) & 255); i += 1 + oct[0].length; continue; }
          if (e === '\n') { i += 2; line++; continue; }
          s += ESCAPES[e] ?? '\\' + e;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      push('str', '"', s);
      continue;
    }
    const prev = tokens[tokens.length - 1];
    const divides = prev !== undefined && (ENDS_OPERAND.has(prev.kind) || prev.text === ')' || prev.text === ']' || prev.text === '$' || prev.text === '++' || prev.text === '--');
    if (c === '/' && !divides) {
      let re = '';
      i++;
      let inBracket = false;
      for (;;) {
        if (i >= src.length || src[i] === '\n') fail('unterminated regular expression');
        const d = src[i] as string;
        if (d === '/' && !inBracket) { i++; break; }
        if (d === '\\' && src[i + 1] === '/') { re += '/'; i += 2; continue; }
        if (d === '\\') { re += d + (src[i + 1] ?? ''); i += 2; continue; }
        if (d === '[' && !inBracket) {
          inBracket = true;
          re += d; i++;
          if (src[i] === '^') { re += '^'; i++; }
          if (src[i] === ']') { re += ']'; i++; }
          continue;
        }
        if (d === '[' && inBracket && /^\[[:.=]/.test(src.slice(i))) {
          const close = src.indexOf(src[i + 1] as string + ']', i + 2);
          if (close < 0) fail('bad bracket expression');
          re += src.slice(i, close + 2); i = close + 2;
          continue;
        }
        if (d === ']' && inBracket) inBracket = false;
        re += d; i++;
      }
      push('re', '/', re);
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num !== null) { push('num', num[0], Number(num[0])); i += num[0].length; continue; }
    const word = /^[A-Za-z_][A-Za-z_0-9]*/.exec(src.slice(i));
    if (word !== null) {
      const w = word[0];
      i += w.length;
      if (KEYWORDS.has(w)) push('kw', w === 'func' ? 'function' : w);
      else if (BUILTINS.has(w)) push('builtin', w);
      else push(src[i] === '(' ? 'funcname' : 'name', w);
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) fail(`unexpected character '${c}'`);
    push('op', op === '**' ? '^' : op === '**=' ? '^=' : op as string);
    i += (op as string).length;
  }
  push('eof', '');
  return tokens;
}

/** Parses an awk program. */
export function parseProgram(src: string): Program {
  return new Parser(lex(src)).program();
}

class Parser {
  private at = 0;
  private ranges = 0;
  // Inside print's argument list outside parentheses: '>' redirects, 'in' of for(...) too.
  private noGt = false;
  private noIn = false;
  private readonly functions = new Map<string, FunctionDef>();

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token { return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)] as Token; }
  private next(): Token { return this.tokens[this.at++] as Token; }
  private is(text: string, kind?: TokenKind): boolean { const t = this.peek(); return t.text === text && (kind === undefined || t.kind === kind) && t.kind !== 'str' && t.kind !== 're'; }
  private isOp(text: string): boolean { const t = this.peek(); return t.kind === 'op' && t.text === text; }
  private isKw(text: string): boolean { const t = this.peek(); return t.kind === 'kw' && t.text === text; }
  private fail(msg?: string): never {
    const t = this.peek();
    throw new AwkSyntaxError(`syntax error at source line ${t.line}: ${msg ?? (t.kind === 'eof' ? 'unexpected end of program' : `unexpected '${t.kind === 'nl' ? 'newline' : t.kind === 'str' ? String(t.value) : t.text}'`)}`);
  }
  private expectOp(text: string): void { if (!this.isOp(text)) this.fail(`expected '${text}'`); this.at++; }
  private newlines(): void { while (this.peek().kind === 'nl') this.at++; }
  private terminators(): void { while (this.peek().kind === 'nl' || this.isOp(';')) this.at++; }

  program(): Program {
    const rules: Rule[] = [];
    this.terminators();
    while (this.peek().kind !== 'eof') {
      if (this.isKw('function')) this.functionDef();
      else rules.push(this.rule());
      this.terminators();
    }
    return { rules, functions: this.functions, ranges: this.ranges };
  }

  private functionDef(): void {
    this.at++;
    const t = this.next();
    if (t.kind !== 'name' && t.kind !== 'funcname') this.fail('expected a function name');
    if (this.functions.has(t.text)) this.fail(`function '${t.text}' defined twice`);
    this.expectOp('(');
    const params: string[] = [];
    this.newlines();
    while (!this.isOp(')')) {
      const p = this.next();
      if (p.kind !== 'name') this.fail('expected a parameter name');
      params.push(p.text);
      this.newlines();
      if (this.isOp(',')) { this.at++; this.newlines(); } else if (!this.isOp(')')) this.fail();
    }
    this.at++;
    this.newlines();
    this.functions.set(t.text, { name: t.text, params, body: this.block() });
  }

  private rule(): Rule {
    let pattern: Pattern;
    if (this.isKw('BEGIN')) { this.at++; pattern = { k: 'begin' }; } else if (this.isKw('END')) { this.at++; pattern = { k: 'end' }; } else if (this.isOp('{')) pattern = { k: 'always' };
    else {
      const from = this.expr();
      if (this.isOp(',')) { this.at++; this.newlines(); pattern = { k: 'range', from, to: this.expr(), id: this.ranges++ }; } else pattern = { k: 'expr', e: from };
    }
    if ((pattern.k === 'begin' || pattern.k === 'end') && !this.isOp('{')) this.fail(`${pattern.k.toUpperCase()} needs an action`);
    return { pattern, action: this.isOp('{') ? this.block() : undefined };
  }

  private block(): Stmt[] {
    this.expectOp('{');
    const body: Stmt[] = [];
    this.terminators();
    while (!this.isOp('}')) {
      if (this.peek().kind === 'eof') this.fail("missing '}'");
      body.push(this.statement());
      this.terminators();
    }
    this.at++;
    return body;
  }

  // A statement that ends at ';', a newline or '}' (not consumed).
  private simpleEnd(): void {
    if (this.isOp(';') || this.peek().kind === 'nl') { this.at++; return; }
    if (this.isOp('}') || this.peek().kind === 'eof') return;
    this.fail();
  }

  private statement(): Stmt {
    const t = this.peek();
    if (t.kind === 'op' && t.text === '{') return { k: 'block', body: this.block() };
    if (t.kind === 'op' && t.text === ';') { this.at++; return { k: 'block', body: [] }; }
    if (t.kind === 'kw') {
      switch (t.text) {
        case 'if': {
          this.at++;
          this.expectOp('(');
          const c = this.expr();
          this.expectOp(')');
          this.newlines();
          const then = this.statement();
          // An else may follow after newlines or a ';'.
          const save = this.at;
          this.terminators();
          if (this.isKw('else')) { this.at++; this.newlines(); return { k: 'if', c, then, else: this.statement() }; }
          this.at = save;
          return { k: 'if', c, then, else: undefined };
        }
        case 'while': {
          this.at++;
          this.expectOp('(');
          const c = this.expr();
          this.expectOp(')');
          if (this.isOp(';')) { this.at++; return { k: 'while', c, body: { k: 'block', body: [] } }; }
          this.newlines();
          return { k: 'while', c, body: this.statement() };
        }
        case 'do': {
          this.at++;
          this.newlines();
          const body = this.statement();
          this.terminators();
          if (!this.isKw('while')) this.fail("expected 'while'");
          this.at++;
          this.expectOp('(');
          const c = this.expr();
          this.expectOp(')');
          this.simpleEnd();
          return { k: 'do', body, c };
        }
        case 'for': return this.forStatement();
        case 'break': case 'continue': case 'next': case 'nextfile':
          this.at++; this.simpleEnd(); return { k: t.text };
        case 'exit': case 'return': {
          this.at++;
          const e = this.isOp(';') || this.isOp('}') || this.peek().kind === 'nl' || this.peek().kind === 'eof' ? undefined : this.expr();
          this.simpleEnd();
          return { k: t.text, e };
        }
        case 'delete': {
          this.at++;
          const n = this.next();
          if (n.kind !== 'name') this.fail('expected an array name');
          let subs: Expr[] | undefined;
          if (this.isOp('[')) { this.at++; subs = this.exprList(); this.expectOp(']'); }
          this.simpleEnd();
          return { k: 'delete', name: n.text, subs };
        }
        case 'print': case 'printf': {
          const s = this.printStatement();
          this.simpleEnd();
          return s;
        }
        default: break;
      }
    }
    const s = this.simpleStatement();
    this.simpleEnd();
    return s;
  }

  private simpleStatement(): Stmt {
    if (this.isKw('print') || this.isKw('printf')) return this.printStatement();
    return { k: 'expr', e: this.expr() };
  }

  private forStatement(): Stmt {
    this.at++;
    this.expectOp('(');
    // for (NAME in ARRAY)
    const t0 = this.peek(), t1 = this.peek(1), t2 = this.peek(2), t3 = this.peek(3);
    if (t0.kind === 'name' && t1.kind === 'kw' && t1.text === 'in' && t2.kind === 'name' && t3.kind === 'op' && t3.text === ')') {
      this.at += 4;
      this.newlines();
      return { k: 'forin', v: { k: 'var', name: t0.text }, arr: t2.text, body: this.statement() };
    }
    const init = this.isOp(';') ? undefined : this.simpleStatement();
    this.expectOp(';');
    this.newlines();
    const c = this.isOp(';') ? undefined : this.expr();
    this.expectOp(';');
    this.newlines();
    const step = this.isOp(')') ? undefined : this.simpleStatement();
    this.expectOp(')');
    if (this.isOp(';')) { this.at++; return { k: 'for', init, c, step, body: { k: 'block', body: [] } }; }
    this.newlines();
    return { k: 'for', init, c, step, body: this.statement() };
  }

  private printStatement(): Stmt {
    const kind = this.next().text as 'print' | 'printf';
    let args: Expr[] = [];
    const saved = this.noGt;
    this.noGt = true;
    const ends = (): boolean => this.isOp(';') || this.isOp('}') || this.isOp('>') || this.isOp('>>') || this.isOp('|') || this.peek().kind === 'nl' || this.peek().kind === 'eof';
    if (!ends()) {
      // print (a, b) > "f": a parenthesised list is the argument list.
      if (this.isOp('(')) {
        const save = this.at;
        this.at++;
        this.noGt = false;
        const list = this.exprList();
        this.noGt = true;
        if (this.isOp(')')) {
          this.at++;
          if (ends()) args = list;
          else { this.at = save; args = this.exprList(); }
        } else { this.at = save; args = this.exprList(); }
      } else args = this.exprList();
    }
    let redirect: Redirect | undefined;
    if (this.isOp('>') || this.isOp('>>') || this.isOp('|')) {
      const mode = this.next().text as Redirect['mode'];
      redirect = { mode, target: this.concatenation() };
    }
    this.noGt = saved;
    if (kind === 'printf' && args.length === 0) this.fail('printf needs a format');
    return { k: kind, args, redirect };
  }

  private exprList(): Expr[] {
    const list = [this.expr()];
    while (this.isOp(',')) { this.at++; this.newlines(); list.push(this.expr()); }
    return list;
  }

  expr(): Expr { return this.ternary(); }

  private ternary(): Expr {
    const c = this.or();
    if (this.isOp('?')) {
      this.at++; this.newlines();
      const a = this.ternary();
      this.newlines();
      this.expectOp(':');
      this.newlines();
      return { k: 'cond', c, a, b: this.ternary() };
    }
    if (this.peek().kind === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '^='].includes(this.peek().text)) {
      if (c.k !== 'var' && c.k !== 'field' && c.k !== 'index') return c;
      const op = this.next().text;
      this.newlines();
      return { k: 'assign', op, target: c, e: this.ternary() };
    }
    return c;
  }

  private or(): Expr {
    let a = this.and();
    while (this.isOp('||')) { this.at++; this.newlines(); a = { k: 'or', a, b: this.and() }; }
    return a;
  }

  private and(): Expr {
    let a = this.inExpr();
    while (this.isOp('&&')) { this.at++; this.newlines(); a = { k: 'and', a, b: this.inExpr() }; }
    return a;
  }

  private inExpr(): Expr {
    let a = this.matchExpr();
    while (this.isKw('in') && !this.noIn) {
      this.at++;
      const n = this.next();
      if (n.kind !== 'name') this.fail('expected an array name after in');
      a = { k: 'in', subs: [a], name: n.text };
    }
    return a;
  }

  private matchExpr(): Expr {
    let a = this.relational();
    while (this.isOp('~') || this.isOp('!~')) {
      const neg = this.next().text === '!~';
      a = { k: 'match', neg, e: a, re: this.relational() };
    }
    return a;
  }

  private relational(): Expr {
    const a = this.concatenation();
    const t = this.peek();
    if (t.kind === 'op' && ['<', '<=', '==', '!=', '>=', '>'].includes(t.text) && !(t.text === '>' && this.noGt)) {
      this.at++;
      return { k: 'bin', op: t.text, a, b: this.concatenation() };
    }
    return a;
  }

  private startsOperand(): boolean {
    const t = this.peek();
    if (t.kind === 'num' || t.kind === 'str' || t.kind === 're' || t.kind === 'name' || t.kind === 'funcname' || t.kind === 'builtin') return true;
    return t.kind === 'op' && ['$', '(', '!', '-', '+', '++', '--'].includes(t.text) && !(t.text === '!' && this.peek(1).text === '=');
  }

  private concatenation(): Expr {
    let a = this.additive();
    while (this.startsOperand() && !this.isOp('-') && !this.isOp('+') && !this.isOp('!') && !(this.isKw('in'))) {
      a = { k: 'bin', op: '', a, b: this.additive() };
    }
    return a;
  }

  private additive(): Expr {
    let a = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) { const op = this.next().text; a = { k: 'bin', op, a, b: this.multiplicative() }; }
    return a;
  }

  private multiplicative(): Expr {
    let a = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) { const op = this.next().text; a = { k: 'bin', op, a, b: this.unary() }; }
    return a;
  }

  private unary(): Expr {
    if (this.isOp('!')) { this.at++; return { k: 'unary', op: '!', e: this.unary() }; }
    if (this.isOp('-') || this.isOp('+')) { const op = this.next().text; return { k: 'unary', op, e: this.unary() }; }
    return this.power();
  }

  private power(): Expr {
    const a = this.postfix();
    if (this.isOp('^')) {
      this.at++;
      // Right-associative, and binds tighter than a unary minus on its left only.
      const b = this.isOp('-') || this.isOp('+') || this.isOp('!') ? this.unary() : this.power();
      return { k: 'bin', op: '^', a, b };
    }
    return a;
  }

  private postfix(): Expr {
    if (this.isOp('++') || this.isOp('--')) {
      const op = this.next().text as '++' | '--';
      const target = this.primary();
      if (target.k !== 'var' && target.k !== 'field' && target.k !== 'index') this.fail(`${op} needs a variable`);
      return { k: 'incdec', op, prefix: true, target };
    }
    const e = this.primary();
    if ((e.k === 'var' || e.k === 'field' || e.k === 'index') && (this.isOp('++') || this.isOp('--'))) {
      return { k: 'incdec', op: this.next().text as '++' | '--', prefix: false, target: e };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num': return this.maybePipeGetline({ k: 'num', v: t.value as number });
      case 'str': return this.maybePipeGetline({ k: 'str', v: t.value as string });
      case 're': return { k: 're', re: t.value as string };
      case 'funcname': {
        this.expectOp('(');
        const args = this.isOp(')') ? [] : this.exprListInParens();
        this.expectOp(')');
        return this.maybePipeGetline({ k: 'call', name: t.text, args });
      }
      case 'builtin': {
        let args: Expr[] = [];
        if (this.isOp('(')) {
          this.at++;
          args = this.isOp(')') ? [] : this.exprListInParens();
          this.expectOp(')');
        } else if (t.text !== 'length') this.fail(`${t.text} needs its arguments in parentheses`);
        return this.maybePipeGetline({ k: 'builtin', name: t.text, args });
      }
      case 'name': {
        if (this.isOp('[')) {
          this.at++;
          const subs = this.exprListInParens();
          this.expectOp(']');
          return this.maybePipeGetline({ k: 'index', name: t.text, subs });
        }
        return this.maybePipeGetline({ k: 'var', name: t.text });
      }
      case 'kw':
        if (t.text === 'getline') {
          const target = this.optionalLvalue();
          if (this.isOp('<')) { this.at++; return { k: 'getline', from: 'file', target, src: this.primaryNoGetline() }; }
          return { k: 'getline', from: 'input', target, src: undefined };
        }
        break;
      case 'op':
        if (t.text === '$') {
          const e = this.isOp('++') || this.isOp('--') ? this.postfix() : this.primaryNoGetline();
          return this.maybePipeGetline({ k: 'field', e });
        }
        if (t.text === '(') {
          const saved = [this.noGt, this.noIn];
          this.noGt = false; this.noIn = false;
          const list = this.exprList();
          [this.noGt, this.noIn] = saved as [boolean, boolean];
          this.expectOp(')');
          if (list.length > 1) {
            if (!this.isKw('in')) this.fail("a list in parentheses must be followed by 'in'");
            this.at++;
            const n = this.next();
            if (n.kind !== 'name') this.fail('expected an array name after in');
            return { k: 'in', subs: list, name: n.text };
          }
          return this.maybePipeGetline({ k: 'group', e: list[0] as Expr });
        }
        if (t.text === '-' || t.text === '+' || t.text === '!') { return { k: 'unary', op: t.text, e: this.unary() }; }
        break;
      default: break;
    }
    this.at--;
    return this.fail();
  }

  private exprListInParens(): Expr[] {
    const saved = [this.noGt, this.noIn];
    this.noGt = false; this.noIn = false;
    this.newlines();
    const list = this.exprList();
    this.newlines();
    [this.noGt, this.noIn] = saved as [boolean, boolean];
    return list;
  }

  // A primary that is not followed by "| getline" handling (the source of getline <).
  private primaryNoGetline(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '!')) { this.at++; return { k: 'unary', op: t.text, e: this.primaryNoGetline() }; }
    const saved = this.pipeGetlineAllowed;
    this.pipeGetlineAllowed = false;
    try { return this.primary(); } finally { this.pipeGetlineAllowed = saved; }
  }

  private pipeGetlineAllowed = true;

  // "cmd" | getline [var]: binds to the operand just read (commands are usually strings or variables).
  private maybePipeGetline(e: Expr): Expr {
    let out = e;
    while (this.pipeGetlineAllowed && this.isOp('|') && this.peek(1).kind === 'kw' && this.peek(1).text === 'getline') {
      this.at += 2;
      out = { k: 'getline', from: 'cmd', target: this.optionalLvalue(), src: out };
    }
    return out;
  }

  private optionalLvalue(): LValue | undefined {
    const t = this.peek();
    if (t.kind === 'op' && t.text === '$') { this.at++; return { k: 'field', e: this.primaryNoGetline() }; }
    if (t.kind !== 'name') return undefined;
    this.at++;
    if (this.isOp('[')) { this.at++; const subs = this.exprListInParens(); this.expectOp(']'); return { k: 'index', name: t.text, subs }; }
    return { k: 'var', name: t.text };
  }
}

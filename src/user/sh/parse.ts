// The shell's parser: tokens (lex.ts) → Program (ast.ts), by recursive descent over
//   program  := linebreak (andor (sep linebreak andor)* sep?)?
//   andor    := pipeline (('&&' | '||') linebreak pipeline)*
//   pipeline := '!'? command ('|' linebreak command)*
//   command  := simple | compound redirect*
//   simple   := (assignment | redirect)* (word | redirect)*   (at least one item)
//   compound := 'if' list 'then' list ('elif' list 'then' list)* ('else' list)? 'fi'
//             | ('while' | 'until') list 'do' list 'done'
//             | 'for' NAME ('in' word* sep)? linebreak 'do' list 'done'
//             | '{' list '}' | '(' list ')'
//             | 'case' word linebreak 'in' linebreak ('('? word ('|' word)* ')' list? ';;'? linebreak)* 'esac'
//   function := NAME '(' ')' linebreak compound
// Reserved words count only where a command name may stand, unquoted.
// Pure: no syscalls. Input that stops after '|', '&&' or '||' throws IncompleteInput.

import type { Program, ListItem, AndOr, Pipeline, Command, SimpleCommand, CompoundCommand, Word, WordPart, Redirect, Assignment } from './ast.js';
import { tokenize, IncompleteInput, ShellSyntaxError, pushLiteral, type Token } from './lex.js';

export { IncompleteInput, ShellSyntaxError } from './lex.js';

/**
 * Puts a word in normal form: adjacent literals with the same quoting merged, and an
 * empty quoted literal kept only when nothing else in the word is quoted (it is what
 * makes `""` an empty argument rather than none). Inside "${x:-...}" (insideQuotes)
 * an empty literal means nothing and is dropped.
 */
export function normalizeWord(word: Word, insideQuotes = false): Word {
  const parts: WordPart[] = [];
  for (const p of word.parts) {
    if (p.type === 'lit') { if (!(insideQuotes && p.text === '')) pushLiteral(parts, p.text, p.quoted); }
    else if (p.type === 'param' && p.op !== undefined) parts.push({ ...p, op: { op: p.op.op, word: normalizeWord(p.op.word, p.quoted) } });
    else parts.push({ ...p });
  }
  const otherQuoted = parts.some((p) => p.quoted && !(p.type === 'lit' && p.text === ''));
  const kept = parts.filter((p) => !(p.type === 'lit' && p.quoted && p.text === '' && otherQuoted));
  // Dropping an empty quoted literal may leave two unquoted literals side by side.
  const merged: WordPart[] = [];
  for (const p of kept) {
    if (p.type === 'lit') pushLiteral(merged, p.text, p.quoted);
    else merged.push(p);
  }
  return { parts: merged };
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const COMPOUND_START = new Set(['if', 'while', 'until', 'for', 'case', '{']);
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'do', 'done', 'for', 'case', 'esac', '{', '}', 'in']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function describe(t: Token | undefined): string {
  if (t === undefined) return 'end of input';
  if (t.kind === 'op') return t.op === '\n' ? 'newline' : t.op;
  if (t.kind === 'redir') return t.op;
  return 'word';
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  program(): Program {
    const items = this.list(new Set());
    const t = this.peek();
    if (t !== undefined) throw new ShellSyntaxError(`unexpected token '${describe(t)}'`);
    return items;
  }

  // A list of and-or lists, up to the end or to one of `stops` (reserved words, or
  // ')' inside a subshell) standing where a command would.
  private list(stops: ReadonlySet<string>): Program {
    const items: ListItem[] = [];
    this.linebreak();
    for (;;) {
      const t = this.peek();
      if (t === undefined) return items;
      if (this.atStop(stops)) return items;
      const andOr = this.andOr();
      const sep = this.peek();
      let background = false;
      if (sep?.kind === 'op' && (sep.op === ';' || sep.op === '&' || sep.op === '\n')) {
        background = sep.op === '&';
        this.i++;
      } else if (sep !== undefined && !this.atStop(stops)) {
        throw new ShellSyntaxError(`unexpected token '${describe(sep)}'`);
      }
      items.push({ andOr, background });
      this.linebreak();
    }
  }

  // Whether the current token ends a list: a reserved word in `stops`, or ')' / ';;'
  // when those are in `stops`.
  private atStop(stops: ReadonlySet<string>): boolean {
    const t = this.peek();
    if (t?.kind === 'op' && (t.op === ')' || t.op === ';;')) return stops.has(t.op);
    return this.reservedHere(stops) !== null;
  }

  // The reserved word at the current token if it is one of `words`, else null.
  private reservedHere(words: ReadonlySet<string>): string | null {
    const t = this.peek();
    if (t?.kind !== 'word' || t.word.parts.length !== 1) return null;
    const p = t.word.parts[0];
    if (p?.type !== 'lit' || p.quoted || !words.has(p.text)) return null;
    return p.text;
  }

  private expectReserved(word: string, context: string): void {
    if (this.reservedHere(new Set([word])) !== null) { this.i++; return; }
    const t = this.peek();
    if (t === undefined) throw new IncompleteInput(`'${word}' expected in ${context}`);
    throw new ShellSyntaxError(`unexpected token '${describe(t)}' (expected '${word}' in ${context})`);
  }

  // A body that must not be empty (POSIX requires at least one command).
  private body(stops: string[], context: string): Program {
    const items = this.list(new Set(stops));
    if (items.length === 0) {
      const t = this.peek();
      if (t === undefined) throw new IncompleteInput(`unfinished ${context}`);
      throw new ShellSyntaxError(`unexpected token '${describe(t)}' in ${context}`);
    }
    return items;
  }

  private peek(): Token | undefined { return this.tokens[this.i]; }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.op === op;
  }

  private linebreak(): void {
    while (this.isOp('\n')) this.i++;
  }

  // After an operator that needs a right-hand side: newlines are allowed, the end is not.
  private continuation(after: string): void {
    this.linebreak();
    if (this.peek() === undefined) throw new IncompleteInput(`after '${after}'`);
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'op' || (t.op !== '&&' && t.op !== '||')) return { first, rest };
      this.i++;
      this.continuation(t.op);
      rest.push({ op: t.op, pipeline: this.pipeline() });
    }
  }

  private pipeline(): Pipeline {
    let negate = false;
    const t = this.peek();
    if (t?.kind === 'word' && t.word.parts.length === 1 && t.word.parts[0]?.type === 'lit' && !t.word.parts[0].quoted && t.word.parts[0].text === '!') {
      negate = true;
      this.i++;
    }
    const commands = [this.command()];
    while (this.isOp('|')) {
      this.i++;
      this.continuation('|');
      commands.push(this.command());
    }
    return { negate, commands };
  }

  private command(): Command {
    const reserved = this.reservedHere(COMPOUND_START);
    const t = this.peek();
    if (reserved !== null) {
      this.i++;
      const c = this.compound(reserved);
      c.redirs = this.trailingRedirects();
      return c;
    }
    const next = this.tokens[this.i + 1];
    const after = this.tokens[this.i + 2];
    if (t?.kind === 'word' && next?.kind === 'op' && next.op === '(' && after?.kind === 'op' && after.op === ')') {
      const p = t.word.parts[0];
      if (t.word.parts.length !== 1 || p?.type !== 'lit' || p.quoted || !NAME.test(p.text) || RESERVED.has(p.text)) {
        throw new ShellSyntaxError(`'${p?.type === 'lit' ? p.text : 'word'}': not a valid function name`);
      }
      this.i += 3;
      this.linebreak();
      const open = this.reservedHere(COMPOUND_START);
      const o = this.peek();
      if (o === undefined) throw new IncompleteInput('function body');
      let body: CompoundCommand;
      if (open !== null) { this.i++; body = this.compound(open); } else if (o.kind === 'op' && o.op === '(') {
        this.i++;
        const inner = this.body([')'], 'subshell');
        if (!this.isOp(')')) throw new IncompleteInput("')' expected");
        this.i++;
        body = { kind: 'subshell', body: inner, redirs: [] };
      } else {
        throw new ShellSyntaxError(`unexpected token '${describe(o)}': a function body must be a compound command`);
      }
      body.redirs = this.trailingRedirects();
      return { kind: 'function', name: p.text, body, redirs: [] };
    }
    if (t?.kind === 'op' && t.op === '(') {
      this.i++;
      const body = this.body([')'], 'subshell');
      if (!this.isOp(')')) throw new IncompleteInput("')' expected");
      this.i++;
      return { kind: 'subshell', body, redirs: this.trailingRedirects() };
    }
    if (this.reservedHere(RESERVED) !== null) throw new ShellSyntaxError(`unexpected token '${describe(t)}'`);
    return this.simple();
  }

  private compound(word: string): CompoundCommand {
    switch (word) {
      case 'if': {
        const clauses: { cond: Program; body: Program }[] = [];
        let elseBody: Program | null = null;
        for (;;) {
          const cond = this.body(['then'], 'if');
          this.expectReserved('then', 'if');
          const body = this.body(['elif', 'else', 'fi'], 'if');
          clauses.push({ cond, body });
          const next = this.reservedHere(new Set(['elif', 'else', 'fi']));
          if (next === null) throw this.peek() === undefined ? new IncompleteInput("'fi' expected") : new ShellSyntaxError("'fi' expected");
          this.i++;
          if (next === 'elif') continue;
          if (next === 'else') { elseBody = this.body(['fi'], 'if'); this.expectReserved('fi', 'if'); }
          return { kind: 'if', clauses, elseBody, redirs: [] };
        }
      }
      case 'while': case 'until': {
        const cond = this.body(['do'], word);
        this.expectReserved('do', word);
        const body = this.body(['done'], word);
        this.expectReserved('done', word);
        return { kind: word, cond, body, redirs: [] };
      }
      case 'for': {
        const t = this.peek();
        if (t === undefined) throw new IncompleteInput('for');
        const first = t.kind === 'word' ? t.word.parts[0] : undefined;
        if (t.kind !== 'word' || t.word.parts.length !== 1 || first?.type !== 'lit' || first.quoted || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(first.text)) {
          throw new ShellSyntaxError(`bad for loop variable '${describe(t)}'`);
        }
        this.i++;
        let words: Word[] | null = null;
        this.linebreak();
        if (this.reservedHere(new Set(['in'])) !== null) {
          this.i++;
          words = [];
          for (;;) {
            const w = this.peek();
            if (w?.kind !== 'word') break;
            words.push(normalizeWord(w.word));
            this.i++;
          }
          const sep = this.peek();
          if (sep === undefined) throw new IncompleteInput('for');
          if (sep.kind !== 'op' || (sep.op !== ';' && sep.op !== '\n')) throw new ShellSyntaxError(`unexpected token '${describe(sep)}' in for`);
          this.i++;
        } else if (this.isOp(';')) {
          this.i++;
        }
        this.linebreak();
        this.expectReserved('do', 'for');
        const body = this.body(['done'], 'for');
        this.expectReserved('done', 'for');
        return { kind: 'for', name: first.text, words, body, redirs: [] };
      }
      case 'case': {
        const t = this.peek();
        if (t === undefined) throw new IncompleteInput('case');
        if (t.kind !== 'word') throw new ShellSyntaxError(`unexpected token '${describe(t)}' after case`);
        this.i++;
        const word = normalizeWord(t.word);
        this.linebreak();
        this.expectReserved('in', 'case');
        this.linebreak();
        const items: { patterns: Word[]; body: Program }[] = [];
        for (;;) {
          if (this.reservedHere(new Set(['esac'])) !== null) { this.i++; return { kind: 'case', word, items, redirs: [] }; }
          if (this.peek() === undefined) throw new IncompleteInput("'esac' expected");
          if (this.isOp('(')) this.i++;
          const patterns: Word[] = [];
          for (;;) {
            const pt = this.peek();
            if (pt === undefined) throw new IncompleteInput('case pattern');
            if (pt.kind !== 'word') throw new ShellSyntaxError(`unexpected token '${describe(pt)}' in case pattern`);
            patterns.push(normalizeWord(pt.word));
            this.i++;
            if (this.isOp('|')) { this.i++; continue; }
            if (this.isOp(')')) { this.i++; break; }
            if (this.peek() === undefined) throw new IncompleteInput('case pattern');
            throw new ShellSyntaxError(`unexpected token '${describe(this.peek())}' in case pattern`);
          }
          const body = this.list(new Set([';;', 'esac']));
          items.push({ patterns, body });
          if (this.isOp(';;')) { this.i++; this.linebreak(); continue; }
          if (this.reservedHere(new Set(['esac'])) === null) {
            if (this.peek() === undefined) throw new IncompleteInput("'esac' expected");
            throw new ShellSyntaxError(`unexpected token '${describe(this.peek())}' in case`);
          }
        }
      }
      default: {
        const body = this.body(['}'], 'group');
        this.expectReserved('}', 'group');
        return { kind: 'group', body, redirs: [] };
      }
    }
  }

  private trailingRedirects(): Redirect[] {
    const redirs: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'redir') return redirs;
      this.i++;
      redirs.push(this.redirectTarget(t));
    }
  }

  private redirectTarget(t: Extract<Token, { kind: 'redir' }>): Redirect {
    const target = this.peek();
    if (target === undefined) throw new ShellSyntaxError(`unexpected end of input after '${t.op}'`);
    if (target.kind !== 'word') throw new ShellSyntaxError(`unexpected token '${describe(target)}' after '${t.op}'`);
    this.i++;
    const fd = t.fd ?? (t.op.startsWith('<') ? 0 : 1);
    return { fd, op: t.op, target: normalizeWord(target.word) };
  }

  private simple(): SimpleCommand {
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    const redirs: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined || t.kind === 'op') break;
      this.i++;
      if (t.kind === 'redir') { redirs.push(this.redirectTarget(t)); continue; }
      const first = t.word.parts[0];
      const m = words.length === 0 && first?.type === 'lit' && !first.quoted ? ASSIGNMENT.exec(first.text) : null;
      if (m !== null && first?.type === 'lit') {
        const rest: WordPart[] = [{ type: 'lit', text: first.text.slice(m[0].length), quoted: false }, ...t.word.parts.slice(1)];
        assigns.push({ name: m[1] as string, value: normalizeWord({ parts: rest }) });
        continue;
      }
      words.push(normalizeWord(t.word));
    }
    if (assigns.length === 0 && words.length === 0 && redirs.length === 0) {
      throw new ShellSyntaxError(`unexpected token '${describe(this.peek())}'`);
    }
    return { kind: 'simple', assigns, words, redirs };
  }
}

/** Parses a complete input (any number of lines). */
export function parse(src: string): Program {
  return new Parser(tokenize(src)).program();
}

/** Whether `src` is a complete input (false when more lines could finish it). */
export function isComplete(src: string): boolean {
  try {
    parse(src);
    return true;
  } catch (e) {
    if (e instanceof IncompleteInput) return false;
    return true;
  }
}

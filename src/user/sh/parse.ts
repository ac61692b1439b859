// The shell's parser: tokens (lex.ts) → Program (ast.ts), by recursive descent over
//   program  := linebreak (andor (sep linebreak andor)* sep?)?
//   andor    := pipeline (('&&' | '||') linebreak pipeline)*
//   pipeline := '!'? command ('|' linebreak command)*
//   command  := (assignment | redirect)* (word | redirect)*   (at least one item)
// Pure: no syscalls. Input that stops after '|', '&&' or '||' throws IncompleteInput.

import type { Program, ListItem, AndOr, Pipeline, SimpleCommand, Word, WordPart, Redirect, Assignment } from './ast.js';
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
    const items: ListItem[] = [];
    this.linebreak();
    while (this.peek() !== undefined) {
      const andOr = this.andOr();
      const t = this.peek();
      let background = false;
      if (t?.kind === 'op' && (t.op === ';' || t.op === '&' || t.op === '\n')) {
        background = t.op === '&';
        this.i++;
      } else if (t !== undefined) {
        throw new ShellSyntaxError(`unexpected token '${describe(t)}'`);
      }
      items.push({ andOr, background });
      this.linebreak();
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

  private command(): SimpleCommand {
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    const redirs: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined || t.kind === 'op') break;
      this.i++;
      if (t.kind === 'redir') {
        const target = this.peek();
        if (target === undefined) throw new ShellSyntaxError(`unexpected end of input after '${t.op}'`);
        if (target.kind !== 'word') throw new ShellSyntaxError(`unexpected token '${describe(target)}' after '${t.op}'`);
        this.i++;
        const fd = t.fd ?? (t.op === '<' || t.op === '<&' || t.op === '<>' ? 0 : 1);
        redirs.push({ fd, op: t.op, target: normalizeWord(target.word) });
        continue;
      }
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
    return { assigns, words, redirs };
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

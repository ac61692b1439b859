// Word expansion, in POSIX order: tilde, parameters and command substitution, field
// splitting of unquoted results (on spaces, tabs, newlines), pathname expansion of
// unquoted glob characters, quote removal. Pure: the shell supplies variables,
// command substitution and directory listing through ExpandContext.

import type { Word, WordPart } from './ast.js';
import { expandGlob, hasGlob, type GlobChar } from './glob.js';
import { evaluateArithmetic, ArithmeticError } from './arith.js';
import { Lexer } from './lex.js';

export interface ExpandContext {
  /** A variable or special parameter (?, !, $, #, 0-9); undefined when unset. */
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
  /** $1, $2, ... for "$@". */
  positional(): string[];
  /** Runs a command line and returns its output without trailing newlines. */
  commandSubstitution(source: string): string;
  /** Names in a directory, or null; when absent, no pathname expansion happens. */
  listDir?(dir: string): string[] | null;
}

/** An error in expansion (e.g. ${x:?}); the command is not run. */
export class ExpansionError extends Error {
  constructor(message: string) { super(message); this.name = 'ExpansionError'; }
}

const IFS_WHITESPACE = new Set([' ', '\t', '\n']);

// The value of one parameter expansion, applying ${name:-word} and friends.
function paramValue(p: Extract<WordPart, { type: 'param' }>, ctx: ExpandContext): string {
  const value = p.name === '@' || p.name === '*' ? (ctx.positional().length > 0 ? ctx.positional().join(' ') : undefined) : ctx.getVar(p.name);
  const op = p.op;
  if (op === undefined) return value ?? '';
  const unsetOrEmpty = op.op.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (op.op) {
    case 'len': return String((value ?? '').length);
    case ':-': case '-': return unsetOrEmpty ? expandToString(op.word, ctx) : value ?? '';
    case ':+': case '+': return unsetOrEmpty ? '' : expandToString(op.word, ctx);
    case ':=': case '=': {
      if (!unsetOrEmpty) return value ?? '';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name)) throw new ExpansionError(`\${${p.name}}: cannot assign in this way`);
      const v = expandToString(op.word, ctx);
      ctx.setVar(p.name, v);
      return v;
    }
  }
}

function tildePrefix(word: Word, ctx: ExpandContext): { home: string; rest: WordPart[] } | null {
  const first = word.parts[0];
  if (first?.type !== 'lit' || first.quoted || !first.text.startsWith('~')) return null;
  const slash = first.text.indexOf('/');
  const user = slash < 0 ? first.text.slice(1) : first.text.slice(1, slash);
  if (user !== '') return null;
  if (slash < 0 && word.parts.length > 1) return null;
  const home = ctx.getVar('HOME') ?? '/';
  const remaining = slash < 0 ? '' : first.text.slice(slash);
  const rest: WordPart[] = remaining === '' ? [] : [{ type: 'lit', text: remaining, quoted: false }];
  return { home, rest: [...rest, ...word.parts.slice(1)] };
}

// $((...)): parameter and command substitutions inside first, then the arithmetic.
function arithValue(source: string, ctx: ExpandContext): string {
  const inner = new Lexer(source).innerWord();
  try {
    return String(evaluateArithmetic(expandToString(inner, ctx), (n) => ctx.getVar(n)));
  } catch (e) {
    if (e instanceof ArithmeticError) throw new ExpansionError(`${source.trim()}: ${e.message}`);
    throw e;
  }
}

/** Expands a word into fields (arguments): zero, one or many. */
export function expandWord(word: Word, ctx: ExpandContext): string[] {
  const fields: GlobChar[][] = [];
  let current: GlobChar[] | null = null;
  const add = (text: string, active: boolean): void => {
    current ??= [];
    for (const ch of text) current.push({ ch, active });
  };
  const split = (text: string): void => {
    for (const ch of text) {
      if (IFS_WHITESPACE.has(ch)) {
        if (current !== null) { fields.push(current); current = null; }
      } else {
        current ??= [];
        current.push({ ch, active: true });
      }
    }
  };
  let parts = word.parts;
  const tilde = tildePrefix(word, ctx);
  if (tilde !== null) { add(tilde.home, false); parts = tilde.rest; }
  for (const p of parts) {
    if (p.type === 'lit') { add(p.text, !p.quoted); continue; }
    if (p.type === 'param' && p.name === '@' && p.quoted && p.op === undefined) {
      const list = ctx.positional();
      list.forEach((arg, i) => {
        if (i > 0 && current !== null) { fields.push(current); current = null; }
        add(arg, false);
      });
      continue;
    }
    const value = p.type === 'param' ? paramValue(p, ctx) : p.type === 'arith' ? arithValue(p.source, ctx) : ctx.commandSubstitution(p.source);
    if (p.quoted) add(value, false);
    else split(value);
  }
  if (current !== null) fields.push(current);
  const out: string[] = [];
  for (const f of fields) {
    if (ctx.listDir !== undefined && hasGlob(f)) {
      const matches = expandGlob(f, ctx.listDir.bind(ctx));
      if (matches.length > 0) { out.push(...matches); continue; }
    }
    out.push(f.map((c) => c.ch).join(''));
  }
  return out;
}

/** Expands a case pattern: unquoted characters (also from expansions) keep their glob meaning. */
export function expandPattern(word: Word, ctx: ExpandContext): GlobChar[] {
  const out: GlobChar[] = [];
  const add = (text: string, active: boolean): void => { for (const ch of text) out.push({ ch, active }); };
  let parts = word.parts;
  const tilde = tildePrefix(word, ctx);
  if (tilde !== null) { add(tilde.home, false); parts = tilde.rest; }
  for (const p of parts) {
    if (p.type === 'lit') add(p.text, !p.quoted);
    else if (p.type === 'param') add(paramValue(p, ctx), !p.quoted);
    else if (p.type === 'arith') add(arithValue(p.source, ctx), !p.quoted);
    else add(ctx.commandSubstitution(p.source), !p.quoted);
  }
  return out;
}

/** Expands a word into one string: no field splitting, no globbing (assignments, redirection targets). */
export function expandToString(word: Word, ctx: ExpandContext): string {
  let out = '';
  let parts = word.parts;
  const tilde = tildePrefix(word, ctx);
  if (tilde !== null) { out += tilde.home; parts = tilde.rest; }
  for (const p of parts) {
    if (p.type === 'lit') out += p.text;
    else if (p.type === 'param') out += paramValue(p, ctx);
    else if (p.type === 'arith') out += arithValue(p.source, ctx);
    else out += ctx.commandSubstitution(p.source);
  }
  return out;
}

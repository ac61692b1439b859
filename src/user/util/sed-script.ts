// sed's script language, parsed into a flat program: commands with their addresses
// (N, $, /RE/, \cREc, FIRST~STEP; ranges A,B with B also +N), '!' negation, and
// blocks { } as jumps. Commands: s y p P d D n N q Q = a i c h H g G x b t : #.
// The sed program (bin/sed.ts) runs it.
import { posixToJs } from './regex.js';
import { UsageError } from './io.js';

export type Address = { kind: 'line'; n: number } | { kind: 'last' } | { kind: 'regex'; re: RegExp | null } | { kind: 'step'; first: number; step: number } | { kind: 'plus'; n: number };

export interface Command {
  a1?: Address;
  a2?: Address;
  negate: boolean;
  name: string;
  /** s: pattern (null: the last one used), replacement, flags. */
  re?: RegExp | null;
  replacement?: string;
  global?: boolean;
  occurrence?: number;
  print?: boolean;
  /** y: the map; a i c: text; b t: label; q: exit status; {: index of the matching }. */
  map?: Map<string, string>;
  text?: string;
  label?: string;
  target?: number;
  /** The range state while running: active since which line. */
  active?: boolean;
  end?: number;
}

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string { return this.s[this.i] ?? ''; }
  next(): string { return this.s[this.i++] ?? ''; }
  done(): boolean { return this.i >= this.s.length; }
  skipSpace(): void { while (!this.done() && /[ \t]/.test(this.peek())) this.i++; }
}

// Text up to an unescaped `delim`; "\delim" stands for delim and "\n" for a newline.
function delimited(c: Cursor, delim: string, isRegex: boolean): string {
  let out = '';
  let inBracket = false;
  for (;;) {
    if (c.done()) throw new UsageError(`unterminated ${isRegex ? 'address regex' : "'s' command"}`);
    const ch = c.next();
    if (isRegex && ch === '[' && !inBracket) {
      inBracket = true;
      out += ch;
      if (c.peek() === '^') out += c.next();
      if (c.peek() === ']') out += c.next();
      continue;
    }
    if (inBracket) {
      if (ch === ']') inBracket = false;
      out += ch;
      continue;
    }
    if (ch === delim) return out;
    if (ch === '\\') {
      const n = c.next();
      if (n === delim) out += delim;
      else if (n === 'n' && !isRegex) out += '\n';
      else out += '\\' + n;
      continue;
    }
    if (ch === '\n' && !isRegex) { out += '\n'; continue; }
    out += ch;
  }
}

function compile(source: string, extended: boolean, insensitive: boolean): RegExp | null {
  if (source === '') return null;
  try {
    return new RegExp(posixToJs(source, extended), `gs${insensitive ? 'i' : ''}`);
  } catch (e) {
    throw new UsageError(`-e expression: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function address(c: Cursor, extended: boolean): Address | undefined {
  const ch = c.peek();
  if (/\d/.test(ch)) {
    let digits = '';
    while (/\d/.test(c.peek())) digits += c.next();
    if (c.peek() === '~') {
      c.next();
      let step = '';
      while (/\d/.test(c.peek())) step += c.next();
      return { kind: 'step', first: Number(digits), step: Number(step || '0') };
    }
    return { kind: 'line', n: Number(digits) };
  }
  if (ch === '$') { c.next(); return { kind: 'last' }; }
  if (ch === '/' || ch === '\\') {
    c.next();
    const delim = ch === '/' ? '/' : c.next();
    const source = delimited(c, delim, true);
    let insensitive = false;
    while (c.peek() === 'I') { c.next(); insensitive = true; }
    return { kind: 'regex', re: compile(source, extended, insensitive) };
  }
  return undefined;
}

function restOfLine(c: Cursor): string {
  let out = '';
  while (!c.done() && c.peek() !== '\n') out += c.next();
  return out;
}

// a, i, c text: "a text" (GNU one-line form) or "a\" newline "text"; backslash-newline continues.
function textArgument(c: Cursor): string {
  c.skipSpace();
  if (c.peek() === '\\') { c.next(); if (c.peek() === '\n') c.next(); }
  let out = '';
  while (!c.done()) {
    const ch = c.next();
    if (ch === '\\') { const n = c.next(); out += n; continue; }
    if (ch === '\n') break;
    out += ch;
  }
  return out;
}

/** Parses a whole script (the -e parts joined by newlines). */
export function parseScript(script: string, extended: boolean): Command[] {
  const c = new Cursor(script);
  const program: Command[] = [];
  const blocks: number[] = [];
  for (;;) {
    while (!c.done() && /[ \t\n;]/.test(c.peek())) c.next();
    if (c.done()) break;
    if (c.peek() === '#') { restOfLine(c); continue; }
    const cmd: Command = { negate: false, name: '' };
    cmd.a1 = address(c, extended);
    if (cmd.a1 !== undefined && c.peek() === ',') {
      c.next();
      c.skipSpace();
      if (c.peek() === '+') { c.next(); let d = ''; while (/\d/.test(c.peek())) d += c.next(); cmd.a2 = { kind: 'plus', n: Number(d) }; } else cmd.a2 = address(c, extended);
      if (cmd.a2 === undefined) throw new UsageError('-e expression #1, char ' + c.i + ': unexpected `,\'');
    }
    c.skipSpace();
    while (c.peek() === '!') { c.next(); cmd.negate = true; c.skipSpace(); }
    cmd.name = c.next();
    switch (cmd.name) {
      case 's': {
        const delim = c.next();
        if (delim === '' || delim === '\n' || delim === '\\') throw new UsageError("unterminated `s' command");
        const source = delimited(c, delim, true);
        cmd.replacement = delimited(c, delim, false);
        let insensitive = false;
        for (;;) {
          const f = c.peek();
          if (f === 'g') { cmd.global = true; c.next(); } else if (f === 'p') { cmd.print = true; c.next(); } else if (f === 'i' || f === 'I') { insensitive = true; c.next(); } else if (/\d/.test(f)) {
            let d = '';
            while (/\d/.test(c.peek())) d += c.next();
            cmd.occurrence = Number(d);
            if (cmd.occurrence === 0) throw new UsageError("number option to `s' command may not be zero");
          } else break;
        }
        cmd.re = compile(source, extended, insensitive);
        break;
      }
      case 'y': {
        const delim = c.next();
        const from = delimited(c, delim, false).replace(/\\\\/g, '\\');
        const to = delimited(c, delim, false).replace(/\\\\/g, '\\');
        if ([...from].length !== [...to].length) throw new UsageError("strings for `y' command are different lengths");
        cmd.map = new Map([...from].map((ch, k) => [ch, [...to][k] as string]));
        break;
      }
      case 'a': case 'i': case 'c':
        cmd.text = textArgument(c);
        break;
      case 'b': case 't': case ':': {
        c.skipSpace();
        let label = '';
        while (!c.done() && !/[;\n]/.test(c.peek())) label += c.next();
        cmd.label = label.trim();
        if (cmd.name === ':' && cmd.label === '') throw new UsageError('":" lacks a label');
        break;
      }
      case 'q': case 'Q': {
        c.skipSpace();
        let d = '';
        while (/\d/.test(c.peek())) d += c.next();
        cmd.text = d;
        break;
      }
      case '{': blocks.push(program.length); break;
      case '}': {
        const open = blocks.pop();
        if (open === undefined) throw new UsageError('unexpected `}\'');
        (program[open] as Command).target = program.length + 1;
        break;
      }
      case 'p': case 'P': case 'd': case 'D': case 'n': case 'N': case '=': case 'h': case 'H': case 'g': case 'G': case 'x': break;
      default: throw new UsageError(cmd.name === '' ? 'missing command' : `unknown command: \`${cmd.name}'`);
    }
    program.push(cmd);
  }
  if (blocks.length > 0) throw new UsageError('unmatched `{\'');
  for (const cmd of program) {
    if ((cmd.name === 'b' || cmd.name === 't') && cmd.label !== '' && !program.some((o) => o.name === ':' && o.label === cmd.label)) {
      throw new UsageError(`can't find label for jump to \`${cmd.label}'`);
    }
  }
  return program;
}

// Syntax trees back to shell text: `quote` makes any string one shell word, and
// `printProgram` writes a Program that parses back to the same tree (the parser's
// unit tests check both as properties).

import type { Program, Pipeline, Command, SimpleCommand, Word, WordPart, Redirect } from './ast.js';

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word that expands to exactly `s` (no splitting, no globbing). */
export function quote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function printParam(p: Extract<WordPart, { type: 'param' }>, inDouble: boolean): string {
  if (p.op === undefined) return `\${${p.name}}`;
  if (p.op.op === 'len') return `\${#${p.name}}`;
  return `\${${p.name}${p.op.op}${printWord(p.op.word, inDouble ? 'brace-dq' : 'brace')}}`;
}

// Inside "...": backslash what the lexer would otherwise interpret. In the word of a
// "${x:-...}", '}' would end the substitution, so it is escaped too.
function printDoubleQuoted(text: string, insideBrace: boolean): string {
  return text.replace(insideBrace ? /[$`"\\}]/g : /[$`"\\]/g, (c) => `\\${c}`);
}

/**
 * Shell text for a word. Unquoted literals are written as they are: the parser only
 * makes them from characters that mean nothing special in that place.
 */
function printWord(word: Word, context: 'word' | 'brace' | 'brace-dq' = 'word'): string {
  let out = '';
  for (const p of word.parts) {
    if (context === 'brace-dq') {
      // Inside "${x:-...}" everything is quoted already.
      if (p.type === 'lit') out += printDoubleQuoted(p.text, true);
      else if (p.type === 'param') out += printParam(p, true);
      else if (p.type === 'arith') out += `$((${p.source}))`;
      else out += `$(${p.source})`;
      continue;
    }
    if (p.type === 'lit') {
      if (!p.quoted) out += p.text;
      else if (context === 'brace') out += `"${printDoubleQuoted(p.text, false)}"`;
      else out += `'${p.text.replace(/'/g, `'\\''`)}'`;
    } else if (p.type === 'param') {
      out += p.quoted ? `"${printParam(p, true)}"` : printParam(p, false);
    } else if (p.type === 'arith') {
      out += p.quoted ? `"$((${p.source}))"` : `$((${p.source}))`;
    } else {
      out += p.quoted ? `"$(${p.source})"` : `$(${p.source})`;
    }
  }
  return out;
}

function printRedirect(r: Redirect): string {
  const defaultFd = r.op.startsWith('<') ? 0 : 1;
  const fd = r.fd === defaultFd ? '' : String(r.fd);
  if (r.op === '<<') {
    // A here-document's body ends with a newline; written as a here-string (which
    // adds one) it fits on the command's line.
    const parts = r.target.parts.map((p) => ({ ...p }));
    const last = parts[parts.length - 1];
    if (last?.type === 'lit' && last.text.endsWith('\n')) last.text = last.text.slice(0, -1);
    return `${fd}<<<${printWord({ parts: parts.length === 0 ? [{ type: 'lit', text: '', quoted: true }] : parts })}`;
  }
  return `${fd}${r.op}${printWord(r.target)}`;
}

function printCommand(c: SimpleCommand): string {
  return [
    ...c.assigns.map((a) => `${a.name}=${printWord(a.value)}`),
    ...c.words.map((w) => printWord(w)),
    ...c.redirs.map(printRedirect),
  ].join(' ');
}

function printAnyCommand(c: Command): string {
  if (c.kind === 'simple') return printCommand(c);
  let text: string;
  switch (c.kind) {
    case 'if':
      text = c.clauses.map((cl, i) => `${i === 0 ? 'if' : 'elif'} ${printProgram(cl.cond)} then ${printProgram(cl.body)}`).join(' ') +
        (c.elseBody !== null ? ` else ${printProgram(c.elseBody)}` : '') + ' fi';
      break;
    case 'while': case 'until':
      text = `${c.kind} ${printProgram(c.cond)} do ${printProgram(c.body)} done`;
      break;
    case 'for':
      text = `for ${c.name}${c.words !== null ? ` in ${c.words.map((w) => printWord(w)).join(' ')};` : ''} do ${printProgram(c.body)} done`;
      break;
    case 'group':
      text = `{ ${printProgram(c.body)} }`;
      break;
    case 'subshell':
      text = `( ${printProgram(c.body)} )`;
      break;
    case 'case':
      text = `case ${printWord(c.word)} in ${c.items.map((it) => `(${it.patterns.map((p) => printWord(p)).join('|')}) ${printProgram(it.body)} ;;`).join(' ')} esac`;
      break;
    case 'function':
      text = `${c.name}() ${printAnyCommand(c.body)}`;
      break;
  }
  return [text, ...c.redirs.map(printRedirect)].join(' ');
}

function printPipeline(p: Pipeline): string {
  return (p.negate ? '! ' : '') + p.commands.map(printAnyCommand).join(' | ');
}

/** Shell text that parses back to `program`. */
export function printProgram(program: Program): string {
  return program.map((item) => {
    const a = item.andOr;
    const text = printPipeline(a.first) + a.rest.map((r) => ` ${r.op} ${printPipeline(r.pipeline)}`).join('');
    return text + (item.background ? ' &' : ';');
  }).join(' ');
}

export { printWord };

// ed: the line editor. Commands (with GNU ed's addresses and messages):
//   a i c  text input until a line ".";   d  delete;   p n l  print (numbered, unambiguous)
//   s/RE/TEXT/[g][p][N]  substitute (& and \1..\9 in TEXT; an empty RE: the last one)
//   j  join;  m ADDR  move;  t ADDR  copy;  r FILE  read after the line;  =  line number
//   w [FILE]  write;  wq;  q  quit (twice when modified);  Q  quit anyway;  e FILE  edit
//   f [FILE]  the file name;  h  the last error;  H  explain every error;  P  the prompt
//   newline  print the next line
// Addresses: N . $ +N -N + - /RE/ ?RE? and ADDR+N, ADDR-N; ranges A,B  A;B  ,  ;  %.
// Regular expressions are basic (util/regex.ts). An error prints "?" (and its reason
// with H); ed ends with status 1 if any command failed.
//   ed [-s] [-p PROMPT] [FILE]
import { open, close, write, O } from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { latin1, latin1Bytes, readInput } from '../util/bytes.js';
import { posixToJs } from '../util/regex.js';

class EdError extends Error {}

export function main(argv: string[]): number {
  return run('ed', () => {
    const args = parseArgs(argv.slice(1), { flags: 'sGv', options: 'p', long: { quiet: 's', silent: 's', prompt: 'p' } });
    if (args.operands.length > 1) throw new UsageError(`extra operand '${args.operands[1]}'`);
    return new Ed(args.flags.has('s'), args.options.get('p')).run(args.operands[0]);
  });
}

class Ed {
  private lines: string[] = [];
  private dot = 0;
  private file = '';
  private modified = false;
  private lastRe: RegExp | undefined;
  private lastError = '';
  private explain = false;
  private failed = false;
  private warnedQuit = false;
  private input: string[] = [];
  private inputAt = 0;
  private prompting: boolean;

  constructor(private readonly silent: boolean, private readonly prompt: string | undefined) {
    this.prompting = prompt !== undefined;
  }

  private say(s: string): void { stdout.write(s + '\n'); }

  private readLine(): string | null {
    if (this.inputAt === 0 && this.input.length === 0) {
      const text = latin1(readInput('-'));
      this.input = text.split('\n');
      if (this.input[this.input.length - 1] === '') this.input.pop();
    }
    if (this.inputAt >= this.input.length) return null;
    return this.input[this.inputAt++] as string;
  }

  run(file: string | undefined): number {
    if (file !== undefined) {
      this.file = file;
      try { this.load(file); } catch (e) { this.error(e instanceof EdError ? e.message : `${file}: No such file or directory`, true); }
    }
    for (;;) {
      if (this.prompting) stdout.write(this.prompt ?? '*');
      stdout.flush();
      const line = this.readLine();
      if (line === null) {
        if (this.modified && !this.warnedQuit) { this.warnedQuit = true; this.error('Warning: buffer modified'); continue; }
        break;
      }
      try {
        if (this.command(line) === 'quit') break;
      } catch (e) {
        if (!(e instanceof EdError)) throw e;
        this.error(e.message);
      }
    }
    stdout.flush();
    return this.failed ? 1 : 0;
  }

  private error(message: string, onLoad = false): void {
    this.lastError = message;
    this.failed = true;
    if (onLoad) { stdout.flush(); write(2, `${message}\n`); return; }
    this.say('?');
    if (this.explain) this.say(message);
  }

  private load(file: string): void {
    const text = latin1(readInput(file));
    this.lines = text === '' ? [] : text.split('\n');
    if (text.endsWith('\n')) this.lines.pop();
    this.dot = this.lines.length;
    this.modified = false;
    if (!this.silent) this.say(String(text.length + (text === '' || text.endsWith('\n') ? 0 : 1)));
  }

  // ---- addresses ----------------------------------------------------------------------

  private regex(source: string): RegExp {
    if (source === '') {
      if (this.lastRe === undefined) throw new EdError('No previous pattern');
      return this.lastRe;
    }
    try { this.lastRe = new RegExp(posixToJs(source, false)); } catch { throw new EdError('Invalid pattern'); }
    return this.lastRe;
  }

  // A delimited piece starting at s[at] (the delimiter): its text and the index after it.
  private delimited(s: string, at: number, allowOpen = true): [string, number] {
    const d = s[at] as string;
    let out = '';
    let i = at + 1;
    for (; i < s.length && s[i] !== d; i++) {
      if (s[i] === '\\' && i + 1 < s.length) { out += s[i + 1] === d ? d : s[i]! + s[i + 1]!; i++; continue; }
      out += s[i];
    }
    if (i >= s.length && !allowOpen) throw new EdError('Missing pattern delimiter');
    return [out, i < s.length ? i + 1 : i];
  }

  private search(source: string, forward: boolean): number {
    const re = this.regex(source);
    const n = this.lines.length;
    for (let k = 1; k <= n; k++) {
      const i = forward ? ((this.dot - 1 + k) % n) + 1 : ((this.dot - 1 - k + 2 * n) % n) + 1;
      if (re.test(this.lines[i - 1] as string)) return i;
    }
    throw new EdError('No match');
  }

  // One address at s[at]: [line or undefined, next index].
  private address(s: string, at: number): [number | undefined, number] {
    let i = at;
    let line: number | undefined;
    const c = s[i];
    if (c === '.') { line = this.dot; i++; } else if (c === '$') { line = this.lines.length; i++; } else if (c !== undefined && /[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(s.slice(i))![0];
      line = Number(m); i += m.length;
    } else if (c === '/' || c === '?') {
      const [re, next] = this.delimited(s, i);
      line = this.search(re, c === '/');
      i = next;
    }
    // Offsets: +N -N + - and a bare number after an address.
    for (;;) {
      const d = s[i];
      if (d === '+' || d === '-') {
        const m = /^[0-9]+/.exec(s.slice(i + 1));
        const n = m === null ? 1 : Number(m[0]);
        line = (line ?? this.dot) + (d === '+' ? n : -n);
        i += 1 + (m === null ? 0 : m[0].length);
      } else if (d === ' ' && line !== undefined && /^ +[0-9]/.test(s.slice(i))) {
        const m = /^ +([0-9]+)/.exec(s.slice(i))!;
        line += Number(m[1]);
        i += m[0].length;
      } else break;
    }
    return [line, i];
  }

  // The address range at the start of a command: [first, second, count given, next index].
  private range(s: string): [number, number, number, number] {
    let i = 0;
    while (s[i] === ' ') i++;
    if (s[i] === ',' || s[i] === '%') {
      const [b, next] = this.address(s, i + 1);
      if (b !== undefined) return [1, b, 2, next];
      return [1, this.lines.length, 2, i + 1];
    }
    if (s[i] === ';') {
      const [b, next] = this.address(s, i + 1);
      return [this.dot, b ?? this.lines.length, 2, next];
    }
    const [a, n1] = this.address(s, i);
    if (a === undefined) return [this.dot, this.dot, 0, n1];
    if (s[n1] === ',' || s[n1] === ';') {
      if (s[n1] === ';') this.dot = this.check(a);
      const [b, n2] = this.address(s, n1 + 1);
      return [a, b ?? this.lines.length, 2, n2];
    }
    return [a, a, 1, n1];
  }

  private check(n: number): number {
    if (n < 0 || n > this.lines.length) throw new EdError('Invalid address');
    return n;
  }

  // ---- commands -------------------------------------------------------------------------

  private textInput(): string[] {
    const out: string[] = [];
    for (;;) {
      const l = this.readLine();
      if (l === null || l === '.') return out;
      out.push(l);
    }
  }

  private printLines(a: number, b: number, mode: string): void {
    if (a < 1) throw new EdError('Invalid address');
    for (let i = a; i <= b; i++) {
      const l = this.lines[i - 1] as string;
      if (mode === 'n') this.say(`${i}\t${l}`);
      else if (mode === 'l') this.say(unambiguous(l));
      else this.say(l);
    }
    this.dot = b;
  }

  private command(raw: string): 'quit' | undefined {
    const parsed = this.range(raw);
    const given = parsed[2];
    let [a, b, , i] = parsed;
    while (raw[i] === ' ') i++;
    const cmd = raw[i] ?? '';
    const rest = raw.slice(i + 1);
    const needLines = (): void => {
      this.check(a); this.check(b);
      if (a > b) throw new EdError('Invalid address');
    };
    const suffix = (s: string): string => {
      if (s === '' ) return '';
      if (/^[pnl]$/.test(s)) return s;
      throw new EdError('Invalid command suffix');
    };
    switch (cmd) {
      case '': {
        // A newline alone: the next line (or the addressed one).
        const n = given === 0 ? this.dot + 1 : b;
        if (n < 1 || n > this.lines.length) throw new EdError('Invalid address');
        this.printLines(n, n, 'p');
        return undefined;
      }
      case 'p': case 'n': case 'l':
        needLines();
        this.printLines(a, b, cmd + suffix(rest).replace(cmd, ''));
        return undefined;
      case 'a': case 'i': {
        const at = this.check(b);
        const mode = suffix(rest);
        const text = this.textInput();
        const where = cmd === 'a' ? at : Math.max(0, at - 1);
        this.lines.splice(where, 0, ...text);
        this.dot = where + text.length;
        if (text.length > 0) this.modified = true;
        if (mode !== '' && this.dot > 0) this.printLines(this.dot, this.dot, mode);
        return undefined;
      }
      case 'c': {
        needLines();
        if (a < 1) throw new EdError('Invalid address');
        suffix(rest);
        const text = this.textInput();
        this.lines.splice(a - 1, b - a + 1, ...text);
        this.dot = text.length > 0 ? a - 1 + text.length : Math.min(a, this.lines.length);
        this.modified = true;
        return undefined;
      }
      case 'd': {
        needLines();
        if (a < 1) throw new EdError('Invalid address');
        const mode = suffix(rest);
        this.lines.splice(a - 1, b - a + 1);
        this.dot = a <= this.lines.length ? a : this.lines.length;
        this.modified = true;
        if (mode !== '') this.printLines(this.dot, this.dot, mode);
        return undefined;
      }
      case 'j': {
        if (given < 2) { a = this.dot; b = this.dot + 1; }
        needLines();
        if (a < 1) throw new EdError('Invalid address');
        suffix(rest);
        if (a === b) return undefined;
        this.lines.splice(a - 1, b - a + 1, this.lines.slice(a - 1, b).join(''));
        this.dot = a;
        this.modified = true;
        return undefined;
      }
      case 'm': case 't': {
        needLines();
        if (a < 1) throw new EdError('Invalid address');
        const [target, next] = this.address(rest, 0);
        suffix(rest.slice(next));
        const to = this.check(target ?? this.dot);
        const block = this.lines.slice(a - 1, b);
        if (cmd === 'm') {
          if (to >= a && to < b) throw new EdError('Invalid destination');
          this.lines.splice(a - 1, b - a + 1);
          const where = to >= b ? to - block.length : to;
          this.lines.splice(where, 0, ...block);
          this.dot = where + block.length;
        } else {
          this.lines.splice(to, 0, ...block);
          this.dot = to + block.length;
        }
        this.modified = true;
        return undefined;
      }
      case 's': return this.substitute(a, b, rest, needLines);
      case '=':
        suffix(rest);
        this.say(String(given === 0 ? this.lines.length : b));
        return undefined;
      case 'w': case 'W': {
        const quit = rest.startsWith('q');
        const name = (quit ? rest.slice(1) : rest).trim();
        if (given === 0) { a = 1; b = this.lines.length; }
        if (this.lines.length > 0) needLines();
        const target = name !== '' ? name : this.file;
        if (target === '') throw new EdError('No current filename');
        if (this.file === '') this.file = target;
        const text = this.lines.length === 0 ? '' : this.lines.slice(Math.max(a, 1) - 1, b).join('\n') + '\n';
        const fd = open(target, O.WRONLY | O.CREAT | (cmd === 'W' ? O.APPEND : O.TRUNC), 0o666);
        try { write(fd, latin1Bytes(text)); } finally { close(fd); }
        if (given === 0 || (a === 1 && b === this.lines.length)) this.modified = false;
        if (!this.silent) this.say(String(text.length));
        return quit ? 'quit' : undefined;
      }
      case 'r': {
        const name = rest.trim() || this.file;
        if (name === '') throw new EdError('No current filename');
        let text: string;
        try { text = latin1(readInput(name)); } catch { throw new EdError('Cannot open input file'); }
        const added = text === '' ? [] : text.replace(/\n$/, '').split('\n');
        const at = this.check(given === 0 ? this.lines.length : b);
        this.lines.splice(at, 0, ...added);
        this.dot = at + added.length;
        if (added.length > 0) this.modified = true;
        if (!this.silent) this.say(String(text.length));
        return undefined;
      }
      case 'e': case 'E': {
        if (cmd === 'e' && this.modified && !this.warnedQuit) { this.warnedQuit = true; throw new EdError('Warning: buffer modified'); }
        const name = rest.trim() || this.file;
        if (name === '') throw new EdError('No current filename');
        this.file = name;
        try { this.load(name); } catch { throw new EdError('Cannot open input file'); }
        this.warnedQuit = false;
        return undefined;
      }
      case 'f':
        if (rest.trim() !== '') this.file = rest.trim();
        this.say(this.file);
        return undefined;
      case 'q': case 'Q':
        if (rest.trim() !== '') throw new EdError('Invalid command suffix');
        if (cmd === 'q' && this.modified && !this.warnedQuit) { this.warnedQuit = true; throw new EdError('Warning: buffer modified'); }
        return 'quit';
      case 'h': if (this.lastError !== '') this.say(this.lastError); return undefined;
      case 'H': this.explain = !this.explain; if (this.explain && this.lastError !== '') this.say(this.lastError); return undefined;
      case 'P': this.prompting = !this.prompting; return undefined;
      default:
        throw new EdError('Unknown command');
    }
  }

  private substitute(a: number, b: number, rest: string, needLines: () => void): undefined {
    needLines();
    if (a < 1) throw new EdError('Invalid address');
    if (rest === '' || /[ \n]/.test(rest[0] as string)) throw new EdError('Missing pattern delimiter');
    const [pattern, afterRe] = this.delimited(rest, 0, false);
    const re = this.regex(pattern);
    const [replacement, afterText] = this.delimited(rest, afterRe - 1);
    const flags = rest.slice(afterText);
    const m = /^(g?)([0-9]*)(g?)([pnl]?)$/.exec(flags);
    if (m === null) throw new EdError('Invalid command suffix');
    const global = m[1] === 'g' || m[3] === 'g';
    const nth = m[2] === '' ? 1 : Number(m[2]);
    const g = new RegExp(re.source, 'g');
    let last = 0;
    for (let i = a; i <= b; i++) {
      const line = this.lines[i - 1] as string;
      let count = 0;
      let changed = false;
      const out = line.replace(g, (...found: unknown[]) => {
        const match = found[0] as string;
        const groups = found.slice(1, -2) as (string | undefined)[];
        count++;
        if (global ? count < nth : count !== nth) return match;
        changed = true;
        return expand(replacement, match, groups);
      });
      if (changed) {
        const parts = out.split('\n');
        this.lines.splice(i - 1, 1, ...parts);
        b += parts.length - 1;
        i += parts.length - 1;
        last = i;
      }
    }
    if (last === 0) throw new EdError('No match');
    this.dot = last;
    this.modified = true;
    if (m[4] !== '') this.printLines(last, last, m[4] as string);
    return undefined;
  }
}

// s's TEXT: & the match, \N a group, \& \\ literal, a backslash-newline a newline.
function expand(text: string, match: string, groups: readonly (string | undefined)[]): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '&') { out += match; continue; }
    if (c === '\\' && i + 1 < text.length) {
      const d = text[++i] as string;
      out += /[1-9]/.test(d) ? groups[Number(d) - 1] ?? '' : d === 'n' ? '\n' : d;
      continue;
    }
    out += c;
  }
  return out;
}

// l's form: escapes for control bytes and backslash, long lines folded, "$" at the end.
function unambiguous(line: string): string {
  const names: Record<string, string> = { '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  let out = '';
  let width = 0;
  for (const c of line) {
    const code = c.charCodeAt(0);
    const piece = names[c] ?? (code < 32 || code >= 127 ? '\\' + code.toString(8).padStart(3, '0') : c);
    if (width + piece.length > 71) { out += '\\\n'; width = 0; }
    out += piece;
    width += piece.length;
  }
  return out + '$';
}

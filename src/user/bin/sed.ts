// sed: the stream editor. sed [-n] [-E|-r] [-s] [-i[SUFFIX]] [-e SCRIPT]... [-f FILE]
// [SCRIPT] [FILE]... The script language is parsed in util/sed-script.ts; this file
// runs it: one cycle per input line (pattern space, hold space, the range states of
// addresses), printing the pattern space at the end of each cycle unless -n. A last
// line without '\n' is written back without one, as GNU sed does. -i edits each file
// in place (keeping FILE+SUFFIX when a suffix is given); -s numbers each file apart.
import { open, close, write, rename, O } from '../libc/index.js';
import { run, UsageError, HelpRequest, complain, errorText } from '../util/io.js';
import { readInput, latin1, latin1Bytes, textLines, ByteOutput } from '../util/bytes.js';
import { parseScript, type Command, type Address } from '../util/sed-script.js';

interface Line { text: string; newline: boolean }

// Replaces matches of `re` in `s` as sed's s command: the `occurrence`-th match (1 by
// default), and every later one with g. An empty match right after a match is skipped.
function substitute(s: string, re: RegExp, replacement: string, global: boolean, occurrence: number): string | null {
  let out = '';
  let pos = 0;
  let lastEnd = -1;
  let count = 0;
  let did = false;
  while (pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    if (m[0].length === 0 && start === lastEnd) {
      if (start >= s.length) break;
      out += s.slice(pos, start + 1);
      pos = start + 1;
      continue;
    }
    count++;
    if (count >= occurrence && (global || count === occurrence)) {
      out += s.slice(pos, start) + expand(replacement, m);
      did = true;
    } else {
      out += s.slice(pos, end);
    }
    lastEnd = end;
    if (m[0].length === 0) {
      if (start < s.length) out += s[start];
      pos = start + 1;
    } else {
      pos = end;
    }
    if (did && !global) break;
  }
  if (!did) return null;
  return out + s.slice(pos);
}

function expand(replacement: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i] as string;
    if (c === '&') { out += m[0]; continue; }
    if (c === '\\' && i + 1 < replacement.length) {
      const n = replacement[++i] as string;
      if (/[0-9]/.test(n)) out += n === '0' ? m[0] : m[Number(n)] ?? '';
      else if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else out += n;
      continue;
    }
    out += c;
  }
  return out;
}

class Editor {
  private hold = '';
  private lastRegex: RegExp | null = null;
  lineNo = 0;
  quitWith: number | null = null;
  constructor(private readonly program: Command[], private readonly quiet: boolean) {}

  private regex(re: RegExp | null): RegExp {
    const r = re ?? this.lastRegex;
    if (r === null) throw new UsageError('no previous regular expression');
    this.lastRegex = r;
    return r;
  }

  private matchOne(a: Address, ps: string, last: boolean): boolean {
    switch (a.kind) {
      case 'line': return this.lineNo === a.n;
      case 'last': return last;
      case 'step': return a.step <= 0 ? this.lineNo === a.first : this.lineNo >= a.first && (this.lineNo - a.first) % a.step === 0;
      case 'regex': { const r = this.regex(a.re); r.lastIndex = 0; return r.test(ps); }
      case 'plus': return false;
    }
  }

  private matches(cmd: Command, ps: string, last: boolean): boolean {
    if (cmd.a1 === undefined) return true;
    let hit: boolean;
    if (cmd.a2 === undefined) hit = this.matchOne(cmd.a1, ps, last);
    else if (cmd.active === true) {
      hit = true;
      const a2 = cmd.a2;
      if (a2.kind === 'line') { if (this.lineNo >= a2.n) cmd.active = false; hit = this.lineNo <= a2.n || this.matchOne(cmd.a1, ps, last); } else if (a2.kind === 'plus') { if (this.lineNo >= (cmd.end ?? 0)) cmd.active = false; } else if (this.matchOne(a2, ps, last)) cmd.active = false;
    } else if (this.matchOne(cmd.a1, ps, last)) {
      hit = true;
      const a2 = cmd.a2;
      if (a2.kind === 'line') cmd.active = a2.n > this.lineNo;
      else if (a2.kind === 'plus') { cmd.end = this.lineNo + a2.n; cmd.active = a2.n > 0; } else if (a2.kind === 'last') cmd.active = !last;
      else cmd.active = true;
    } else hit = false;
    return hit !== cmd.negate;
  }

  /** Runs the script over `lines`; returns the output text. */
  edit(lines: Line[]): string {
    let out = '';
    let missingNewline = false;
    const emit = (text: string, newline: boolean): void => {
      if (missingNewline) out += '\n';
      out += text;
      if (newline) out += '\n';
      missingNewline = !newline;
    };
    let index = 0;
    let ps = '';
    let psNewline = true;
    let carry = false;
    while (this.quitWith === null) {
      if (!carry) {
        if (index >= lines.length) break;
        const line = lines[index++] as Line;
        ps = line.text;
        psNewline = line.newline;
        this.lineNo++;
      }
      carry = false;
      const last = (): boolean => index >= lines.length;
      const appended: string[] = [];
      let autoprint = !this.quiet;
      let substituted = false;
      let pc = 0;
      cycle: while (pc < this.program.length) {
        const cmd = this.program[pc] as Command;
        if (!this.matches(cmd, ps, last())) {
          pc = cmd.name === '{' ? (cmd.target as number) : pc + 1;
          continue;
        }
        pc++;
        switch (cmd.name) {
          case 's': {
            const r = substitute(ps, this.regex(cmd.re ?? null), cmd.replacement ?? '', cmd.global === true, cmd.occurrence ?? 1);
            if (r !== null) {
              ps = r;
              substituted = true;
              if (cmd.print === true) emit(ps, psNewline);
            }
            break;
          }
          case 'y': ps = [...ps].map((ch) => cmd.map?.get(ch) ?? ch).join(''); break;
          case 'p': emit(ps, psNewline); break;
          case 'P': { const nl = ps.indexOf('\n'); emit(nl < 0 ? ps : ps.slice(0, nl), true); break; }
          case '=': emit(String(this.lineNo), true); break;
          case 'd': autoprint = false; break cycle;
          case 'D': {
            const nl = ps.indexOf('\n');
            autoprint = false;
            if (nl >= 0) { ps = ps.slice(nl + 1); carry = true; }
            break cycle;
          }
          case 'n':
            if (last()) { break cycle; }
            if (!this.quiet) emit(ps, psNewline);
            for (const t of appended.splice(0)) emit(t, true);
            ({ text: ps, newline: psNewline } = lines[index++] as Line);
            this.lineNo++;
            break;
          case 'N':
            if (last()) { break cycle; }
            for (const t of appended.splice(0)) emit(t, true);
            ps += '\n' + (lines[index] as Line).text;
            psNewline = (lines[index++] as Line).newline;
            this.lineNo++;
            break;
          case 'a': appended.push(cmd.text ?? ''); break;
          case 'i': emit(cmd.text ?? '', true); break;
          case 'c':
            autoprint = false;
            if (cmd.a2 === undefined || cmd.active !== true) emit(cmd.text ?? '', true);
            break cycle;
          case 'h': this.hold = ps; break;
          case 'H': this.hold += '\n' + ps; break;
          case 'g': ps = this.hold; break;
          case 'G': ps += '\n' + this.hold; break;
          case 'x': [ps, this.hold] = [this.hold, ps]; break;
          case 'b': case 't': {
            if (cmd.name === 't') { if (!substituted) break; substituted = false; }
            if (cmd.label === '') { pc = this.program.length; break; }
            pc = this.program.findIndex((o) => o.name === ':' && o.label === cmd.label);
            break;
          }
          case 'q': this.quitWith = Number(cmd.text || '0'); break cycle;
          case 'Q': this.quitWith = Number(cmd.text || '0'); autoprint = false; break cycle;
          default: break;
        }
      }
      if (autoprint) emit(ps, psNewline);
      for (const t of appended) emit(t, true);
    }
    return out;
  }
}

function linesOf(text: string): Line[] {
  return textLines(text).map((t, k, all) => ({ text: t, newline: k < all.length - 1 || text.endsWith('\n') }));
}

export function main(argv: string[]): number {
  return run('sed', () => {
    const scripts: string[] = [];
    const files: string[] = [];
    let quiet = false;
    let extended = false;
    let separate = false;
    let inPlace: string | null = null;
    const args = argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '--') { files.push(...args.slice(i + 1)); break; }
      if (a === '--help') throw new HelpRequest();
      if (a === '-e' || a === '--expression') { const s = args[++i]; if (s === undefined) throw new UsageError("option requires an argument -- 'e'"); scripts.push(s); continue; }
      if (a === '-f' || a === '--file') { const f = args[++i]; if (f === undefined) throw new UsageError("option requires an argument -- 'f'"); scripts.push(latin1(readInput(f)).replace(/\n$/, '')); continue; }
      if (a.startsWith('-i') || a.startsWith('--in-place')) { inPlace = a.startsWith('-i') ? a.slice(2) : a.replace(/^--in-place=?/, ''); separate = true; continue; }
      if (a === '--quiet' || a === '--silent') { quiet = true; continue; }
      if (a === '--regexp-extended') { extended = true; continue; }
      if (a === '--separate') { separate = true; continue; }
      if (a.startsWith('-') && a.length > 1 && !a.startsWith('--')) {
        for (const flag of a.slice(1)) {
          if (flag === 'n') quiet = true;
          else if (flag === 'E' || flag === 'r') extended = true;
          else if (flag === 's') separate = true;
          else if (flag === 'e') throw new UsageError("option requires an argument -- 'e'");
          else throw new UsageError(`invalid option -- '${flag}'`);
        }
        continue;
      }
      if (a.startsWith('--')) throw new UsageError(`unrecognized option '${a}'`);
      files.push(a);
    }
    if (scripts.length === 0) {
      const s = files.shift();
      if (s === undefined) throw new UsageError('no script specified');
      scripts.push(s);
    }
    const program = parseScript(scripts.join('\n'), extended);
    if (inPlace !== null && files.length === 0) throw new UsageError('no input files');
    const inputs = files.length > 0 ? files : ['-'];
    let status = 0;
    const read = (f: string): string | null => {
      try { return latin1(readInput(f)); } catch (e) { complain('sed', errorText(e, f)); status = 2; return null; }
    };
    if (!separate) {
      const texts = inputs.map(read).filter((t): t is string => t !== null);
      const lines = texts.flatMap(linesOf);
      // A file that lacks its last '\n' gets one when more input follows.
      let at = 0;
      for (const t of texts.slice(0, -1)) { at += linesOf(t).length; if (at > 0) (lines[at - 1] as Line).newline = true; }
      const editor = new Editor(program, quiet);
      const out = new ByteOutput();
      out.write(editor.edit(lines));
      out.flush();
      return editor.quitWith ?? status;
    }
    const editor = new Editor(program, quiet);
    for (const f of inputs) {
      const text = read(f);
      if (text === null) continue;
      editor.lineNo = 0;
      const result = editor.edit(linesOf(text));
      if (inPlace === null) { const out = new ByteOutput(); out.write(result); out.flush(); } else {
        const temp = `${f}.sed-tmp`;
        const fd = open(temp, O.WRONLY | O.CREAT | O.TRUNC);
        try { write(fd, latin1Bytes(result)); } finally { close(fd); }
        if (inPlace !== '') rename(f, f + inPlace);
        rename(temp, f);
      }
      if (editor.quitWith !== null) return editor.quitWith;
    }
    return status;
  });
}

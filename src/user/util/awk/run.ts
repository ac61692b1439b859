// awk's interpreter: walks the tree from awk/parse.ts over the input records. Holds
// the record and its fields (split lazily; assigning a field or NF rebuilds $0 with
// OFS), the variables and arrays, user functions with array parameters by reference,
// output streams (files, appends, pipes into `sh -c`) and input streams (getline from
// the main input, a file or a command). Control flow (next, exit, return, break,
// continue) travels as exceptions. Text is Latin-1 (one code unit per byte), so every
// comparison and length is by byte, as gawk's in the C locale.

import { seededRandom } from '../../../lib/random.js';
import { open, close, read, write, pipe, spawn, wait, O, SysError, Errno } from '../../libc/index.js';
import { latin1, latin1Bytes } from '../bytes.js';
import { posixToJs } from '../regex.js';
import type { Expr, LValue, Program, Stmt, FunctionDef, Redirect } from './parse.js';
import { StrNum, UNINIT, type Value, isNumeric, toNumber, toStr, truthy, numberToString, awkFormat } from './value.js';

/** A fatal run-time error: "awk: message", status 2. */
export class AwkRuntimeError extends Error {}

type AwkArray = Map<string, Value>;
type Cell = Value | AwkArray;

class NextRecord { }
class NextFile { }
class ExitProgram { constructor(readonly status: number) {} }
class ReturnValue { constructor(readonly value: Value) {} }
class BreakLoop { }
class ContinueLoop { }

// Reads records from a descriptor a chunk at a time (RS: newline, one character, "" for
// paragraphs, or longer: a regular expression).
class RecordReader {
  private buffer = '';
  private eof = false;
  constructor(readonly fd: number) {}

  private fill(): boolean {
    if (this.eof) return false;
    const chunk = read(this.fd, 65536);
    if (chunk.length === 0) { this.eof = true; return false; }
    this.buffer += latin1(chunk);
    return true;
  }

  next(rs: string, regexOf: (re: string) => RegExp): string | null {
    if (rs === '') return this.paragraph();
    for (;;) {
      if (rs.length === 1) {
        const at = this.buffer.indexOf(rs);
        if (at >= 0) { const r = this.buffer.slice(0, at); this.buffer = this.buffer.slice(at + 1); return r; }
      } else {
        const re = regexOf(rs);
        re.lastIndex = 0;
        const m = re.exec(this.buffer);
        if (m !== null && m[0].length > 0 && (this.eof || m.index + m[0].length < this.buffer.length)) {
          const r = this.buffer.slice(0, m.index);
          this.buffer = this.buffer.slice(m.index + m[0].length);
          return r;
        }
      }
      if (!this.fill()) {
        if (this.buffer === '') return null;
        const r = this.buffer;
        this.buffer = '';
        return r;
      }
    }
  }

  private paragraph(): string | null {
    for (;;) {
      const start = this.buffer.search(/[^\n]/);
      if (start < 0) { this.buffer = ''; if (!this.fill()) return null; continue; }
      const end = this.buffer.indexOf('\n\n', start);
      if (end >= 0) {
        let after = end;
        while (this.buffer[after] === '\n') after++;
        if (after < this.buffer.length || this.eof) {
          const r = this.buffer.slice(start, end);
          this.buffer = this.buffer.slice(after);
          return r;
        }
      }
      if (!this.fill()) {
        const r = this.buffer.slice(start).replace(/\n+$/, '');
        this.buffer = '';
        return r;
      }
    }
  }
}

interface OutStream { fd: number; pending: string[]; size: number; pid: number | undefined }
interface InStream { reader: RecordReader; fd: number; pid: number | undefined }

export interface AwkOptions {
  program: Program;
  /** ARGV[0..]: "awk" then the operands (files and assignments). */
  argv: string[];
  env: Record<string, string>;
  /** -v assignments, already split into name and (unescaped) value. */
  assignments: [string, string][];
  fs: string | undefined;
}

/** Runs a program; returns the exit status. */
export function runAwk(o: AwkOptions): number {
  return new Interpreter(o).run();
}

class Interpreter {
  private readonly globals = new Map<string, Cell>();
  private frames: Map<string, Cell>[] = [];
  private record = '';
  private fields: string[] | undefined = [];
  private nf = 0;
  private readonly regexes = new Map<string, RegExp>();
  private readonly outputs = new Map<string, OutStream>();
  private readonly inputs = new Map<string, InStream>();
  private readonly stdout: OutStream = { fd: 1, pending: [], size: 0, pid: undefined };
  private readonly rangeActive: boolean[];
  private main: RecordReader | undefined;
  private argIndex = 1;
  private seed = 0;
  private random: () => number = seededRandom(0);
  private exitStatus = 0;

  constructor(private readonly o: AwkOptions) {
    this.rangeActive = new Array<boolean>(o.program.ranges).fill(false);
    const set = (name: string, v: Value): void => { this.globals.set(name, v); };
    set('FS', o.fs ?? ' '); set('OFS', ' '); set('ORS', '\n'); set('RS', '\n'); set('NR', 0); set('FNR', 0);
    set('SUBSEP', '\x1c'); set('CONVFMT', '%.6g'); set('OFMT', '%.6g'); set('RSTART', 0); set('RLENGTH', -1); set('FILENAME', '');
    const argv: AwkArray = new Map();
    o.argv.forEach((a, i) => argv.set(String(i), new StrNum(a)));
    this.globals.set('ARGV', argv);
    set('ARGC', o.argv.length);
    const environ: AwkArray = new Map();
    for (const [k, v] of Object.entries(o.env)) environ.set(k, new StrNum(v));
    this.globals.set('ENVIRON', environ);
    for (const [name, value] of o.assignments) this.assignVariable(name, value);
  }

  run(): number {
    const rules = this.o.program.rules;
    try {
      try {
        for (const r of rules) if (r.pattern.k === 'begin') this.execOutsideRecords(r.action ?? [], 'BEGIN');
        const hasMain = rules.some((r) => r.pattern.k !== 'begin');
        if (hasMain) {
          for (;;) {
            const rec = this.nextMainRecord();
            if (rec === null) break;
            this.setRecord(rec);
            try {
              for (const r of rules) {
                if (r.pattern.k === 'begin' || r.pattern.k === 'end') continue;
                if (!this.matches(r.pattern)) continue;
                if (r.action === undefined) this.print([], undefined);
                else this.execBlock(r.action);
              }
            } catch (e) {
              if (e instanceof NextRecord) continue;
              if (e instanceof NextFile) { this.closeMain(); continue; }
              throw e;
            }
          }
        }
      } catch (e) {
        if (!(e instanceof ExitProgram)) throw e;
        this.exitStatus = e.status;
      }
      try {
        for (const r of rules) if (r.pattern.k === 'end') this.execOutsideRecords(r.action ?? [], 'END');
      } catch (e) {
        if (!(e instanceof ExitProgram)) throw e;
        this.exitStatus = e.status;
      }
    } finally {
      this.closeAll();
    }
    return this.exitStatus;
  }

  // ---- variables ----------------------------------------------------------------------

  private assignVariable(name: string, value: string): void {
    this.setVar(name, new StrNum(unescape(value)));
  }

  private cell(name: string): Cell | undefined {
    const frame = this.frames[this.frames.length - 1];
    if (frame?.has(name) === true) return frame.get(name);
    return this.globals.get(name);
  }

  private scope(name: string): Map<string, Cell> {
    const frame = this.frames[this.frames.length - 1];
    return frame?.has(name) === true ? frame : this.globals;
  }

  private getVar(name: string): Value {
    if (name === 'NF') { this.split(); return this.nf; }
    const c = this.cell(name);
    if (c instanceof Map) throw new AwkRuntimeError(`attempt to use array \`${name}' in a scalar context`);
    return c ?? UNINIT;
  }

  private setVar(name: string, v: Value): void {
    if (name === 'NF') { this.setNF(Math.trunc(toNumber(v))); return; }
    const scope = this.scope(name);
    if (scope.get(name) instanceof Map) throw new AwkRuntimeError(`attempt to use array \`${name}' in a scalar context`);
    scope.set(name, v);
  }

  private array(name: string): AwkArray {
    const scope = this.scope(name);
    const c = scope.get(name);
    if (c instanceof Map) return c;
    if (c !== undefined && c !== UNINIT) throw new AwkRuntimeError(`attempt to use scalar \`${name}' as an array`);
    const a: AwkArray = new Map();
    scope.set(name, a);
    return a;
  }

  private str(v: Value): string { return toStr(v, this.convfmt()); }
  private convfmt(): string { return toStr(this.globals.get('CONVFMT') as Value, '%.6g'); }
  private special(name: string): string { return this.str(this.getVar(name)); }

  private subscript(subs: Expr[]): string {
    return subs.length === 1 ? this.str(this.evaluate(subs[0] as Expr)) : subs.map((s) => this.str(this.evaluate(s))).join(this.special('SUBSEP'));
  }

  // ---- the record and its fields --------------------------------------------------------

  private setRecord(s: string): void { this.record = s; this.fields = undefined; }

  private split(): string[] {
    if (this.fields === undefined) {
      this.fields = this.splitText(this.record, this.special('FS'), this.special('RS') === '');
      this.nf = this.fields.length;
    }
    return this.fields;
  }

  private splitText(s: string, fs: string, paragraph = false): string[] {
    if (s === '') return [];
    if (fs === ' ') return s.split(/[ \t\n]+/).filter((x, i, all) => x !== '' || (i > 0 && i < all.length - 1));
    let parts: string[];
    if (fs === '') parts = [...s];
    else if (fs.length === 1 && fs !== '\\') parts = s.split(fs);
    else parts = this.splitRegex(s, this.regex(fs));
    if (paragraph && fs !== '\n') parts = parts.flatMap((p) => p.split('\n'));
    return parts;
  }

  private splitRegex(s: string, re: RegExp): string[] {
    const parts: string[] = [];
    let from = 0;
    const g = this.global(re);
    g.lastIndex = 0;
    for (;;) {
      const m = g.exec(s);
      if (m === null) break;
      if (m[0].length === 0) { g.lastIndex++; if (g.lastIndex > s.length) break; continue; }
      parts.push(s.slice(from, m.index));
      from = m.index + m[0].length;
    }
    parts.push(s.slice(from));
    return parts;
  }

  private getField(i: number): Value {
    if (i < 0) throw new AwkRuntimeError(`attempt to access field ${i}`);
    if (i === 0) return new StrNum(this.record);
    const f = this.split();
    return i <= f.length ? new StrNum(f[i - 1] as string) : UNINIT;
  }

  private setField(i: number, v: string): void {
    if (i < 0) throw new AwkRuntimeError(`attempt to access field ${i}`);
    if (i === 0) { this.setRecord(v); return; }
    const f = this.split();
    while (f.length < i) f.push('');
    f[i - 1] = v;
    this.nf = f.length;
    this.record = f.join(this.special('OFS'));
  }

  private setNF(n: number): void {
    if (n < 0) throw new AwkRuntimeError('NF set to negative value');
    const f = this.split();
    while (f.length < n) f.push('');
    f.length = n;
    this.nf = n;
    this.record = f.join(this.special('OFS'));
  }

  // ---- regular expressions ----------------------------------------------------------------

  private regex(source: string): RegExp {
    let re = this.regexes.get(source);
    if (re === undefined) {
      try {
        re = new RegExp(posixToJs(regexEscapes(source), true), 's');
      } catch (e) {
        throw new AwkRuntimeError(`invalid regular expression /${source}/: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.regexes.set(source, re);
    }
    return re;
  }

  private global(re: RegExp): RegExp {
    const key = '\0g' + re.source;
    let g = this.regexes.get(key);
    if (g === undefined) { g = new RegExp(re.source, 'gs'); this.regexes.set(key, g); }
    return g;
  }

  private regexOfExpr(e: Expr): RegExp {
    return e.k === 're' ? this.regex(e.re) : this.regex(this.str(this.evaluate(e)));
  }

  // ---- patterns and statements ------------------------------------------------------------

  private matches(p: Program['rules'][number]['pattern']): boolean {
    switch (p.k) {
      case 'always': return true;
      case 'expr': return truthy(this.evaluate(p.e));
      case 'range': {
        if (this.rangeActive[p.id] === true) {
          if (truthy(this.evaluate(p.to))) this.rangeActive[p.id] = false;
          return true;
        }
        if (!truthy(this.evaluate(p.from))) return false;
        this.rangeActive[p.id] = !truthy(this.evaluate(p.to));
        return true;
      }
      default: return false;
    }
  }

  private execOutsideRecords(body: readonly Stmt[], where: string): void {
    try { this.execBlock(body); } catch (e) {
      if (e instanceof NextRecord || e instanceof NextFile) throw new AwkRuntimeError(`next used in ${where}`);
      throw e;
    }
  }

  private execBlock(body: readonly Stmt[]): void { for (const s of body) this.exec(s); }

  private exec(s: Stmt): void {
    switch (s.k) {
      case 'expr': this.evaluate(s.e); return;
      case 'print': this.print(s.args, s.redirect); return;
      case 'printf': {
        const [format, ...rest] = s.args.map((a) => this.evaluate(a));
        this.output(s.redirect, awkFormat(this.str(format as Value), rest, this.convfmt()));
        return;
      }
      case 'if': if (truthy(this.evaluate(s.c))) this.exec(s.then); else if (s.else !== undefined) this.exec(s.else); return;
      case 'while':
        while (truthy(this.evaluate(s.c))) { if (this.loopBody(s.body)) break; }
        return;
      case 'do':
        do { if (this.loopBody(s.body)) break; } while (truthy(this.evaluate(s.c)));
        return;
      case 'for':
        if (s.init !== undefined) this.exec(s.init);
        while (s.c === undefined || truthy(this.evaluate(s.c))) {
          if (this.loopBody(s.body)) break;
          if (s.step !== undefined) this.exec(s.step);
        }
        return;
      case 'forin': {
        const a = this.array(s.arr);
        for (const key of [...a.keys()]) {
          if (!a.has(key)) continue;
          this.assign(s.v, new StrNum(key));
          if (this.loopBody(s.body)) break;
        }
        return;
      }
      case 'block': this.execBlock(s.body); return;
      case 'next': throw new NextRecord();
      case 'nextfile': throw new NextFile();
      case 'break': throw new BreakLoop();
      case 'continue': throw new ContinueLoop();
      case 'exit': throw new ExitProgram(s.e === undefined ? this.exitStatus : Math.trunc(toNumber(this.evaluate(s.e))) & 255);
      case 'return': throw new ReturnValue(s.e === undefined ? UNINIT : this.evaluate(s.e));
      case 'delete': {
        const a = this.array(s.name);
        if (s.subs === undefined) a.clear(); else a.delete(this.subscript(s.subs));
        return;
      }
    }
  }

  // Runs a loop body; true when it asked to break.
  private loopBody(body: Stmt): boolean {
    try { this.exec(body); } catch (e) {
      if (e instanceof BreakLoop) return true;
      if (e instanceof ContinueLoop) return false;
      throw e;
    }
    return false;
  }

  private print(args: Expr[], redirect: Redirect | undefined): void {
    const ofmt = this.special('OFMT');
    const text = args.length === 0 ? this.record : args.map((a) => {
      const v = this.evaluate(a);
      return typeof v === 'number' ? numberToString(v, ofmt) : this.str(v);
    }).join(this.special('OFS'));
    this.output(redirect, text + this.special('ORS'));
  }

  // ---- output ---------------------------------------------------------------------------

  private output(redirect: Redirect | undefined, text: string): void {
    const stream = redirect === undefined ? this.stdout : this.outStream(redirect);
    stream.pending.push(text);
    stream.size += text.length;
    if (stream.size >= 32768) this.flush(stream);
  }

  private flush(stream: OutStream): void {
    if (stream.pending.length === 0) return;
    const data = latin1Bytes(stream.pending.join(''));
    stream.pending = [];
    stream.size = 0;
    write(stream.fd, data);
  }

  private flushAll(): void {
    this.flush(this.stdout);
    for (const s of this.outputs.values()) this.flush(s);
  }

  private outStream(r: Redirect): OutStream {
    const name = this.str(this.evaluate(r.target));
    let s = this.outputs.get(name);
    if (s !== undefined) return s;
    if (r.mode === '|') {
      this.flushAll();
      const [rd, wr] = pipe();
      let pid: number;
      try { pid = spawn('/bin/sh', { argv: ['sh', '-c', name], env: this.o.env, fds: [[0, rd], [1, 1], [2, 2]] }); } finally { close(rd); }
      s = { fd: wr, pending: [], size: 0, pid };
    } else if (name === '/dev/stdout' || name === '-') {
      return this.stdout;
    } else {
      const fd = name === '/dev/stderr' ? 2 : open(name, O.WRONLY | O.CREAT | (r.mode === '>>' ? O.APPEND : O.TRUNC), 0o666);
      s = { fd, pending: [], size: 0, pid: undefined };
    }
    this.outputs.set(name, s);
    return s;
  }

  private closeStream(name: string): number {
    const out = this.outputs.get(name);
    let status = -1;
    if (out !== undefined) {
      this.outputs.delete(name);
      this.flush(out);
      if (out.fd > 2) close(out.fd);
      status = 0;
      if (out.pid !== undefined) { this.flush(this.stdout); status = exitStatusOf(wait(out.pid)); }
    }
    const input = this.inputs.get(name);
    if (input !== undefined) {
      this.inputs.delete(name);
      close(input.fd);
      status = input.pid !== undefined ? exitStatusOf(wait(input.pid)) : 0;
    }
    return status;
  }

  private closeAll(): void {
    this.flush(this.stdout);
    for (const name of [...this.outputs.keys(), ...this.inputs.keys()]) {
      try { this.closeStream(name); } catch (e) { if (!(e instanceof SysError && e.errno === Errno.EPIPE)) throw e; }
    }
  }

  // ---- input ----------------------------------------------------------------------------

  private closeMain(): void {
    if (this.main !== undefined && this.main.fd !== 0) close(this.main.fd);
    this.main = undefined;
  }

  // The next record of the main input: ARGV's operands in turn (NAME=VALUE ones are
  // assignments made when reached), or stdin when there are none.
  private nextMainRecord(): string | null {
    for (;;) {
      if (this.main === undefined) {
        const argc = Math.trunc(toNumber(this.getVar('ARGC')));
        const argv = this.array('ARGV');
        let opened = false;
        while (this.argIndex < argc) {
          const v = argv.get(String(this.argIndex++));
          const a = v === undefined ? '' : this.str(v);
          if (a === '') continue;
          if (/^[A-Za-z_][A-Za-z_0-9]*=/.test(a)) { const eq = a.indexOf('='); this.assignVariable(a.slice(0, eq), a.slice(eq + 1)); continue; }
          this.globals.set('FILENAME', new StrNum(a));
          try {
            this.main = new RecordReader(a === '-' || a === '/dev/stdin' ? 0 : open(a, O.RDONLY));
          } catch (e) {
            throw new AwkRuntimeError(`cannot open "${a}" (${e instanceof SysError ? e.message.replace(/^.*: /, '') : String(e)})`);
          }
          opened = true;
          break;
        }
        if (!opened) {
          if (this.usedStdin) return null;
          this.usedStdin = true;
          let anyFile = false;
          for (let i = 1; i < argc; i++) {
            const v = argv.get(String(i));
            const a = v === undefined ? '' : this.str(v);
            if (a !== '' && !/^[A-Za-z_][A-Za-z_0-9]*=/.test(a)) anyFile = true;
          }
          if (anyFile) return null;
          this.main = new RecordReader(0);
        }
        this.globals.set('FNR', 0);
      }
      const reader = this.main as RecordReader;
      const rec = reader.next(this.special('RS'), (re) => this.global(this.regex(re)));
      if (rec !== null) {
        this.globals.set('NR', toNumber(this.getVar('NR')) + 1);
        this.globals.set('FNR', toNumber(this.getVar('FNR')) + 1);
        return rec;
      }
      this.closeMain();
    }
  }

  private usedStdin = false;

  private getline(e: Extract<Expr, { k: 'getline' }>): Value {
    let rec: string | null;
    if (e.from === 'input') {
      rec = this.nextMainRecord();
      if (rec === null) return 0;
    } else {
      const name = this.str(this.evaluate(e.src as Expr));
      let s = this.inputs.get(name);
      if (s === undefined) {
        if (e.from === 'cmd') {
          this.flushAll();
          const [rd, wr] = pipe();
          let pid: number;
          try { pid = spawn('/bin/sh', { argv: ['sh', '-c', name], env: this.o.env, fds: [[0, 0], [1, wr], [2, 2]] }); } finally { close(wr); }
          s = { reader: new RecordReader(rd), fd: rd, pid };
        } else {
          let fd: number;
          try { fd = name === '-' || name === '/dev/stdin' ? 0 : open(name, O.RDONLY); } catch { return -1; }
          s = { reader: new RecordReader(fd), fd, pid: undefined };
        }
        this.inputs.set(name, s);
      }
      rec = s.reader.next(this.special('RS'), (re) => this.global(this.regex(re)));
      if (rec === null) return 0;
      if (e.from === 'cmd') this.globals.set('NR', toNumber(this.getVar('NR')) + 1);
    }
    if (e.target === undefined) this.setRecord(rec); else this.assign(e.target, new StrNum(rec));
    return 1;
  }

  // ---- expressions ----------------------------------------------------------------------

  private assign(target: LValue, v: Value): Value {
    switch (target.k) {
      case 'var': this.setVar(target.name, v); break;
      case 'field': this.setField(Math.trunc(toNumber(this.evaluate(target.e))), this.str(v)); break;
      case 'index': this.array(target.name).set(this.subscript(target.subs), v); break;
    }
    return v;
  }

  private evalLValue(target: LValue): Value {
    switch (target.k) {
      case 'var': return this.getVar(target.name);
      case 'field': return this.getField(Math.trunc(toNumber(this.evaluate(target.e))));
      case 'index': {
        const a = this.array(target.name);
        const key = this.subscript(target.subs);
        const v = a.get(key);
        if (v === undefined) { a.set(key, UNINIT); return UNINIT; }
        return v;
      }
    }
  }

  evaluate(e: Expr): Value {
    switch (e.k) {
      case 'num': return e.v;
      case 'str': return e.v;
      case 're': return this.regex(e.re).test(this.record) ? 1 : 0;
      case 'group': return this.evaluate(e.e);
      case 'var': case 'field': case 'index': return this.evalLValue(e);
      case 'assign': {
        if (e.op === '=') {
          return this.assign(e.target, this.evaluate(e.e));
        }
        const right = toNumber(this.evaluate(e.e));
        const left = toNumber(this.evalLValue(e.target));
        return this.assign(e.target, arith(e.op.slice(0, -1), left, right));
      }
      case 'cond': return truthy(this.evaluate(e.c)) ? this.evaluate(e.a) : this.evaluate(e.b);
      case 'and': return truthy(this.evaluate(e.a)) && truthy(this.evaluate(e.b)) ? 1 : 0;
      case 'or': return truthy(this.evaluate(e.a)) || truthy(this.evaluate(e.b)) ? 1 : 0;
      case 'in': return this.array(e.name).has(this.subscript(e.subs)) ? 1 : 0;
      case 'match': {
        const s = this.str(this.evaluate(e.e));
        return this.regexOfExpr(e.re).test(s) !== e.neg ? 1 : 0;
      }
      case 'unary': {
        const v = this.evaluate(e.e);
        if (e.op === '!') return truthy(v) ? 0 : 1;
        const n = toNumber(v);
        return e.op === '-' ? -n : n;
      }
      case 'incdec': {
        const old = toNumber(this.evalLValue(e.target));
        const now = e.op === '++' ? old + 1 : old - 1;
        this.assign(e.target, now);
        return e.prefix ? now : old;
      }
      case 'bin': return this.binary(e.op, e.a, e.b);
      case 'call': return this.call(e.name, e.args);
      case 'builtin': return this.builtin(e.name, e.args);
      case 'getline': return this.getline(e);
    }
  }

  private binary(op: string, a: Expr, b: Expr): Value {
    if (op === '') return this.str(this.evaluate(a)) + this.str(this.evaluate(b));
    const x = this.evaluate(a);
    const y = this.evaluate(b);
    if (RELATIONAL.has(op)) {
      let c: number;
      if (isNumeric(x) && isNumeric(y)) { const m = toNumber(x), n = toNumber(y); c = m < n ? -1 : m > n ? 1 : m === n ? 0 : NaN; } else { const s = this.str(x), t = this.str(y); c = s < t ? -1 : s > t ? 1 : 0; }
      switch (op) {
        case '<': return c < 0 ? 1 : 0;
        case '<=': return c <= 0 ? 1 : 0;
        case '>': return c > 0 ? 1 : 0;
        case '>=': return c >= 0 ? 1 : 0;
        case '==': return c === 0 ? 1 : 0;
        case '!=': return c !== 0 ? 1 : 0;
      }
    }
    return arith(op, toNumber(x), toNumber(y));
  }

  private call(name: string, args: Expr[]): Value {
    const f: FunctionDef | undefined = this.o.program.functions.get(name);
    if (f === undefined) throw new AwkRuntimeError(`function \`${name}' not defined`);
    if (args.length > f.params.length) throw new AwkRuntimeError(`function \`${name}' called with more arguments than declared`);
    if (this.frames.length > 1000) throw new AwkRuntimeError('function calls nested too deeply');
    const frame = new Map<string, Cell>();
    // A bare variable never set may be used as an array by the callee: if it is, the
    // caller's variable becomes that array.
    const lent: [string, string][] = [];
    f.params.forEach((p, i) => {
      const a = args[i];
      if (a === undefined) { frame.set(p, UNINIT); return; }
      if (a.k === 'var') {
        const c = this.cell(a.name);
        if (c instanceof Map) { frame.set(p, c); return; }
        if (c === undefined || c === UNINIT) { lent.push([a.name, p]); frame.set(p, UNINIT); return; }
      }
      frame.set(p, this.evaluate(a));
    });
    this.frames.push(frame);
    let result: Value = UNINIT;
    try {
      this.execBlock(f.body);
    } catch (e) {
      if (!(e instanceof ReturnValue)) throw e;
      result = e.value;
    } finally {
      this.frames.pop();
    }
    for (const [callerName, param] of lent) {
      const arr = frame.get(param);
      if (arr instanceof Map) this.scope(callerName).set(callerName, arr);
    }
    return result;
  }

  private builtin(name: string, args: Expr[]): Value {
    const arg = (i: number): Value => { const a = args[i]; return a === undefined ? UNINIT : this.evaluate(a); };
    const n = (i: number): number => toNumber(arg(i));
    const s = (i: number): string => this.str(arg(i));
    const need = (min: number, max: number): void => {
      if (args.length < min || args.length > max) throw new AwkRuntimeError(`${name}: called with ${args.length} arguments`);
    };
    switch (name) {
      case 'length': {
        need(0, 1);
        if (args.length === 0) return this.record.length;
        const a = args[0] as Expr;
        if (a.k === 'var') { const c = this.cell(a.name); if (c instanceof Map) return c.size; }
        return s(0).length;
      }
      case 'substr': {
        need(2, 3);
        const str = s(0);
        // As gawk: both truncated, a start before 1 counts as 1 (the length is kept).
        let start = Math.trunc(n(1));
        const len = args.length === 3 ? Math.trunc(n(2)) : Infinity;
        if (Number.isNaN(start) || Number.isNaN(len)) return '';
        if (start < 1) start = 1;
        if (len <= 0) return '';
        return str.slice(start - 1, len === Infinity ? undefined : start - 1 + len);
      }
      case 'index': need(2, 2); return s(0).indexOf(s(1)) + 1;
      case 'split': {
        need(2, 3);
        const text = s(0);
        const target = args[1] as Expr;
        if (target.k !== 'var') throw new AwkRuntimeError('split: second argument is not an array');
        let parts: string[];
        const sep = args[2];
        if (sep === undefined) parts = this.splitText(text, this.special('FS'));
        else if (sep.k === 're') parts = text === '' ? [] : this.splitRegex(text, this.regex(sep.re));
        else parts = this.splitText(text, this.str(this.evaluate(sep)));
        const a = this.array(target.name);
        a.clear();
        parts.forEach((p, i) => a.set(String(i + 1), new StrNum(p)));
        return parts.length;
      }
      case 'sub': case 'gsub': {
        need(2, 3);
        const re = this.regexOfExpr(args[0] as Expr);
        const repl = s(1);
        const target: LValue = args.length === 3 ? args[2] as LValue : { k: 'field', e: { k: 'num', v: 0 } };
        if (target.k !== 'var' && target.k !== 'field' && target.k !== 'index') throw new AwkRuntimeError(`${name}: third argument is not a variable`);
        const [text, count] = substitute(this.str(this.evalLValue(target)), this.global(re), repl, name === 'gsub');
        if (count > 0) this.assign(target, text);
        return count;
      }
      case 'match': {
        need(2, 2);
        const str = s(0);
        const m = this.regexOfExpr(args[1] as Expr).exec(str);
        const start = m === null ? 0 : m.index + 1;
        this.globals.set('RSTART', start);
        this.globals.set('RLENGTH', m === null ? -1 : m[0].length);
        return start;
      }
      case 'sprintf': {
        if (args.length === 0) throw new AwkRuntimeError('sprintf: no format');
        const [format, ...rest] = args.map((a) => this.evaluate(a));
        return awkFormat(this.str(format as Value), rest, this.convfmt());
      }
      case 'sin': need(1, 1); return Math.sin(n(0));
      case 'cos': need(1, 1); return Math.cos(n(0));
      case 'atan2': need(2, 2); return Math.atan2(n(0), n(1));
      case 'exp': need(1, 1); return Math.exp(n(0));
      case 'log': need(1, 1); return Math.log(n(0));
      case 'sqrt': need(1, 1); return Math.sqrt(n(0));
      case 'int': need(1, 1); return Math.trunc(n(0));
      case 'rand': need(0, 0); return this.random();
      case 'srand': {
        need(0, 1);
        const previous = this.seed;
        this.seed = args.length === 0 ? Math.trunc(Date.now() / 1000) : Math.trunc(n(0));
        this.random = seededRandom(this.seed);
        return previous;
      }
      case 'tolower': need(1, 1); return s(0).replace(/[A-Z]+/g, (m) => m.toLowerCase());
      case 'toupper': need(1, 1); return s(0).replace(/[a-z]+/g, (m) => m.toUpperCase());
      case 'system': {
        need(1, 1);
        const cmd = s(0);
        this.flushAll();
        const pid = spawn('/bin/sh', { argv: ['sh', '-c', cmd], env: this.o.env });
        const r = wait(pid);
        return r === null ? 0 : r.signal !== 0 ? 256 + r.signal : r.code;
      }
      case 'close': need(1, 2); return this.closeStream(s(0));
      case 'fflush': {
        need(0, 1);
        if (args.length === 0) this.flushAll();
        else { const out = this.outputs.get(s(0)); if (out === undefined) return -1; this.flush(out); }
        return 0;
      }
    }
    throw new AwkRuntimeError(`unknown function ${name}`);
  }
}

const RELATIONAL = new Set(['<', '<=', '>', '>=', '==', '!=']);

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': if (b === 0) throw new AwkRuntimeError('division by zero attempted'); return a / b;
    case '%': if (b === 0) throw new AwkRuntimeError('division by zero attempted in `%\''); return a % b;
    case '^': return Math.pow(a, b);
  }
  throw new AwkRuntimeError(`unknown operator ${op}`);
}

// sub/gsub: "&" is the match, "\&" a literal "&", "\\" one backslash. An empty match
// right after a previous match is not replaced (so gsub(/x*/, "-", "abc") is "-a-b-c-").
function substitute(text: string, re: RegExp, repl: string, all: boolean): [string, number] {
  let out = '';
  let at = 0;
  let count = 0;
  let lastEnd = -1;
  const expand = (m: string): string => {
    let r = '';
    for (let i = 0; i < repl.length; i++) {
      const c = repl[i] as string;
      if (c === '\\' && (repl[i + 1] === '&' || repl[i + 1] === '\\')) { r += repl[++i]; continue; }
      r += c === '&' ? m : c;
    }
    return r;
  };
  while (at <= text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) break;
    if (m[0].length === 0 && m.index === lastEnd) {
      if (m.index >= text.length) break;
      out += text.slice(at, m.index + 1);
      at = m.index + 1;
      continue;
    }
    out += text.slice(at, m.index) + expand(m[0]);
    count++;
    if (m[0].length === 0) {
      if (m.index < text.length) out += text[m.index];
      at = m.index + 1;
    } else {
      at = m.index + m[0].length;
    }
    lastEnd = m.index + m[0].length;
    if (!all) break;
  }
  if (at <= text.length) out += text.slice(at);
  return [out, count];
}

function exitStatusOf(r: { code: number; signal: number } | null): number {
  if (r === null) return 0;
  return r.signal !== 0 ? 256 + r.signal : r.code;
}

// awk's escapes inside a regular expression (\t, \n, \/, \", octal) become the
// characters; \\ and the regex's own escapes (\. \( ...) stay for posixToJs.
function regexEscapes(re: string): string {
  const map: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', a: '\x07', '/': '/', '"': '"' };
  return re.replace(/\\(\\|[tnrfva/"]|[0-7]{1,3})/g, (m, c: string) => (c === '\\' ? m : /^[0-7]/.test(c) ? String.fromCharCode(parseInt(c, 8) & 255) : map[c] ?? m));
}

/** A command-line value's escapes (-v and NAME=VALUE operands), as in string constants. */
export function unescape(s: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '/': '/', a: '\x07', b: '\b', f: '\f', v: '\v' };
  return s.replace(/\\([0-7]{1,3}|.)/gs, (m, c: string) => (/^[0-7]/.test(c) ? String.fromCharCode(parseInt(c, 8) & 255) : map[c] ?? m));
}

// test's expression evaluator, shared by /bin/test, /bin/[ and the shell builtins.
// Files: -e -f -d -L -h -b -c -p -s -r -w -x. Strings: -z -n = != (and a bare
// string). Integers: -eq -ne -lt -le -gt -ge. Logic: ! -a -o ( ).
import { stat, lstat, isReg, isDir, isLnk, isChr, isBlk, S, type Stat } from '../libc/index.js';
import { UsageError } from './io.js';

function fileTest(op: string, path: string): boolean {
  let st: Stat;
  try { st = op === '-L' || op === '-h' ? lstat(path) : stat(path); } catch { return false; }
  switch (op) {
    case '-e': return true;
    case '-f': return isReg(st.mode);
    case '-d': return isDir(st.mode);
    case '-L': case '-h': return isLnk(st.mode);
    case '-b': return isBlk(st.mode);
    case '-c': return isChr(st.mode);
    case '-p': return (st.mode & S.IFMT) === S.IFIFO;
    case '-s': return st.size > 0;
    case '-r': return (st.mode & 0o444) !== 0;
    case '-w': return (st.mode & 0o222) !== 0;
    case '-x': return (st.mode & 0o111) !== 0;
    default: return false;
  }
}

const UNARY = new Set(['-e', '-f', '-d', '-L', '-h', '-b', '-c', '-p', '-s', '-r', '-w', '-x', '-z', '-n']);
const BINARY = new Set(['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

function integer(s: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(s)) throw new UsageError(`${s}: integer expression expected`);
  return Number(s);
}

class Evaluator {
  i = 0;
  constructor(private readonly a: string[]) {}

  run(): boolean {
    if (this.a.length === 0) return false;
    const r = this.or();
    if (this.i < this.a.length) throw new UsageError(`extra argument '${this.a[this.i]}'`);
    return r;
  }

  private or(): boolean {
    let v = this.and();
    while (this.a[this.i] === '-o') { this.i++; const r = this.and(); v = v || r; }
    return v;
  }

  private and(): boolean {
    let v = this.not();
    while (this.a[this.i] === '-a') { this.i++; const r = this.not(); v = v && r; }
    return v;
  }

  private not(): boolean {
    if (this.a[this.i] === '!' && this.i + 1 < this.a.length) { this.i++; return !this.not(); }
    return this.primary();
  }

  private primary(): boolean {
    const x = this.a[this.i];
    if (x === undefined) throw new UsageError('argument expected');
    const next = this.a[this.i + 1];
    if (x === '(' && this.a.length - this.i > 2) {
      this.i++;
      const v = this.or();
      if (this.a[this.i] !== ')') throw new UsageError("')' expected");
      this.i++;
      return v;
    }
    if (next !== undefined && BINARY.has(next) && this.i + 2 < this.a.length) {
      const y = this.a[this.i + 2] as string;
      this.i += 3;
      switch (next) {
        case '=': case '==': return x === y;
        case '!=': return x !== y;
        case '-eq': return integer(x) === integer(y);
        case '-ne': return integer(x) !== integer(y);
        case '-lt': return integer(x) < integer(y);
        case '-le': return integer(x) <= integer(y);
        case '-gt': return integer(x) > integer(y);
        default: return integer(x) >= integer(y);
      }
    }
    if (UNARY.has(x) && next !== undefined) {
      this.i += 2;
      if (x === '-z') return next === '';
      if (x === '-n') return next !== '';
      return fileTest(x, next);
    }
    this.i++;
    return x !== '';
  }
}

/** Evaluates test's arguments (without argv[0] and the closing ']'). */
export function evaluateTest(args: string[]): boolean {
  return new Evaluator(args).run();
}


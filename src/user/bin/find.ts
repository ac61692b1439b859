// find: walks directory trees and prints (or acts on) the paths an expression
// selects. Tests: -name PAT, -iname PAT, -path PAT, -type [fdlcbps], -empty,
// -size [+-]N[ckMG]. Actions: -print, -exec CMD {} ';'. Operators: ! / -not, -a /
// -and (implied), -o / -or, ( ). Options: -maxdepth N, -mindepth N. Without an
// action, every selected path is printed.
import { lstat, readdir, spawn, wait, stat, isReg, isDir, S, type Stat } from '../libc/index.js';
import { run, complain, reasonOf, stdout, UsageError, HelpRequest } from '../util/io.js';
import { joinPath, baseName } from '../util/path.js';
import { segmentRegExp } from '../sh/glob.js';

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; inner: Node }
  | { kind: 'test'; test: (path: string, st: Stat) => boolean }
  | { kind: 'print' }
  | { kind: 'exec'; argv: string[] };

const TYPE_BITS: Record<string, number> = { f: S.IFREG, d: S.IFDIR, l: S.IFLNK, c: S.IFCHR, b: S.IFBLK, p: S.IFIFO, s: S.IFSOCK };

function globRe(pattern: string, flags = ''): RegExp {
  const re = segmentRegExp([...pattern].map((ch) => ({ ch, active: true })));
  return flags === '' ? re : new RegExp(re.source, re.flags + flags);
}

function pathRe(pattern: string): RegExp {
  // In -path, '*' matches '/' too.
  const re = globRe(pattern);
  return new RegExp(re.source.replace(/\.\*/g, '[\\s\\S]*'), re.flags);
}

class ExprParser {
  i = 0;
  hasAction = false;
  maxDepth = Infinity;
  minDepth = 0;
  constructor(private readonly args: string[]) {}

  parse(): Node | null {
    if (this.args.length === 0) return null;
    const n = this.or();
    if (this.i < this.args.length) throw new UsageError(`unexpected '${this.args[this.i]}'`);
    return n;
  }

  private or(): Node {
    let left = this.and();
    while (this.args[this.i] === '-o' || this.args[this.i] === '-or') {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    for (;;) {
      const a = this.args[this.i];
      if (a === undefined || a === '-o' || a === '-or' || a === ')') return left;
      if (a === '-a' || a === '-and') this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
  }

  private unary(): Node {
    const a = this.args[this.i];
    if (a === '!' || a === '-not') { this.i++; return { kind: 'not', inner: this.unary() }; }
    if (a === '(') {
      this.i++;
      const n = this.or();
      if (this.args[this.i] !== ')') throw new UsageError("missing ')'");
      this.i++;
      return n;
    }
    return this.primary();
  }

  private value(what: string): string {
    const v = this.args[this.i++];
    if (v === undefined) throw new UsageError(`missing argument to '${what}'`);
    return v;
  }

  private primary(): Node {
    const a = this.args[this.i++];
    if (a === undefined) throw new UsageError('expected an expression');
    switch (a) {
      case '-name': { const re = globRe(this.value(a)); return { kind: 'test', test: (p) => re.test(baseName(p)) }; }
      case '-iname': { const re = globRe(this.value(a), 'i'); return { kind: 'test', test: (p) => re.test(baseName(p)) }; }
      case '-path': case '-wholename': { const re = pathRe(this.value(a)); return { kind: 'test', test: (p) => re.test(p) }; }
      case '-type': {
        const types = this.value(a).split(',');
        const bits = types.map((t) => TYPE_BITS[t]);
        if (bits.some((b) => b === undefined)) throw new UsageError(`unknown argument to -type: ${types.join(',')}`);
        return { kind: 'test', test: (_p, st) => bits.includes(st.mode & S.IFMT) };
      }
      case '-empty': return { kind: 'test', test: (p, st) => (isReg(st.mode) ? st.size === 0 : isDir(st.mode) ? readdir(p).filter((e) => e.name !== '.' && e.name !== '..').length === 0 : false) };
      case '-size': {
        const v = this.value(a);
        const m = /^([+-]?)(\d+)([ckMGb]?)$/.exec(v);
        if (m === null) throw new UsageError(`invalid argument '${v}' to -size`);
        const unit = { c: 1, k: 1024, M: 1024 ** 2, G: 1024 ** 3, b: 512, '': 512 }[m[3] as 'c'];
        const n = Number(m[2]);
        return {
          kind: 'test', test: (_p, st) => {
            const size = Math.ceil(st.size / unit);
            return m[1] === '+' ? size > n : m[1] === '-' ? size < n : size === n;
          },
        };
      }
      case '-maxdepth': this.maxDepth = Number(this.value(a)); return { kind: 'test', test: () => true };
      case '-mindepth': this.minDepth = Number(this.value(a)); return { kind: 'test', test: () => true };
      case '-print': this.hasAction = true; return { kind: 'print' };
      case '-true': return { kind: 'test', test: () => true };
      case '-false': return { kind: 'test', test: () => false };
      case '-exec': {
        const argv: string[] = [];
        for (;;) {
          const t = this.args[this.i++];
          if (t === undefined) throw new UsageError("missing argument to '-exec'");
          if (t === ';') break;
          argv.push(t);
        }
        if (argv.length === 0) throw new UsageError("missing argument to '-exec'");
        this.hasAction = true;
        return { kind: 'exec', argv };
      }
      default: throw new UsageError(`unknown predicate '${a}'`);
    }
  }
}

function lookup(name: string, path: string): string {
  if (name.includes('/')) return name;
  for (const dir of path.split(':')) {
    const p = `${dir === '' ? '.' : dir}/${name}`;
    try { if (isReg(stat(p).mode)) return p; } catch { /* next */ }
  }
  return name;
}

export function main(argv: string[], env: Record<string, string>): number {
  return run('find', () => {
    if (argv[1] === '--help') throw new HelpRequest();
    const args = argv.slice(1).filter((a) => a !== '-P' && a !== '-H');
    let k = 0;
    while (k < args.length && !/^[-!(]/.test(args[k] as string)) k++;
    const roots = k > 0 ? args.slice(0, k) : ['.'];
    const parser = new ExprParser(args.slice(k));
    const expr = parser.parse();
    let status = 0;
    const evaluate = (n: Node, p: string, st: Stat): boolean => {
      switch (n.kind) {
        case 'and': return evaluate(n.left, p, st) && evaluate(n.right, p, st);
        case 'or': return evaluate(n.left, p, st) || evaluate(n.right, p, st);
        case 'not': return !evaluate(n.inner, p, st);
        case 'test': return n.test(p, st);
        case 'print': stdout.line(p); return true;
        case 'exec': {
          stdout.flush();
          const cmd = n.argv.map((x) => x.replace(/\{\}/g, p));
          try {
            const pid = spawn(lookup(cmd[0] as string, env['PATH'] ?? '/bin'), { argv: cmd, env });
            const r = wait(pid);
            return r !== null && r.signal === 0 && r.code === 0;
          } catch (e) {
            complain('find', `${cmd[0]}: ${reasonOf(e)}`);
            status = 1;
            return false;
          }
        }
      }
    };
    const visit = (p: string, depth: number): void => {
      let st: Stat;
      try { st = lstat(p); } catch (e) { complain('find', `'${p}': ${reasonOf(e)}`); status = 1; return; }
      if (depth >= parser.minDepth) {
        const selected = expr === null ? true : evaluate(expr, p, st);
        if (selected && !parser.hasAction) stdout.line(p);
      }
      if (isDir(st.mode) && depth < parser.maxDepth) {
        let entries;
        try { entries = readdir(p); } catch (e) { complain('find', `'${p}': ${reasonOf(e)}`); status = 1; return; }
        for (const e of entries) {
          if (e.name === '.' || e.name === '..') continue;
          visit(joinPath(p, e.name), depth + 1);
        }
      }
    };
    for (const r of roots) visit(r, 0);
    return status;
  });
}

// ls: lists directory contents.
//   -l long format   -a all (with . and ..)   -A almost all   -1 one per line
//   -d directories themselves   -h human sizes (with -l)   -i inode numbers
//   -R recursive   -C columns   -F type indicators   -n numeric owner and group
// With -l the owner and group are names from /etc/passwd and /etc/group.
// Names sort in byte order. Output is one name per line unless stdout is a terminal
// whose width the console reports (TIOCGWINSZ; the result's low 16 bits are the
// columns), as GNU ls does; -C asks for columns (80 wide) anyway.

import { lstat, stat, readlink, fstatat, readlinkat, open, close, getdents, clockGettime, ioctl, isDir, isLnk, isReg, type Stat, AT, O, CLOCK, S, TIOC } from '../libc/index.js';
import { run, complain, reasonOf, stdout, isatty } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { modeString, lsDate, sizeColumn, humanSize } from '../util/format.js';
import { joinPath } from '../util/path.js';
import { users, groups } from '../util/passwd.js';

interface Entry { name: string; path: string; st: Stat | null; target?: string }

interface Options {
  long: boolean; all: boolean; almostAll: boolean; one: boolean; directory: boolean;
  human: boolean; inode: boolean; recursive: boolean; columns: number; classify: boolean; numeric: boolean;
}

// The databases are read once per run, on the first long listing.
let names: { user: Map<number, string>; group: Map<number, string> } | undefined;
function ownerNames(): { user: Map<number, string>; group: Map<number, string> } {
  names ??= { user: new Map(users().map((u) => [u.uid, u.name])), group: new Map(groups().map((g) => [g.gid, g.name])) };
  return names;
}

const byName = (a: Entry, b: Entry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function indicator(st: Stat | null): string {
  if (st === null) return '';
  if (isDir(st.mode)) return '/';
  if (isLnk(st.mode)) return '@';
  if ((st.mode & S.IFMT) === S.IFIFO) return '|';
  if (isReg(st.mode) && (st.mode & 0o111) !== 0) return '*';
  return '';
}

function longLines(entries: readonly Entry[], o: Options, now: number): string[] {
  const rows = entries.map((e) => {
    const st = e.st;
    if (st === null) return ['?', '?', '?', '?', '?', '?', e.name];
    const size = o.human && (isReg(st.mode) || isDir(st.mode) || isLnk(st.mode)) ? humanSize(st.size) : sizeColumn(st);
    let name = e.name + (o.classify && !isLnk(st.mode) ? indicator(st) : '');
    if (isLnk(st.mode)) name += ` -> ${e.target ?? ''}`;
    const owner = o.numeric ? String(st.uid) : ownerNames().user.get(st.uid) ?? String(st.uid);
    const group = o.numeric ? String(st.gid) : ownerNames().group.get(st.gid) ?? String(st.gid);
    const row = [modeString(st.mode), String(st.nlink), owner, group, size, lsDate(st.mtimeNs, now), name];
    return o.inode ? [String(st.ino), ...row] : row;
  });
  // Mode, owner and group are left-aligned; numbers and dates right-aligned.
  const leftAligned = new Set(o.inode ? [1, 3, 4] : [0, 2, 3]);
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => {
    if (i === r.length - 1) return c;
    return leftAligned.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0);
  }).join(' '));
}

function shortNames(entries: readonly Entry[], o: Options): string[] {
  return entries.map((e) => (o.inode && e.st !== null ? `${e.st.ino} ` : '') + e.name + (o.classify ? indicator(e.st) : ''));
}

function columnize(names: readonly string[], width: number): string[] {
  if (names.length === 0) return [];
  const total = names.reduce((s, n) => s + n.length + 2, 0);
  if (total <= width) return [names.join('  ')];
  for (let cols = Math.min(names.length, Math.floor(width / 3)); cols > 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    const colWidths: number[] = [];
    for (let c = 0; c < cols; c++) {
      const col = names.slice(c * rows, (c + 1) * rows);
      colWidths.push(col.reduce((m, n) => Math.max(m, n.length), 0));
    }
    const lineWidth = colWidths.reduce((s, w) => s + w + 2, 0) - 2;
    if (lineWidth > width) continue;
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      let line = '';
      for (let c = 0; c < cols; c++) {
        const n = names[c * rows + r];
        if (n === undefined) continue;
        const isLastInRow = names[(c + 1) * rows + r] === undefined;
        line += isLastInRow ? n : n.padEnd((colWidths[c] ?? 0) + 2);
      }
      lines.push(line);
    }
    return lines;
  }
  return names.slice();
}

// The terminal's width when stdout is one that reports it, else 0.
function terminalColumns(): number {
  if (!isatty(1)) return 0;
  try { return ioctl(1, TIOC.GWINSZ) & 0xffff; } catch { return 0; }
}

function emit(entries: readonly Entry[], o: Options, now: number): void {
  if (o.long) { for (const l of longLines(entries, o, now)) stdout.line(l); return; }
  const names = shortNames(entries, o);
  if (o.columns > 0 && !o.one) for (const l of columnize(names, o.columns)) stdout.line(l);
  else for (const n of names) stdout.line(n);
}

function entryFor(name: string, path: string, o: Options, follow: boolean): Entry {
  let st = lstat(path);
  let target: string | undefined;
  if (isLnk(st.mode)) {
    if (follow) {
      try { st = stat(path); } catch { /* dangling: show the link */ }
    }
    if (isLnk(st.mode) && o.long) {
      try { target = readlink(path); } catch { target = '?'; }
    }
  }
  return target === undefined ? { name, path, st } : { name, path, st, target };
}

/** An entry of the directory open as `dirfd`, looked at while it is open (as GNU ls does: /proc/self/fd lists its own fd). */
function entryAt(dirfd: number, name: string, path: string, o: Options): Entry {
  const st = fstatat(dirfd, name, AT.SYMLINK_NOFOLLOW);
  if (!isLnk(st.mode) || !o.long) return { name, path, st };
  let target: string;
  try { target = readlinkat(dirfd, name); } catch { target = '?'; }
  return { name, path, st, target };
}

export function main(argv: string[]): number {
  return run('ls', () => {
    const args = parseArgs(argv.slice(1), { flags: 'laA1dhiRCFn', long: { all: 'a', 'almost-all': 'A', directory: 'd', 'human-readable': 'h', inode: 'i', recursive: 'R', classify: 'F', 'numeric-uid-gid': 'n' } });
    const f = args.flags;
    const o: Options = {
      long: f.has('l') || f.has('n'), all: f.has('a'), almostAll: f.has('A'), one: f.has('1'), directory: f.has('d'),
      human: f.has('h'), inode: f.has('i'), recursive: f.has('R'), columns: f.has('C') ? terminalColumns() || 80 : terminalColumns(), classify: f.has('F'), numeric: f.has('n'),
    };
    const now = clockGettime(CLOCK.REALTIME);
    const operands = args.operands.length > 0 ? args.operands : ['.'];
    let status = 0;
    const files: Entry[] = [];
    const dirs: Entry[] = [];
    for (const p of operands) {
      try {
        // Command-line symlinks are followed unless -l or -d asks about the link.
        const e = entryFor(p, p, o, !o.long && !o.directory);
        if (e.st !== null && isDir(e.st.mode) && !o.directory) {
          if (isLnk(lstat(p).mode) && o.long) files.push(e);
          else dirs.push(e);
        } else {
          files.push(e);
        }
      } catch (err) {
        complain('ls', `cannot access '${p}': ${reasonOf(err)}`);
        status = 1;
      }
    }
    files.sort(byName);
    dirs.sort(byName);
    emit(files, o, now);
    const showHeaders = operands.length > 1 || o.recursive;
    let first = files.length === 0;
    const listDir = (d: Entry): void => {
      if (!first) stdout.line('');
      first = false;
      if (showHeaders) stdout.line(`${d.path}:`);
      let names: string[];
      let dirfd: number;
      try {
        dirfd = open(d.path, O.RDONLY | O.DIRECTORY);
        try { names = getdents(dirfd).map((e) => e.name); } catch (err) { close(dirfd); throw err; }
      } catch (err) {
        complain('ls', `cannot open directory '${d.path}': ${reasonOf(err)}`);
        status = 1;
        return;
      }
      if (!o.all) names = names.filter((n) => !n.startsWith('.') || (o.almostAll && n !== '.' && n !== '..'));
      if (o.all && !names.includes('.')) names.push('.', '..');
      const entries: Entry[] = [];
      try {
        for (const n of names) {
          const path = joinPath(d.path, n);
          try { entries.push(entryAt(dirfd, n, path, o)); } catch (err) {
            complain('ls', `cannot access '${path}': ${reasonOf(err)}`);
            status = 1;
            entries.push({ name: n, path, st: null });
          }
        }
      } finally {
        close(dirfd);
      }
      entries.sort(byName);
      if (o.long) stdout.line(`total ${Math.ceil(entries.reduce((s, e) => s + (e.st?.blocks ?? 0), 0) / 2)}`);
      emit(entries, o, now);
      if (o.recursive) {
        for (const e of entries) {
          if (e.st !== null && isDir(e.st.mode) && e.name !== '.' && e.name !== '..') listDir(e);
        }
      }
    };
    for (const d of dirs) listDir(d);
    return status;
  });
}

// rm: removes files. -r/-R: directories and their contents. -f: ignore missing
// files, never complain about them. -d: remove empty directories. -v: say what.
//
// A tree is removed through directory fds (openat, unlinkat relative to the directory
// being emptied), never by joining path strings, so any tree rm can descend goes, at
// any depth: rm holds at most two directories open at a time, climbing back with
// openat(dir, "..") (the kernel keeps the walk that reached a directory).
import { lstat, unlink, rmdir, isDir, openat, unlinkat, fstatat, getdents, close, O, AT, SysError, Errno } from '../libc/index.js';
import { run, complain, reasonOf, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { joinPath, baseName } from '../util/path.js';

export function main(argv: string[]): number {
  return run('rm', () => {
    const args = parseArgs(argv.slice(1), { flags: 'rRfdvi', long: { recursive: 'r', force: 'f', dir: 'd', verbose: 'v' } });
    const recursive = args.flags.has('r') || args.flags.has('R');
    const force = args.flags.has('f');
    const verbose = args.flags.has('v');
    if (args.operands.length === 0 && !force) throw new UsageError('missing operand');
    let status = 0;
    const fail = (path: string, e: unknown): void => {
      if (force && e instanceof SysError && e.errno === Errno.ENOENT) return;
      complain('rm', `cannot remove '${path}': ${reasonOf(e)}`);
      status = 1;
    };
    // Empties and removes directory `name` in `parent` (a dir fd or AT.FDCWD); `shown` is its path for messages.
    const removeTree = (parent: number, name: string, shown: string): boolean => {
      let fd: number;
      try { fd = openat(parent, name, O.RDONLY | O.DIRECTORY | O.NOFOLLOW); } catch (e) { fail(shown, e); return false; }
      // One frame per directory below `name` that is being emptied: its name, and whether something in it stayed.
      const stack: { name: string; shown: string; kept: Set<string> }[] = [{ name, shown, kept: new Set() }];
      for (;;) {
        const here = stack[stack.length - 1]!;
        let sub: string | undefined;
        let entries;
        try { entries = getdents(fd); } catch (e) { fail(here.shown, e); entries = undefined; }
        for (const e of entries ?? []) {
          if (e.name === '.' || e.name === '..' || here.kept.has(e.name)) continue;
          const path = joinPath(here.shown, e.name);
          let st;
          try { st = fstatat(fd, e.name, AT.SYMLINK_NOFOLLOW); } catch (err) { fail(path, err); here.kept.add(e.name); continue; }
          if (isDir(st.mode)) { sub = e.name; break; }
          try { unlinkat(fd, e.name); } catch (err) { fail(path, err); here.kept.add(e.name); continue; }
          if (verbose) stdout.line(`removed '${path}'`);
        }
        if (entries === undefined) here.kept.add('');
        if (sub !== undefined) {
          let child: number;
          const path = joinPath(here.shown, sub);
          try { child = openat(fd, sub, O.RDONLY | O.DIRECTORY | O.NOFOLLOW); } catch (e) { fail(path, e); here.kept.add(sub); continue; }
          close(fd);
          fd = child;
          stack.push({ name: sub, shown: path, kept: new Set() });
          continue;
        }
        // `here` is as empty as it gets: go up and remove it there.
        stack.pop();
        const up = stack[stack.length - 1];
        if (up === undefined) {
          close(fd);
          if (here.kept.size > 0) return false;
          try { unlinkat(parent, name, AT.REMOVEDIR); } catch (e) { fail(shown, e); return false; }
          if (verbose) stdout.line(`removed directory '${shown}'`);
          return true;
        }
        let dotdot: number;
        try { dotdot = openat(fd, '..', O.RDONLY | O.DIRECTORY); } catch (e) { fail(up.shown, e); close(fd); return false; }
        close(fd);
        fd = dotdot;
        if (here.kept.size > 0) { up.kept.add(here.name); continue; }
        try {
          unlinkat(fd, here.name, AT.REMOVEDIR);
          if (verbose) stdout.line(`removed directory '${here.shown}'`);
        } catch (e) { fail(here.shown, e); up.kept.add(here.name); }
      }
    };
    const remove = (path: string): boolean => {
      let st;
      try { st = lstat(path); } catch (e) { fail(path, e); return false; }
      if (isDir(st.mode)) {
        if (recursive) return removeTree(AT.FDCWD, path, path);
        if (args.flags.has('d')) {
          try { rmdir(path); return true; } catch (e) { fail(path, e); return false; }
        }
        complain('rm', `cannot remove '${path}': Is a directory`);
        status = 1;
        return false;
      }
      try { unlink(path); } catch (e) { fail(path, e); return false; }
      if (verbose) stdout.line(`removed '${path}'`);
      return true;
    };
    for (const p of args.operands) {
      const base = baseName(p);
      if (base === '.' || base === '..' || p.replace(/\/+$/, '') === '') {
        complain('rm', `refusing to remove '.' or '..' directory: skipping '${p}'`);
        status = 1;
        continue;
      }
      remove(p);
    }
    return status;
  });
}

// rm: removes files. -r/-R: directories and their contents. -f: ignore missing
// files, never complain about them. -d: remove empty directories. -v: say what.
import { lstat, unlink, rmdir, readdir, isDir, SysError, Errno } from '../libc/index.js';
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
    const removeTree = (path: string): boolean => {
      let entries;
      try { entries = readdir(path); } catch (e) { fail(path, e); return false; }
      let ok = true;
      for (const e of entries) {
        if (e.name === '.' || e.name === '..') continue;
        ok = remove(joinPath(path, e.name)) && ok;
      }
      if (!ok) return false;
      try { rmdir(path); } catch (e) { fail(path, e); return false; }
      if (verbose) stdout.line(`removed directory '${path}'`);
      return true;
    };
    const remove = (path: string): boolean => {
      let st;
      try { st = lstat(path); } catch (e) { fail(path, e); return false; }
      if (isDir(st.mode)) {
        if (recursive) return removeTree(path);
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

// Resolving a guest path (relative to a directory fd) to an absolute kernel path,
// inside the sandbox of the preopen that directory came from.
//
// kernelkit has no openat, so every path_* call becomes "directory path + guest path".
// A guest path must not leave its preopen: absolute paths, '..' above the preopen and
// symbolic links that point outside it fail with ENOTCAPABLE. Under the preopen '/'
// nothing can escape (the kernel's own '/' is the edge), so the kernel walks the path
// and follows links itself (one syscall); under any other preopen this file walks the
// components, lstat-ing each and expanding links, so a link cannot lead outside.

import { lstat, readlink, isLnk, isDir, SysError } from '../libc/index.js';
import { E } from './constants.js';
import { WasiError } from './memory.js';

const MAX_LINKS = 40;

/**
 * wasi-libc (and so most C and Rust programs) turns a relative path into an absolute
 * one against its own cwd, which is always '/', and then strips the '/': "db.sqlite"
 * and "/db.sqlite" reach the host identically. To give a process launched in /home
 * its cwd without losing absolute paths, the preopen '/' then acts as the cwd laid
 * over the root: a path whose first component exists in the cwd, or exists in
 * neither, is taken relative to the cwd; one whose first component exists only in '/'
 * is taken from '/'. Returns the directory to resolve `guestPath` from.
 */
export function overlayBase(cwd: string, guestPath: string): string {
  const first = guestPath.split('/').find((p) => p !== '' && p !== '.');
  if (first === undefined || first === '..') return cwd;
  const exists = (p: string): boolean => {
    try { lstat(p); return true; } catch { return false; }
  };
  if (exists(join(cwd, [first]))) return cwd;
  return exists('/' + first) ? '/' : cwd;
}

function join(root: string, parts: string[]): string {
  if (parts.length === 0) return root;
  return (root === '/' ? '' : root) + '/' + parts.join('/');
}

/** Splits `dirPath` (below `root`) into components relative to root. */
function relativeParts(root: string, dirPath: string): string[] {
  if (dirPath === root) return [];
  const rest = root === '/' ? dirPath.slice(1) : dirPath.slice(root.length + 1);
  return rest.split('/').filter((p) => p !== '');
}

/**
 * The absolute kernel path for `guestPath` under directory `dirPath` (which lies in
 * the preopen `root`). `followFinal`: expand a symbolic link in the last component.
 * Throws WasiError (ENOTCAPABLE, ENOENT, ELOOP, ENOTDIR, EILSEQ).
 */
export function resolvePath(root: string, dirPath: string, guestPath: string, followFinal: boolean): string {
  if (guestPath.length === 0) throw new WasiError(E.NOENT);
  if (guestPath.includes('\0')) throw new WasiError(E.ILSEQ);
  if (guestPath.startsWith('/')) throw new WasiError(E.NOTCAPABLE);
  const trailingSlash = guestPath.endsWith('/');
  if (root === '/') return fastPath(dirPath, guestPath);

  const done = relativeParts(root, dirPath);
  const todo = guestPath.split('/').filter((p) => p !== '' && p !== '.');
  let links = 0;
  while (todo.length > 0) {
    const name = todo.shift() as string;
    if (name === '..') {
      if (done.length === 0) throw new WasiError(E.NOTCAPABLE);
      done.pop();
      continue;
    }
    if (name === '.') continue;
    done.push(name);
    const last = todo.length === 0;
    if (last && !followFinal && !trailingSlash) break;
    let st;
    try {
      st = lstat(join(root, done));
    } catch (e) {
      // A missing last component is fine (the caller may be creating it).
      if (last && e instanceof SysError && e.errno === 2) break;
      throw e;
    }
    if (isLnk(st.mode)) {
      if (++links > MAX_LINKS) throw new WasiError(E.LOOP);
      const target = readlink(join(root, done));
      if (target.startsWith('/')) throw new WasiError(E.NOTCAPABLE);
      done.pop();
      todo.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    if (!last && !isDir(st.mode)) throw new WasiError(E.NOTDIR);
  }
  return join(root, done) + (trailingSlash && done.length > 0 ? '/' : '');
}

// Under '/': only check that '..' never climbs above the directory's own path depth
// below '/', then hand the joined path to the kernel unchanged.
function fastPath(dirPath: string, guestPath: string): string {
  let depth = relativeParts('/', dirPath).length;
  for (const p of guestPath.split('/')) {
    if (p === '..') { if (--depth < 0) throw new WasiError(E.NOTCAPABLE); }
    else if (p !== '' && p !== '.') depth++;
  }
  return (dirPath === '/' ? '/' : dirPath + '/') + guestPath;
}

// Canonical paths for readlink -f and realpath: absolute, no ".", "..", repeated
// slashes or symbolic links. Resolution walks one component at a time with lstat and
// readlink, splicing a link's target in front of what is left.
import { lstat, readlink, getcwd, isLnk, isDir, SysError, Errno } from '../libc/index.js';

/** How much must exist: every component, all but the last, or nothing. */
export type Existence = 'all' | 'parent' | 'none';

/** The canonical form of `path`; throws SysError (ENOENT, ENOTDIR, ELOOP) as `must` demands. */
export function canonicalPath(path: string, must: Existence): string {
  if (path === '') throw new SysError(Errno.ENOENT, 'canonicalize', path);
  let pending = (path.startsWith('/') ? path : `${getcwd()}/${path}`).split('/').filter((c) => c !== '');
  const done: string[] = [];
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '.') continue;
    if (name === '..') { done.pop(); continue; }
    const here = '/' + [...done, name].join('/');
    if (missing) {
      if (must !== 'none') throw new SysError(Errno.ENOENT, 'canonicalize', path);
      done.push(name);
      continue;
    }
    let st;
    try {
      st = lstat(here);
    } catch (e) {
      const last = pending.length === 0;
      if (!(e instanceof SysError) || e.errno !== Errno.ENOENT || must === 'all' || (must === 'parent' && !last)) throw e;
      missing = true;
      done.push(name);
      continue;
    }
    if (isLnk(st.mode)) {
      if (++links > 40) throw new SysError(Errno.ELOOP, 'canonicalize', path);
      const target = readlink(here);
      if (target.startsWith('/')) done.length = 0;
      pending = [...target.split('/').filter((c) => c !== ''), ...pending];
      continue;
    }
    if (!isDir(st.mode) && pending.length > 0 && pending.some((c) => c !== '.')) {
      if (must !== 'none') throw new SysError(Errno.ENOTDIR, 'canonicalize', path);
    }
    done.push(name);
  }
  return '/' + done.join('/');
}

// Copying files and trees, shared by cp and mv (mv copies when rename crosses
// filesystems, EXDEV). Symbolic links inside a tree are copied as links.

import { open, close, read, write, fstat, lstat, mkdir, readdir, readlink, symlink, unlink, rmdir, isDir, isLnk, O, SysError, Errno } from '../libc/index.js';
import { joinPath } from './path.js';

/** Copies one regular file's bytes; the new file gets the source's permission bits. */
export function copyFile(src: string, dst: string): void {
  const from = open(src, O.RDONLY);
  try {
    const st = fstat(from);
    if (isDir(st.mode)) throw new SysError(Errno.EISDIR, 'open', src);
    const to = open(dst, O.WRONLY | O.CREAT | O.TRUNC, st.mode & 0o7777);
    try {
      for (;;) {
        const chunk = read(from, 65536);
        if (chunk.length === 0) break;
        write(to, chunk);
      }
    } finally {
      close(to);
    }
  } finally {
    close(from);
  }
}

/** Copies a file, link or directory tree; `report` gets each failure and copying goes on. */
export function copyTree(src: string, dst: string, report: (path: string, e: unknown) => void): boolean {
  let st;
  try { st = lstat(src); } catch (e) { report(src, e); return false; }
  try {
    if (isLnk(st.mode)) {
      const target = readlink(src);
      try { unlink(dst); } catch { /* nothing there */ }
      symlink(target, dst);
      return true;
    }
    if (!isDir(st.mode)) { copyFile(src, dst); return true; }
    try {
      mkdir(dst, st.mode & 0o7777);
    } catch (e) {
      if (!(e instanceof SysError && e.errno === Errno.EEXIST)) throw e;
      const existing = lstat(dst);
      if (!isDir(existing.mode)) throw new SysError(Errno.ENOTDIR, 'mkdir', dst);
    }
  } catch (e) {
    report(dst, e);
    return false;
  }
  let ok = true;
  let entries;
  try { entries = readdir(src); } catch (e) { report(src, e); return false; }
  for (const e of entries) {
    if (e.name === '.' || e.name === '..') continue;
    ok = copyTree(joinPath(src, e.name), joinPath(dst, e.name), report) && ok;
  }
  return ok;
}

/** Removes a file, link or directory tree (throws on the first failure). */
export function removeTree(path: string): void {
  const st = lstat(path);
  if (!isDir(st.mode)) { unlink(path); return; }
  for (const e of readdir(path)) {
    if (e.name === '.' || e.name === '..') continue;
    removeTree(joinPath(path, e.name));
  }
  rmdir(path);
}

// Permission checks: the Unix rules vfs applies to every filesystem, in one room so
// path resolution (namei.ts), open (files.ts) and the name calls (names.ts) only ask.
// The caller's ids come with every call (abi/cred.ts FsCred): the kernel passes the
// process's effective ids; vfs trusts them, as Linux's VFS trusts its syscall layer
// (only the kernel and peers granted `vfs` can call it).
//
//   search (x on a directory)      every directory a path walks through
//   read / write / execute         open (by access mode, O_TRUNC), exec, truncate
//   write + search on a directory  create, unlink, rmdir, rename, link, symlink, mkdir
//   sticky directory (+t)          unlink/rename only by the file's or directory's owner
//   owner                          chmod, chown (group), utimens; root for chown (user)
//
// Root (CAP_DAC_OVERRIDE) passes read, write and search checks; execute needs at
// least one x bit even for root, as in Linux.

import { isDir, isReg } from '../../abi/fs.js';
import type { SetAttr } from '../../abi/fs.js';
import { Errno, fail } from '../../abi/errno.js';
import { MAY, S_ISGID, S_ISUID, S_ISVTX, ROOT_UID, inGroup, type FsCred } from '../../abi/cred.js';

/** What a check needs of a file: its mode and owner. */
export interface Owned {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

const isRoot = (c: FsCred): boolean => c.uid === ROOT_UID;

/** Whether `c` may access `f` for `want` (MAY bits). */
export function permitted(c: FsCred, f: Owned, want: number): boolean {
  if (isRoot(c)) {
    // Root may execute only what someone may execute; directories are always searchable.
    return (want & MAY.EXEC) === 0 || isDir(f.mode) || (f.mode & 0o111) !== 0;
  }
  const bits = c.uid === f.uid ? (f.mode >> 6) & 7 : inGroup(c, f.gid) ? (f.mode >> 3) & 7 : f.mode & 7;
  return (bits & want) === want;
}

/** EACCES unless `c` may access `f` for `want`. */
export function requireAccess(c: FsCred, f: Owned, want: number): void {
  if (!permitted(c, f, want)) fail(Errno.EACCES);
}

/** Looking a name up in directory `dir`. */
export const requireSearch = (c: FsCred, dir: Owned): void => requireAccess(c, dir, MAY.EXEC);

/** Adding or removing a name in `dir`. */
export const requireDirWrite = (c: FsCred, dir: Owned): void => requireAccess(c, dir, MAY.WRITE | MAY.EXEC);

/** Removing or renaming away `victim` from `dir`: write+search, and the sticky bit's rule. */
export function requireRemove(c: FsCred, dir: Owned, victim: Owned): void {
  requireDirWrite(c, dir);
  if ((dir.mode & S_ISVTX) !== 0 && !isRoot(c) && c.uid !== victim.uid && c.uid !== dir.uid) fail(Errno.EPERM, 'sticky directory: not the owner');
}

/** What open(2) with `flags` asks of the file. */
export function openWants(accessMode: number, truncate: boolean): number {
  let want = 0;
  if (accessMode === 0 || accessMode === 2) want |= MAY.READ;
  if (accessMode === 1 || accessMode === 2 || truncate) want |= MAY.WRITE;
  return want;
}

/**
 * Checks a setattr by `c` on `f` and returns the attributes to apply: chmod and
 * utimens by the owner, chown of the user by root only, of the group by the owner to
 * one of their groups. chmod by a non-root caller outside the file's group drops
 * set-group-id; a chown of a regular file drops set-user-id and set-group-id.
 */
export function checkSetattr(c: FsCred, f: Owned, attr: SetAttr): SetAttr {
  const out: SetAttr = { ...attr };
  const owner = isRoot(c) || c.uid === f.uid;
  if (attr.mode !== undefined) {
    if (!owner) fail(Errno.EPERM, 'chmod: not the owner');
    if (!isRoot(c) && !inGroup(c, f.gid)) out.mode = attr.mode & ~S_ISGID;
  }
  const uidChange = attr.uid !== undefined && attr.uid !== f.uid;
  const gidChange = attr.gid !== undefined && attr.gid !== f.gid;
  if (uidChange && !isRoot(c)) fail(Errno.EPERM, 'chown: only root may give a file away');
  if (gidChange && !isRoot(c) && (c.uid !== f.uid || !inGroup(c, attr.gid!))) fail(Errno.EPERM, 'chgrp: not the owner, or not a member of that group');
  if ((attr.uid !== undefined || attr.gid !== undefined) && !owner && !isRoot(c)) fail(Errno.EPERM);
  if ((uidChange || gidChange) && isReg(f.mode) && attr.mode === undefined && (f.mode & (S_ISUID | S_ISGID)) !== 0) {
    out.mode = f.mode & 0o7777 & ~(S_ISUID | S_ISGID);
  }
  if (attr.size !== undefined) requireAccess(c, f, MAY.WRITE);
  // NOTE: utimens(2) lets a writer set "now" but only the owner set a given time; the
  // kernel has turned UTIME_NOW into a time by here, so vfs asks owner-or-writer for both.
  if ((attr.atimeNs !== undefined || attr.mtimeNs !== undefined) && !owner && !permitted(c, f, MAY.WRITE)) fail(Errno.EPERM, 'utimens: not the owner');
  return out;
}

/** The owner of a file `c` creates in `dir`: the caller, with the directory's group when it is set-group-id (BSD rule). */
export function newOwner(c: FsCred, dir: Owned): { uid: number; gid: number } {
  return { uid: c.uid, gid: (dir.mode & S_ISGID) !== 0 ? dir.gid : c.gid };
}

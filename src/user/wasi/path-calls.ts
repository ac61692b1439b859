// path_* calls: everything that names a file by (directory fd, relative path). Each
// is the matching *at syscall on the directory's kernel fd with RESOLVE_BENEATH
// (path.ts): the kernel walks the path and keeps it inside the directory.

import {
  openat, fstatat, fstat, mkdirat, unlinkat, renameat, linkat, symlinkat, readlinkat, utimensat,
  ioctl, O, AT, TIOC, isChr, isDir,
} from '../libc/index.js';
import { E, R, OFLAGS, FILETYPE, LOOKUP_SYMLINK_FOLLOW, RIGHTS_DIR, RIGHTS_FILE, RIGHTS_SOCKET, RIGHTS_TTY } from './constants.js';
import { call, putFilestat, linuxFdflags, filetypeOfMode, type WasiContext } from './context.js';
import { timesFromFlags } from './fd-calls.js';
import type { FdEntry } from './fd-table.js';
import { WasiError, encode } from './memory.js';
import { checkGuestPath, leftDirectory } from './path.js';

const u = (x: number): number => x >>> 0;

/** Whether kernel fd `kfd` (a character device) is a terminal. */
function isTerminal(kfd: number): boolean {
  try {
    ioctl(kfd, TIOC.GPGRP);
    return true;
  } catch {
    return false;
  }
}

/** A table entry for a freshly opened kernel fd: its type, and rights cut down to what that type can do and to `allowed`. */
export function describe(kfd: number, allowed: bigint, inheriting: bigint, flags: number): FdEntry {
  const st = fstat(kfd);
  const type = filetypeOfMode(st.mode);
  const e: FdEntry = { kfd, type, rightsBase: 0n, rightsInheriting: inheriting, flags };
  if (isDir(st.mode)) {
    e.rightsBase = allowed & RIGHTS_DIR;
  } else {
    const rights = type === FILETYPE.SOCKET_STREAM ? RIGHTS_SOCKET : isChr(st.mode) && isTerminal(kfd) ? RIGHTS_TTY : RIGHTS_FILE;
    e.rightsBase = allowed & rights;
    e.rightsInheriting = 0n;
  }
  return e;
}

/** Where a guest path under directory entry `d` starts: its kernel dir fd (every call adds RESOLVE_BENEATH). */
interface Start { kfd: number; path: string }

function startIn(d: FdEntry, guestPath: string): Start {
  return { kfd: d.kfd, path: checkGuestPath(guestPath) };
}

// RESOLVE_BENEATH's EXDEV is the guest leaving its directory: EPERM, as wasmtime
// answers (cap-std's "a path led outside of the filesystem"; uvwasi says ENOTCAPABLE).
function capable<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (leftDirectory(e)) throw new WasiError(E.PERM);
    throw e;
  }
}

/**
 * The mode a WASI program's new file gets: WASI has no permission bits, so 0666 (less
 * the umask), except that a new `.wasm` file gets 0777: a linker (wasm-ld) cannot
 * chmod its output under WASI, and kernelkit runs .wasm files as programs.
 */
export function createMode(path: string): number {
  return path.endsWith('.wasm') ? 0o777 : 0o666;
}

export function pathCalls(ctx: WasiContext): Record<string, (...args: never[]) => number> {
  const { mem, fds } = ctx;

  // Where (dirfd, guest path) starts, after checking the directory holds `right`.
  const at = (fd: number, right: bigint, ptr: number, len: number): Start => startIn(fds.dir(fd, right), mem.string(u(ptr), u(len)));

  return {
    path_open: call((dirfd: number, dirflags: number, pathPtr: number, pathLen: number, oflags: number,
      base: bigint, inheriting: bigint, fdflags: number, fdPtr: number) => {
      const d = fds.dir(dirfd, R.PATH_OPEN);
      if (oflags & OFLAGS.CREAT && ((d.dropped ?? 0n) & R.PATH_CREATE_FILE) !== 0n) throw new WasiError(E.NOTCAPABLE);
      if (oflags & ~0xf || fdflags & ~0x1f) throw new WasiError(E.INVAL);
      const follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const s = startIn(d, mem.string(u(pathPtr), u(pathLen)));
      const wantRead = (base & (R.FD_READ | R.FD_READDIR)) !== 0n;
      const wantWrite = (base & (R.FD_WRITE | R.FD_DATASYNC | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE)) !== 0n ||
        (oflags & OFLAGS.TRUNC) !== 0;
      let flags = wantWrite ? (wantRead ? O.RDWR : O.WRONLY) : O.RDONLY;
      if (oflags & OFLAGS.CREAT) flags |= O.CREAT;
      if (oflags & OFLAGS.EXCL) flags |= O.EXCL;
      if (oflags & OFLAGS.TRUNC) flags |= O.TRUNC;
      if (oflags & OFLAGS.DIRECTORY) flags |= O.DIRECTORY;
      if (!follow) flags |= O.NOFOLLOW;
      flags |= linuxFdflags(fdflags);
      flags |= O.RESOLVE_BENEATH;
      const kfd = capable(() => openat(s.kfd, s.path, flags, createMode(s.path)));
      let entry: FdEntry;
      try {
        entry = describe(kfd, base & d.rightsInheriting, inheriting & d.rightsInheriting, fdflags);
      } catch (e) {
        fds.closeKernel(kfd);
        throw e;
      }
      if ((flags & O.ACCMODE) === O.RDONLY && entry.type === FILETYPE.REGULAR_FILE) entry.readOnly = true;
      mem.u32(u(fdPtr), fds.add(entry));
    }),

    path_create_directory: call((fd: number, ptr: number, len: number) => {
      const s = at(fd, R.PATH_CREATE_DIRECTORY, ptr, len);
      capable(() => mkdirat(s.kfd, s.path, 0o777, AT.RESOLVE_BENEATH));
    }),

    path_remove_directory: call((fd: number, ptr: number, len: number) => {
      const s = at(fd, R.PATH_REMOVE_DIRECTORY, ptr, len);
      capable(() => unlinkat(s.kfd, s.path, AT.REMOVEDIR | AT.RESOLVE_BENEATH));
    }),

    path_unlink_file: call((fd: number, ptr: number, len: number) => {
      const s = at(fd, R.PATH_UNLINK_FILE, ptr, len);
      capable(() => unlinkat(s.kfd, s.path, AT.RESOLVE_BENEATH));
    }),

    path_filestat_get: call((fd: number, flags: number, ptr: number, len: number, buf: number) => {
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const s = at(fd, R.PATH_FILESTAT_GET, ptr, len);
      putFilestat(mem, u(buf), capable(() => fstatat(s.kfd, s.path, (follow ? 0 : AT.SYMLINK_NOFOLLOW) | AT.RESOLVE_BENEATH)));
    }),

    path_filestat_set_times: call((fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) => {
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const [a, m] = timesFromFlags(atim, mtim, fst);
      const s = at(fd, R.PATH_FILESTAT_SET_TIMES, ptr, len);
      capable(() => utimensat(s.kfd, s.path, a, m, (follow ? 0 : AT.SYMLINK_NOFOLLOW) | AT.RESOLVE_BENEATH));
    }),

    path_link: call((oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
      const from = at(oldFd, R.PATH_LINK_SOURCE, oldPtr, oldLen);
      const to = at(newFd, R.PATH_LINK_TARGET, newPtr, newLen);
      const follow = (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0 ? AT.SYMLINK_FOLLOW : 0;
      twoPaths(from, to, () => linkat(from.kfd, from.path, to.kfd, to.path, follow | AT.RESOLVE_BENEATH));
    }),

    path_rename: call((oldFd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
      const from = at(oldFd, R.PATH_RENAME_SOURCE, oldPtr, oldLen);
      const to = at(newFd, R.PATH_RENAME_TARGET, newPtr, newLen);
      twoPaths(from, to, () => renameat(from.kfd, from.path, to.kfd, to.path, AT.RESOLVE_BENEATH));
    }),

    path_symlink: call((oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) => {
      const target = mem.string(u(oldPtr), u(oldLen));
      if (target.length === 0) throw new WasiError(E.NOENT);
      // As wasmtime (cap-std): a link to an absolute path is refused when made, so no
      // other program on the system can be led out through it; a '..' target is made,
      // and following it out is refused.
      if (target.startsWith('/')) throw new WasiError(E.PERM);
      const s = at(fd, R.PATH_SYMLINK, newPtr, newLen);
      capable(() => symlinkat(target, s.kfd, s.path, AT.RESOLVE_BENEATH));
    }),

    path_readlink: call((fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) => {
      const s = at(fd, R.PATH_READLINK, ptr, len);
      const target = encode(capable(() => readlinkat(s.kfd, s.path, AT.RESOLVE_BENEATH)));
      const n = Math.min(target.length, u(bufLen));
      mem.put(u(buf), target.subarray(0, n));
      mem.u32(u(usedPtr), n);
    }),
  };
}

// rename and link: EXDEV is either a path leaving its directory (EPERM) or two
// filesystems (EXDEV); the directories of the two names tell which.
function twoPaths(from: Start, to: Start, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!leftDirectory(e)) throw e;
    for (const s of [from, to]) {
      const dir = s.path.replace(/\/*[^/]*\/*$/, '');
      capable(() => fstatat(s.kfd, dir === '' ? '.' : dir, AT.RESOLVE_BENEATH));
    }
    throw e;
  }
}

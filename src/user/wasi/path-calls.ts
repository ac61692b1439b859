// path_* calls: everything that names a file by (directory fd, relative path).
// path.ts turns the pair into an absolute kernel path inside the directory's preopen;
// the kernelkit syscall (through libc) does the rest.

import {
  open, stat, lstat, fstat, mkdir, rmdir, unlink, rename, link, symlink, readlink, utimens,
  ioctl, O, TIOC, isChr, isDir,
} from '../libc/index.js';
import { E, R, OFLAGS, LOOKUP_SYMLINK_FOLLOW, RIGHTS_DIR, RIGHTS_FILE, RIGHTS_TTY, FILETYPE } from './constants.js';
import { call, putFilestat, linuxFdflags, filetypeOfMode, type WasiContext } from './context.js';
import { timesFromFlags } from './fd-calls.js';
import type { FdEntry } from './fd-table.js';
import { WasiError, encode } from './memory.js';
import { resolvePath, overlayBase } from './path.js';

const u = (x: number): number => x >>> 0;
const AT_SYMLINK_NOFOLLOW = 0x100;

/** Removes '.', '..' and doubled slashes from an absolute path (lexically). */
export function normalize(abs: string): string {
  const out: string[] = [];
  for (const p of abs.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return '/' + out.join('/');
}

/** Whether kernel fd `kfd` (a character device) is a terminal. */
function isTerminal(kfd: number): boolean {
  try {
    ioctl(kfd, TIOC.GPGRP);
    return true;
  } catch {
    return false;
  }
}

/**
 * A table entry for a freshly opened kernel fd: its type, and rights cut down to what
 * that type can do and to `allowed`. `path`/`root` are recorded for directories.
 */
export function describe(kfd: number, allowed: bigint, inheriting: bigint, flags: number, path?: string, root?: string): FdEntry {
  const st = fstat(kfd);
  const type = filetypeOfMode(st.mode);
  const e: FdEntry = { kfd, type, rightsBase: 0n, rightsInheriting: inheriting, flags };
  if (isDir(st.mode) && path !== undefined) {
    e.path = path;
    e.root = root ?? path;
    e.rightsBase = allowed & RIGHTS_DIR;
  } else {
    e.rightsBase = allowed & (isChr(st.mode) && isTerminal(kfd) ? RIGHTS_TTY : RIGHTS_FILE);
    e.rightsInheriting = 0n;
  }
  return e;
}

// A guest path under directory entry `d` as an absolute kernel path.
function resolveIn(d: FdEntry & { path: string; root: string }, guestPath: string, follow: boolean): string {
  const base = d.cwdOverlay !== undefined && guestPath.length > 0 && !guestPath.startsWith('/') ? overlayBase(d.cwdOverlay, guestPath) : d.path;
  return resolvePath(d.root, base, guestPath, follow);
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

  // Resolves (dirfd, guest path) after checking the directory holds `right`.
  const resolve = (fd: number, right: bigint, ptr: number, len: number, follow: boolean): string =>
    resolveIn(fds.dir(fd, right), mem.string(u(ptr), u(len)), follow);

  return {
    path_open: call((dirfd: number, dirflags: number, pathPtr: number, pathLen: number, oflags: number,
      base: bigint, inheriting: bigint, fdflags: number, fdPtr: number) => {
      const d = fds.dir(dirfd, R.PATH_OPEN);
      if (oflags & OFLAGS.CREAT && (d.rightsBase & R.PATH_CREATE_FILE) === 0n) throw new WasiError(E.NOTCAPABLE);
      if (oflags & ~0xf || fdflags & ~0x1f) throw new WasiError(E.INVAL);
      const follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const abs = resolveIn(d, mem.string(u(pathPtr), u(pathLen)), follow);
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
      const kfd = open(abs, flags, createMode(abs));
      let entry: FdEntry;
      try {
        entry = describe(kfd, base & d.rightsInheriting, inheriting & d.rightsInheriting, fdflags, normalize(abs), d.root);
      } catch (e) {
        fds.closeKernel(kfd);
        throw e;
      }
      if (entry.type !== FILETYPE.DIRECTORY) entry.path = undefined;
      mem.u32(u(fdPtr), fds.add(entry));
    }),

    path_create_directory: call((fd: number, ptr: number, len: number) => {
      mkdir(resolve(fd, R.PATH_CREATE_DIRECTORY, ptr, len, false), 0o777);
    }),

    path_remove_directory: call((fd: number, ptr: number, len: number) => {
      rmdir(resolve(fd, R.PATH_REMOVE_DIRECTORY, ptr, len, false));
    }),

    path_unlink_file: call((fd: number, ptr: number, len: number) => {
      unlink(resolve(fd, R.PATH_UNLINK_FILE, ptr, len, false));
    }),

    path_filestat_get: call((fd: number, flags: number, ptr: number, len: number, buf: number) => {
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const abs = resolve(fd, R.PATH_FILESTAT_GET, ptr, len, follow);
      putFilestat(mem, u(buf), follow ? stat(abs) : lstat(abs));
    }),

    path_filestat_set_times: call((fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) => {
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const [a, m] = timesFromFlags(atim, mtim, fst);
      utimens(resolve(fd, R.PATH_FILESTAT_SET_TIMES, ptr, len, follow), a, m, follow ? 0 : AT_SYMLINK_NOFOLLOW);
    }),

    path_link: call((oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
      const from = resolve(oldFd, R.PATH_LINK_SOURCE, oldPtr, oldLen, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const to = resolve(newFd, R.PATH_LINK_TARGET, newPtr, newLen, false);
      link(from, to);
    }),

    path_rename: call((oldFd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
      const from = resolve(oldFd, R.PATH_RENAME_SOURCE, oldPtr, oldLen, false);
      const to = resolve(newFd, R.PATH_RENAME_TARGET, newPtr, newLen, false);
      rename(from, to);
    }),

    path_symlink: call((oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) => {
      const target = mem.string(u(oldPtr), u(oldLen));
      if (target.length === 0) throw new WasiError(E.NOENT);
      symlink(target, resolve(fd, R.PATH_SYMLINK, newPtr, newLen, false));
    }),

    path_readlink: call((fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) => {
      const target = encode(readlink(resolve(fd, R.PATH_READLINK, ptr, len, false)));
      const n = Math.min(target.length, u(bufLen));
      mem.put(u(buf), target.subarray(0, n));
      mem.u32(u(usedPtr), n);
    }),
  };
}


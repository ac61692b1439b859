// Where a process's paths start: the *at calls' directory fd, or the cwd. Both are
// open directories in vfs (a handle whose walk vfs keeps), so a relative path is
// resolved from the directory itself, never by gluing path strings: it works at any
// depth and after the directory moved, and RESOLVE_BENEATH can hold a path inside it.
//
// The cwd is an OpenFile shared, like a descriptor, by the processes spawned with it
// (refs counted); chdir replaces it and exit closes it. A cwd opened in a vfs instance
// that has since restarted is reopened from its path (the best that can be done; the
// handle died with the server).

import { KernelError, Errno } from '../../abi/errno.js';
import { AT, O } from '../../abi/fs.js';
import type { PathBase } from '../../abi/services.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import type { OpenFile } from './file.js';
import { openFile, closeFile } from './io.js';

const vfsGeneration = (k: Kernel): number => k.components.get('vfs')?.generation ?? 0;

/** Checks and returns the flags of an *at call: only `allowed` bits may be set. */
export function atFlags(flags: number, allowed: number): number {
  if (!Number.isInteger(flags) || (flags & ~allowed) !== 0) throw new KernelError(Errno.EINVAL);
  return flags;
}

/** The cwd of `p` as an open directory (reopened from its path after a vfs restart). */
export async function cwdDir(k: Kernel, p: Process): Promise<OpenFile> {
  const f = p.cwdDir;
  if (f !== undefined && f.generation === vfsGeneration(k)) return f;
  const fresh = await openDir(k, '/', p.cwd);
  if (p.cwdDir !== undefined) await closeFile(k, p.cwdDir).catch(() => {});
  p.cwdDir = fresh;
  return fresh;
}

/** Opens directory `path` from `base` (for chdir, spawn's cwd). */
export async function openDir(k: Kernel, base: PathBase, path: string): Promise<OpenFile> {
  const f = await openFile(k, base, path, O.RDONLY | O.DIRECTORY, 0);
  if (f.target.isDir !== true || f.target.vfsHandle === undefined) {
    await closeFile(k, f);
    throw new KernelError(Errno.ENOTDIR);
  }
  return f;
}

/** Makes `dir` (a directory OpenFile the caller gives up) the cwd of `p`. */
export async function setCwd(k: Kernel, p: Process, dir: OpenFile, path: string): Promise<void> {
  const old = p.cwdDir;
  p.cwdDir = dir;
  p.cwd = path;
  if (old !== undefined) await closeFile(k, old).catch(() => {});
}

/**
 * The PathBase for `path` given directory fd `dirfd` (AT.FDCWD: the cwd) of `p`.
 * `beneath`: RESOLVE_BENEATH. As in Linux, dirfd is not looked at for an absolute
 * path (unless beneath, which refuses absolute paths anyway in vfs).
 */
export async function pathBase(k: Kernel, p: Process, dirfd: number, path: string, beneath = false): Promise<PathBase> {
  if (path.startsWith('/') && !beneath) return '/';
  let f: OpenFile;
  if (dirfd === AT.FDCWD) {
    f = await cwdDir(k, p);
  } else {
    f = p.fds.get(dirfd).file;
    if (f.kind !== 'vfs' || f.target.isDir !== true || f.target.vfsHandle === undefined) throw new KernelError(Errno.ENOTDIR);
    if (f.generation !== vfsGeneration(k)) throw new KernelError(Errno.EIO, 'directory was open in a vfs instance that has been restarted');
  }
  return beneath ? { dir: f.target.vfsHandle!, beneath: true } : { dir: f.target.vfsHandle! };
}

// Path resolution ("namei", after the Unix routine): turns a path, absolute or
// relative to a base (an open directory's handle, or an absolute path for the
// kernel's own calls), into the list of directories walked from the root to the file.
// A directory handle keeps the walk that reached it, so a relative path starts from
// the directory itself (its vnode), never from a path string: it works at any depth
// and wherever the directory has been moved since. Keeping the whole walk, not just its end, gives for free:
//   - '..' as a pop, which crosses mount points the right way (out of a mounted root
//     to the parent of the directory it covers) and stays put at '/';
//   - the canonical path of a directory (resolveDir, mount targets);
//   - the ancestry rename needs ("is the source an ancestor of the destination?").
// The walk is physical: after a symlink it continues from where the link points, so
// '..' then means the parent of the target, as in Linux.
//
// Symlinks on intermediate components are always followed; on the last component
// when `follow` is set or the path ends in '/'. At most MAX_SYMLINKS per resolution.
// Every directory walked through must be searchable by the caller (access.ts); the
// cwd itself is not re-checked, since chdir checked it (Linux holds it by inode).
//
// RESOLVE_BENEATH (openat2, FreeBSD's O_RESOLVE_BENEATH): the walk may not leave the
// base directory. An absolute path, an absolute symlink, or a '..' that would pop the
// base itself is EXDEV. Every step of a walk was looked up from the one before it, so
// the check is exact whatever is renamed meanwhile: '..' pops back to a directory the
// walk really went through, and those all lie at or below the base.

import type { Stat } from '../../abi/fs.js';
import { isDir, isLnk } from '../../abi/fs.js';
import { Errno, fail, isKernelError } from '../../abi/errno.js';
import { ROOT_FS_CRED, type FsCred } from '../../abi/cred.js';
import { requireSearch } from './access.js';
import type { MountTable, Vnode } from './mounts.js';
import type { PathBase } from '../../abi/services.js';
import { MAX_SYMLINKS, splitPath, joinAbsolute } from './path.js';

/** One directory or file on the walk: where it is, the name it was reached by, its mode and owner. */
export interface Step {
  readonly vnode: Vnode;
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export const stepOf = (vnode: Vnode, name: string, st: Stat): Step => ({ vnode, name, mode: st.mode, uid: st.uid, gid: st.gid });

export type Walk = readonly Step[];

/** The parent directory of a path's last component, for calls that create or remove it. */
export interface ParentWalk {
  readonly walk: Walk;
  readonly name: string;
  /** 'root' for '/', 'dot'/'dotdot' for '.'/'..': none of these can be created or removed. */
  readonly kind: 'normal' | 'dot' | 'dotdot' | 'root';
  readonly trailingSlash: boolean;
}

/**
 * One resolution's state, shared by the nested walks of its symlinks: links followed
 * so far, whose permissions it checks, and with RESOLVE_BENEATH the index of the base
 * in the walk (`..` may not pop it; absolute paths and links are refused).
 */
export interface LinkBudget { links: number; readonly cred: FsCred; floor?: number }

/** The walk an open directory handle was reached by (vfs's handle table answers). */
export type DirWalks = (handle: number) => Walk;

export const top = (w: Walk): Step => w[w.length - 1]!;
export const canonical = (w: Walk): string => joinAbsolute(w.slice(1).map((s) => s.name));

export class Namei {
  constructor(private readonly mounts: MountTable, private readonly dirWalk: DirWalks) {}

  async getattr(v: Vnode): Promise<Stat> {
    const st = await v.mount.fs.getattr(v.ino);
    return { ...st, dev: v.mount.dev };
  }

  async rootWalk(): Promise<Walk> {
    const m = this.mounts.root;
    const vnode = this.mounts.enter({ mount: m, ino: m.fs.root() });
    return [stepOf(vnode, '', await this.getattr(vnode))];
  }

  /**
   * Where `path` starts: the directory behind a handle, or (a string base) the
   * directory at that absolute path. Sets `budget.floor` for RESOLVE_BENEATH.
   */
  async start(base: PathBase, path: string, budget: LinkBudget): Promise<Walk> {
    if (typeof base === 'object' && base !== null) {
      if (typeof base.dir !== 'number') fail(Errno.EINVAL);
      const w = this.dirWalk(base.dir);
      if (base.beneath === true) {
        if (path.startsWith('/')) fail(Errno.EXDEV, 'RESOLVE_BENEATH: absolute path');
        budget.floor = w.length - 1;
        return w;
      }
      return path.startsWith('/') ? this.rootWalk() : w;
    }
    if (typeof base !== 'string') fail(Errno.EINVAL);
    if (path.startsWith('/') || base === '/' || base === '') return this.rootWalk();
    const w = await this.walk(await this.rootWalk(), base.startsWith('/') ? base : '/' + base, true, { links: 0, cred: ROOT_FS_CRED });
    if (!isDir(top(w).mode)) fail(Errno.ENOTDIR);
    return w;
  }

  /** Resolves `path` from `base` to the file it names. */
  async resolve(base: PathBase, path: string, follow: boolean, cred: FsCred = ROOT_FS_CRED): Promise<Walk> {
    const budget: LinkBudget = { links: 0, cred };
    return this.walk(await this.start(base, path, budget), path, follow, budget);
  }

  /** Resolves all but the last component of `path` from `base` (`budget`: this resolution's state). */
  async resolveParent(base: PathBase, path: string, budget: LinkBudget = { links: 0, cred: ROOT_FS_CRED }): Promise<ParentWalk> {
    return this.walkParent(await this.start(base, path, budget), path, budget);
  }

  /**
   * Walks `path` from `from` (used when a relative path or link target starts there).
   * The result's last step is the file; every earlier one is a directory.
   */
  async walk(from: Walk, path: string, follow: boolean, budget: LinkBudget): Promise<Walk> {
    const { absolute, components, trailingSlash } = splitPath(path);
    if (absolute && budget.floor !== undefined) fail(Errno.EXDEV, 'RESOLVE_BENEATH: absolute path or symlink');
    let walk: Step[] = absolute ? [...(await this.rootWalk())] : [...from];
    for (let i = 0; i < components.length; i++) {
      const name = components[i]!;
      const last = i === components.length - 1;
      const dir = top(walk);
      if (!isDir(dir.mode)) fail(Errno.ENOTDIR);
      requireSearch(budget.cred, dir);
      if (name === '.') continue;
      if (name === '..') {
        if (budget.floor !== undefined && walk.length - 1 <= budget.floor) fail(Errno.EXDEV, "RESOLVE_BENEATH: '..' above the base");
        if (walk.length > 1) walk.pop();
        continue;
      }
      const vnode = this.mounts.enter(await this.lookupRaw(dir.vnode, name));
      const st = await this.getattr(vnode);
      const mode = st.mode;
      if (isLnk(mode) && (!last || follow || trailingSlash)) {
        if (++budget.links > MAX_SYMLINKS) fail(Errno.ELOOP);
        const target = await vnode.mount.fs.readlink(vnode.ino, budget.cred);
        walk = [...(await this.walk(walk, target, true, budget))];
        continue;
      }
      walk.push(stepOf(vnode, name, st));
    }
    if (trailingSlash && !isDir(top(walk).mode)) fail(Errno.ENOTDIR);
    return walk;
  }

  async walkParent(from: Walk, path: string, budget: LinkBudget): Promise<ParentWalk> {
    const { absolute, components, trailingSlash } = splitPath(path);
    if (absolute && budget.floor !== undefined) fail(Errno.EXDEV, 'RESOLVE_BENEATH: absolute path or symlink');
    const base = absolute ? await this.rootWalk() : from;
    if (components.length === 0) return { walk: base, name: '', kind: 'root', trailingSlash: false };
    const name = components[components.length - 1]!;
    const dirPath = components.slice(0, -1).join('/');
    const walk = dirPath.length > 0 ? await this.walk(base, dirPath, true, budget) : base;
    if (!isDir(top(walk).mode)) fail(Errno.ENOTDIR);
    requireSearch(budget.cred, top(walk));
    const kind = name === '.' ? 'dot' : name === '..' ? 'dotdot' : 'normal';
    return { walk, name, kind, trailingSlash };
  }

  /** Looks `name` up in a directory without stepping into a filesystem mounted there. */
  async lookupRaw(dir: Vnode, name: string): Promise<Vnode> {
    return { mount: dir.mount, ino: await dir.mount.fs.lookup(dir.ino, name) };
  }

  /** Like lookupRaw, but undefined instead of ENOENT. */
  async lookupMaybe(dir: Vnode, name: string): Promise<Vnode | undefined> {
    try {
      return await this.lookupRaw(dir, name);
    } catch (e) {
      if (isKernelError(e) && e.errno === Errno.ENOENT) return undefined;
      throw e;
    }
  }

  /** Steps into whatever is mounted on `v` (identity when nothing is). */
  enter(v: Vnode): Vnode { return this.mounts.enter(v); }
}

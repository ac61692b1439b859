// The mount table: which filesystem sits on which directory. A vnode (mount + inode
// number) names a file across filesystems; a mount covers one directory vnode of its
// parent, and the path walk (namei.ts) steps from a covered directory into the root
// of whatever is mounted on it (several mounts may stack on one directory; the last
// one wins, as in Linux).

import type { FileSystem } from '../../abi/fs.js';
import type { Ino } from '../../abi/ids.js';
import { Errno, fail } from '../../abi/errno.js';

export interface Mount {
  /** Unique for the life of the vfs instance; also st_dev for ramfs mounts. */
  readonly id: number;
  readonly fs: FileSystem;
  readonly source: string;
  readonly fstype: string;
  /** Canonical absolute path where it was mounted. */
  readonly target: string;
  /** st_dev reported for files on it. */
  readonly dev: number;
  /** The directory it covers, in the parent mount (undefined for '/'). */
  readonly covered?: Vnode;
}

export interface Vnode {
  readonly mount: Mount;
  readonly ino: Ino;
}

export const sameVnode = (a: Vnode, b: Vnode): boolean => a.mount === b.mount && a.ino === b.ino;

// One number per vnode (inode numbers fit in 32 bits in ramfs and ext2): a string key
// cost an allocation on every path component walked.
const key = (v: Vnode): number => v.mount.id * 2 ** 32 + v.ino;

export class MountTable {
  // In mount order; the first is the root.
  private readonly list: Mount[] = [];
  // Covered directory -> the mount on top of it.
  private readonly onTop = new Map<number, Mount>();
  private nextId = 1;

  get root(): Mount {
    const r = this.list[0];
    // Before init or after shutdown: an errno, not a crash, for whoever still calls.
    if (r === undefined) fail(Errno.EIO, 'no root filesystem mounted');
    return r;
  }

  get all(): readonly Mount[] { return this.list; }

  newId(): number { return this.nextId++; }

  add(mount: Mount): void {
    this.list.push(mount);
    if (mount.covered !== undefined) this.onTop.set(key(mount.covered), mount);
  }

  /** Caller must have checked that nothing is mounted on top of `mount`. */
  remove(mount: Mount): void {
    const i = this.list.indexOf(mount);
    if (i >= 0) this.list.splice(i, 1);
    if (mount.covered !== undefined) this.onTop.delete(key(mount.covered));
  }

  /** Whether another filesystem is mounted on this directory. */
  isCovered(v: Vnode): boolean { return this.onTop.has(key(v)); }

  /** Steps from a covered directory to the root of what is mounted on it, repeatedly. */
  enter(v: Vnode): Vnode {
    let at = v;
    for (let m = this.onTop.get(key(at)); m !== undefined; m = this.onTop.get(key(at))) at = { mount: m, ino: m.fs.root() };
    return at;
  }

  /** Whether `v` is the root directory of its mount. */
  isMountRoot(v: Vnode): boolean { return v.ino === v.mount.fs.root(); }

  /** Mounts whose covered directory lies on `parent`. */
  children(parent: Mount): Mount[] { return this.list.filter((m) => m.covered?.mount === parent); }
}

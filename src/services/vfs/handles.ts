// Open files: the table behind the handle numbers the kernel's fd table refers to.
// A handle pins its inode (FileSystem.open on creation, release on close), so a file
// unlinked while open lives on until its last handle closes. A handle opened before
// its filesystem's server restarted (FileSystem.epoch) fails with EIO, as handles into
// a restarted vfs do. Handles are never shared between callers by vfs; dup and fork
// share them in the kernel's file table.

import { O } from '../../abi/fs.js';
import type { DirEntry } from '../../abi/fs.js';
import { Errno, fail } from '../../abi/errno.js';
import type { Mount, Vnode } from './mounts.js';
import type { Walk } from './namei.js';

export interface Handle {
  readonly id: number;
  readonly vnode: Vnode;
  readonly flags: number;
  readonly kind: 'file' | 'dir' | 'dev';
  readonly mode: number;
  readonly rdev: number;
  /** The filesystem's epoch at open (FileSystem.epoch): a handle of an older one fails with EIO. */
  readonly epoch: number;
  /** Directories: the walk from '/' that reached it (namei starts relative paths here). */
  readonly walk?: Walk;
  /** Directories: the listing taken at position 0, so getdents pages through one snapshot. */
  listing?: DirEntry[];
}

export const readable = (h: Handle): boolean => (h.flags & O.ACCMODE) !== O.WRONLY;
export const writable = (h: Handle): boolean => (h.flags & O.ACCMODE) !== O.RDONLY;

export class HandleTable {
  private readonly handles = new Map<number, Handle>();
  private next = 1;

  add(h: Omit<Handle, 'id'>): Handle {
    const handle: Handle = { ...h, id: this.next++ };
    this.handles.set(handle.id, handle);
    return handle;
  }

  get(id: number): Handle {
    const h = this.handles.get(id);
    if (h === undefined) fail(Errno.EBADF);
    return h;
  }

  /** A handle to do I/O on: EIO when its filesystem's server restarted since it was opened. */
  live(id: number): Handle {
    const h = this.get(id);
    if (h.epoch !== (h.vnode.mount.fs.epoch ?? 0)) fail(Errno.EIO, `${h.vnode.mount.fstype}: the filesystem's server restarted since this file was opened`);
    return h;
  }

  remove(id: number): Handle {
    const h = this.get(id);
    this.handles.delete(id);
    return h;
  }

  /** The walk of an open directory, for paths relative to it (ENOTDIR for other files). */
  dirWalk(id: number): Walk {
    const h = this.get(id);
    if (h.kind !== 'dir' || h.walk === undefined) fail(Errno.ENOTDIR);
    return h.walk;
  }

  get size(): number { return this.handles.size; }

  all(): Handle[] { return [...this.handles.values()]; }

  /** Whether any open file lives on `mount` (umount: EBUSY). */
  usesMount(mount: Mount): boolean {
    for (const h of this.handles.values()) if (h.vnode.mount === mount) return true;
    return false;
  }
}

/**
 * Runs `fn` after every earlier call with the same key finished: appends read the
 * size and write at it across an `await`, and two appenders must not both see the
 * same end.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

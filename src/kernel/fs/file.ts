// Open files and descriptor tables. An OpenFile is shared by every descriptor that
// dup/spawn made from the same open (they share the offset, as in Unix); it points at
// a vfs handle, a device (the kernel routes by major number, see devices.ts), one
// end of a pipe, or a socket in the net component (socket.ts).

import type { Pipe } from './pipe.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { O } from '../../abi/fs.js';

export type FileKind = 'vfs' | 'dev' | 'pipe' | 'socket';

export class OpenFile {
  refs = 1;
  offset = 0;
  /** The vfs (or, for a socket, net) instance generation this file was opened in (see fs/io.ts). */
  generation = 0;

  constructor(
    readonly kind: FileKind,
    public flags: number,
    readonly path: string,
    readonly target: { vfsHandle?: number; rdev?: number; pipe?: Pipe; pipeEnd?: 'r' | 'w'; isDir?: boolean; mode?: number; socket?: number },
  ) {}

  get readable(): boolean { return (this.flags & O.ACCMODE) !== O.WRONLY; }
  get writable(): boolean { return (this.flags & O.ACCMODE) !== O.RDONLY; }
}

export interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  private readonly entries: (FdEntry | undefined)[] = [];

  /** Descriptors are below this (RLIMIT_NOFILE): EMFILE for a new one, EBADF to name one at or above it. */
  constructor(public limit: number) {}

  get(fd: number): FdEntry {
    const e = Number.isInteger(fd) && fd >= 0 ? this.entries[fd] : undefined;
    if (e === undefined) throw new KernelError(Errno.EBADF);
    return e;
  }

  /** Installs at the lowest free descriptor (at least `min`). */
  install(file: OpenFile, cloexec = false, min = 0): number {
    for (let fd = min; fd < this.limit; fd++) {
      if (this.entries[fd] === undefined) { this.entries[fd] = { file, cloexec }; return fd; }
    }
    throw new KernelError(Errno.EMFILE);
  }

  /** Puts `file` at exactly `fd`, returning what was there (the caller closes it). */
  replace(fd: number, file: OpenFile, cloexec = false): FdEntry | undefined {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.limit) throw new KernelError(Errno.EBADF);
    const old = this.entries[fd];
    this.entries[fd] = { file, cloexec };
    return old;
  }

  remove(fd: number): FdEntry {
    const e = this.get(fd);
    this.entries[fd] = undefined;
    return e;
  }

  /** Every open descriptor, lowest first. */
  list(): [number, FdEntry][] {
    const out: [number, FdEntry][] = [];
    this.entries.forEach((e, fd) => { if (e !== undefined) out.push([fd, e]); });
    return out;
  }

  get count(): number { return this.entries.filter((e) => e !== undefined).length; }
}

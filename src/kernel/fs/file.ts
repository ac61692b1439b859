// Open files and descriptor tables. An OpenFile is shared by every descriptor that
// dup/spawn made from the same open (they share the offset, as in Unix); it points at
// a vfs handle, a device (the kernel routes by major number, see devices.ts), one
// end of a pipe, or a socket in the net component (socket.ts). A file served on the
// direct path (proc/direct.ts) keeps its offset and flags in its cell of the direct
// table, where vfs's server reads and moves them; a socket served on net's direct path
// (proc/direct-net.ts) keeps its flags in its cell of net's table the same way.

import type { Pipe } from './pipe.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { O } from '../../abi/fs.js';
import { FILE_FLAGS, FILE_LIVE, FILE_OFFSET, FILE_SOLE } from '../../abi/direct.js';

export type FileKind = 'vfs' | 'dev' | 'pipe' | 'socket';

// The words of a direct-table cell, and its live word's values (abi/direct.ts).
const CELL_LIVE = FILE_LIVE, CELL_FLAGS = FILE_FLAGS, CELL_OFFSET = FILE_OFFSET;
const LIVE = 1, LIVE_SOLE = FILE_SOLE;

export class OpenFile {
  private ownRefs = 1;
  /** The vfs (or, for a socket, net) instance generation this file was opened in (see fs/io.ts). */
  generation = 0;
  private ownOffset = 0;
  private ownFlags: number;
  /** Its cell in the direct table while it is served directly (proc/direct.ts), and the cell's slot. */
  cell: Float64Array | undefined;
  cellSlot = -1;

  constructor(
    readonly kind: FileKind,
    flags: number,
    readonly path: string,
    readonly target: { vfsHandle?: number; rdev?: number; pipe?: Pipe; pipeEnd?: 'r' | 'w'; isDir?: boolean; mode?: number; socket?: number; stream?: boolean },
  ) {
    this.ownFlags = flags;
  }

  /** The file offset, shared by every descriptor of this open (and by vfs's server while it has a cell). */
  get offset(): number { return this.cell !== undefined ? this.cell[CELL_OFFSET]! : this.ownOffset; }
  set offset(v: number) { if (this.cell !== undefined) this.cell[CELL_OFFSET] = v; else this.ownOffset = v; }

  /**
   * Descriptors (and other holders) of this open file. A cell says whether it is one:
   * only then may vfs's server close it on the direct path.
   */
  get refs(): number { return this.ownRefs; }
  set refs(v: number) { this.ownRefs = v; if (this.cell !== undefined) this.cell[CELL_LIVE] = v === 1 ? LIVE_SOLE : LIVE; }

  get flags(): number { return this.ownFlags; }
  set flags(v: number) { this.ownFlags = v; if (this.cell !== undefined) this.cell[CELL_FLAGS] = v; }

  /** Moves the offset into `cell` (slot `slot` of the direct table), then marks it live. */
  attachCell(cell: Float64Array, slot: number): void {
    cell[CELL_OFFSET] = this.ownOffset;
    cell[CELL_FLAGS] = this.ownFlags;
    this.cell = cell;
    this.cellSlot = slot;
    cell[CELL_LIVE] = this.ownRefs === 1 ? LIVE_SOLE : LIVE;
  }

  /** Takes `cell`, which the server filled for this open (its offset is there already). */
  adoptCell(cell: Float64Array, slot: number): void {
    cell[CELL_FLAGS] = this.ownFlags;
    this.cell = cell;
    this.cellSlot = slot;
    cell[CELL_LIVE] = this.ownRefs === 1 ? LIVE_SOLE : LIVE;
  }

  /** Takes the offset back from its cell. */
  detachCell(): void {
    if (this.cell === undefined) return;
    this.ownOffset = this.cell[CELL_OFFSET]!;
    this.cell = undefined;
    this.cellSlot = -1;
  }

  get readable(): boolean { return (this.flags & O.ACCMODE) !== O.WRONLY; }
  get writable(): boolean { return (this.flags & O.ACCMODE) !== O.RDONLY; }
}

export interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  private readonly entries: (FdEntry | undefined)[] = [];
  // Told of every change of what a descriptor names (the direct paths keep their tables
  // equal: proc/direct.ts for vfs, proc/direct-net.ts for net).
  private watchers: ((fd: number, file: OpenFile | undefined) => void)[] = [];

  /** Calls `fn` at every change of what a descriptor names; returns what stops it. */
  watch(fn: (fd: number, file: OpenFile | undefined) => void): () => void {
    this.watchers = [...this.watchers, fn];
    return () => { this.watchers = this.watchers.filter((w) => w !== fn); };
  }

  private changed(fd: number, file: OpenFile | undefined): void {
    for (const w of this.watchers) w(fd, file);
  }

  /** Descriptors are below this (RLIMIT_NOFILE): EMFILE for a new one, EBADF to name one at or above it. */
  constructor(public limit: number) {}

  // Set when the process died: a syscall that was still waiting (an open, an accept)
  // must not install into a table that is being closed, or its file would never be.
  private shutDown = false;

  /** The process is gone: no descriptor may be added from now on (EBADF; the caller closes its file). */
  shut(): void { this.shutDown = true; }

  get(fd: number): FdEntry {
    const e = Number.isInteger(fd) && fd >= 0 ? this.entries[fd] : undefined;
    if (e === undefined) throw new KernelError(Errno.EBADF);
    return e;
  }

  /** What `fd` names, if anything (no errno). */
  peek(fd: number): FdEntry | undefined { return Number.isInteger(fd) && fd >= 0 ? this.entries[fd] : undefined; }

  /** Installs at the lowest free descriptor (at least `min`). */
  install(file: OpenFile, cloexec = false, min = 0): number {
    if (this.shutDown) throw new KernelError(Errno.EBADF, 'the process is exiting');
    for (let fd = min; fd < this.limit; fd++) {
      if (this.entries[fd] === undefined) { this.entries[fd] = { file, cloexec }; this.changed(fd, file); return fd; }
    }
    throw new KernelError(Errno.EMFILE);
  }

  /** Puts `file` at exactly `fd`, returning what was there (the caller closes it). */
  replace(fd: number, file: OpenFile, cloexec = false): FdEntry | undefined {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.limit || this.shutDown) throw new KernelError(Errno.EBADF);
    const old = this.entries[fd];
    this.entries[fd] = { file, cloexec };
    this.changed(fd, file);
    return old;
  }

  remove(fd: number): FdEntry {
    const e = this.get(fd);
    this.entries[fd] = undefined;
    this.changed(fd, undefined);
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

// The guest's file descriptor table. WASI fd numbers are the guest's own; each maps
// to a kernel fd plus what WASI needs that the kernel does not keep: rights, the
// WASI fdflags and the file type. A directory is its kernel fd: path_* calls resolve
// beneath it in the kernel (path-calls.ts), so no path string is kept.

import { close, type DirEntry } from '../libc/index.js';
import { E, FILETYPE } from './constants.js';
import { WasiError } from './memory.js';

export interface FdEntry {
  /** The kernel fd; -1 once closed. */
  kfd: number;
  /** WASI filetype. */
  type: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
  /** WASI fdflags (APPEND, NONBLOCK, ...). */
  flags: number;
  /** Rights the guest gave up with fd_fdstat_set_rights: those alone are refused (ENOTCAPABLE). */
  dropped?: bigint;
  /** A regular file path_open opened without write access (wasmtime refuses changing its size or times: EPERM). */
  readOnly?: boolean;
  /** A preopened listening socket: the address it is bound to (listen.ts). */
  listener?: string;
  /** Preopens: the name the guest sees (fd_prestat_dir_name). */
  preopenName?: string;
  /** The kernel fd belongs to the caller of runWasm (stdio), not to this module run. */
  borrowed?: boolean;
  /** Directories: the listing fd_readdir serves cookies from (read at cookie 0). */
  listing?: DirEntry[];
}

export class FdTable {
  private readonly entries = new Map<number, FdEntry>();

  get(fd: number): FdEntry {
    const e = this.entries.get(fd);
    if (e === undefined) throw new WasiError(E.BADF);
    return e;
  }

  /**
   * The entry, or ENOTCAPABLE when the guest gave `right` up (fd_fdstat_set_rights).
   * A right never granted at open is not refused here: as under wasmtime, which keeps
   * no rights, the kernel answers by the open mode (EBADF reading a write-only file,
   * EINVAL truncating a read-only one).
   */
  need(fd: number, right: bigint): FdEntry {
    const e = this.get(fd);
    if (((e.dropped ?? 0n) & right) !== 0n) throw new WasiError(E.NOTCAPABLE);
    return e;
  }

  /** A directory entry for path_* calls (ENOTDIR when fd is not a directory). */
  dir(fd: number, right: bigint): FdEntry {
    const e = this.get(fd);
    if (e.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR);
    if (((e.dropped ?? 0n) & right) !== 0n) throw new WasiError(E.NOTCAPABLE);
    return e;
  }

  set(fd: number, entry: FdEntry): void {
    this.entries.set(fd, entry);
  }

  /** Puts `entry` at the lowest free fd >= 3 and returns the number. */
  add(entry: FdEntry): number {
    let fd = 3;
    while (this.entries.has(fd)) fd++;
    this.entries.set(fd, entry);
    return fd;
  }

  remove(fd: number): FdEntry {
    const e = this.get(fd);
    this.entries.delete(fd);
    return e;
  }

  /** Closes what an entry owns (not a borrowed fd): its kernel fd. */
  closeEntry(e: FdEntry): void {
    if (e.borrowed !== true) close(e.kfd);
  }

  /** Closes a kernel fd that never made it into the table (a failed open). */
  closeKernel(kfd: number): void {
    try { close(kfd); } catch { /* nothing more to undo */ }
  }

  has(fd: number): boolean {
    return this.entries.has(fd);
  }

  all(): [number, FdEntry][] {
    return [...this.entries];
  }
}

// What every WASI call shares: the guest's memory, its fd table, its arguments and
// environment, and the conversions between kernelkit records (Stat, DirEntry, open
// flags) and WASI ones.

import { S, DT, O, SysError, type Stat } from '../libc/index.js';
import { exactNs } from '../../abi/fs.js';
import { E, FILETYPE, FDFLAGS, SIZE, wasiErrno } from './constants.js';
import { FdTable } from './fd-table.js';
import { GuestMemory, WasiError } from './memory.js';

export interface WasiContext {
  readonly mem: GuestMemory;
  readonly fds: FdTable;
  readonly args: readonly string[];
  readonly env: readonly string[];
}

/** Thrown by proc_exit; unwinds the guest's stack back to runWasm. */
export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'WasiExit';
  }
}

export type WasiFunction = (...args: never[]) => number;

/**
 * Wraps one import: a WasiError or a kernel SysError becomes the WASI errno the guest
 * gets back; success is 0. Anything else (WasiExit, a bug) unwinds the guest.
 */
export function call<A extends unknown[]>(fn: (...args: A) => number | void): (...args: A) => number {
  return (...args: A): number => {
    try {
      return fn(...args) ?? E.SUCCESS;
    } catch (e) {
      if (e instanceof WasiError) return e.errno;
      if (e instanceof SysError) return wasiErrno(e.errno);
      throw e;
    }
  };
}

export function filetypeOfMode(mode: number): number {
  switch (mode & S.IFMT) {
    case S.IFREG: return FILETYPE.REGULAR_FILE;
    case S.IFDIR: return FILETYPE.DIRECTORY;
    case S.IFLNK: return FILETYPE.SYMBOLIC_LINK;
    case S.IFCHR: return FILETYPE.CHARACTER_DEVICE;
    case S.IFBLK: return FILETYPE.BLOCK_DEVICE;
    case S.IFSOCK: return FILETYPE.SOCKET_STREAM;
    default: return FILETYPE.UNKNOWN;
  }
}

export function filetypeOfDirent(type: number): number {
  switch (type) {
    case DT.REG: return FILETYPE.REGULAR_FILE;
    case DT.DIR: return FILETYPE.DIRECTORY;
    case DT.LNK: return FILETYPE.SYMBOLIC_LINK;
    case DT.CHR: return FILETYPE.CHARACTER_DEVICE;
    case DT.BLK: return FILETYPE.BLOCK_DEVICE;
    case DT.SOCK: return FILETYPE.SOCKET_STREAM;
    default: return FILETYPE.UNKNOWN;
  }
}

const ns = (t: number): bigint => (Number.isFinite(t) && t > 0 ? BigInt(Math.round(t)) : 0n);
// A Stat time to the nanosecond (0 before the epoch: WASI timestamps are unsigned).
const time = (t: number, nsec: number): bigint => {
  if (!Number.isFinite(t) || !Number.isInteger(nsec)) return ns(t);
  const exact = exactNs(t, nsec);
  return exact > 0n ? exact : 0n;
};

/** Writes a WASI filestat (64 bytes) at `ptr`. */
export function putFilestat(mem: GuestMemory, ptr: number, st: Stat): void {
  mem.check(ptr, SIZE.FILESTAT);
  const v = mem.view;
  v.setBigUint64(ptr, ns(st.dev), true);
  v.setBigUint64(ptr + 8, ns(st.ino), true);
  v.setUint8(ptr + 16, filetypeOfMode(st.mode));
  for (let i = 17; i < 24; i++) v.setUint8(ptr + i, 0);
  v.setBigUint64(ptr + 24, ns(st.nlink), true);
  v.setBigUint64(ptr + 32, ns(st.size), true);
  v.setBigUint64(ptr + 40, time(st.atimeNs, st.atimeNsec), true);
  v.setBigUint64(ptr + 48, time(st.mtimeNs, st.mtimeNsec), true);
  v.setBigUint64(ptr + 56, time(st.ctimeNs, st.ctimeNsec), true);
}

/** Linux open(2) flags for WASI fdflags. */
export function linuxFdflags(fdflags: number): number {
  let f = 0;
  if (fdflags & FDFLAGS.APPEND) f |= O.APPEND;
  if (fdflags & FDFLAGS.NONBLOCK) f |= O.NONBLOCK;
  if (fdflags & FDFLAGS.DSYNC) f |= O.DSYNC;
  if (fdflags & (FDFLAGS.SYNC | FDFLAGS.RSYNC)) f |= O.SYNC;
  return f;
}

/** WASI fdflags for Linux open(2) flags (as fcntl F_GETFL reports them). */
export function wasiFdflags(linux: number): number {
  let f = 0;
  if (linux & O.APPEND) f |= FDFLAGS.APPEND;
  if (linux & O.NONBLOCK) f |= FDFLAGS.NONBLOCK;
  if ((linux & O.SYNC) === O.SYNC) f |= FDFLAGS.SYNC | FDFLAGS.RSYNC;
  else if (linux & O.DSYNC) f |= FDFLAGS.DSYNC;
  return f;
}

/** A 64-bit guest value as a JS number, EINVAL/EOVERFLOW-checked for file offsets. */
export function offset(v: bigint): number {
  if (v < 0n) throw new WasiError(E.INVAL);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(E.OVERFLOW);
  return Number(v);
}

/** Whether `e` is a kernel error with Linux errno `errno`. */
export const isErrno = (e: unknown, errno: number): boolean => e instanceof SysError && e.errno === errno;

// The filesystem contract: open flags, mode bits, the stat record, and the
// inode-level interface every filesystem component (ramfs, ext2, hostfs) implements.
// vfs (services/vfs/) resolves paths and keeps open files on top of it.

import type { Ino } from './ids.js';
import type { FsCred } from './cred.js';
import type { Grant } from './grant.js';

export const O = {
  RDONLY: 0o0, WRONLY: 0o1, RDWR: 0o2, ACCMODE: 0o3,
  CREAT: 0o100, EXCL: 0o200, NOCTTY: 0o400, TRUNC: 0o1000, APPEND: 0o2000,
  NONBLOCK: 0o4000, DSYNC: 0o10000, DIRECTORY: 0o200000, NOFOLLOW: 0o400000,
  CLOEXEC: 0o2000000, SYNC: 0o4010000,
  /** openat: the path may not leave the directory (FreeBSD's O_RESOLVE_BENEATH; Linux openat2 RESOLVE_BENEATH). */
  RESOLVE_BENEATH: 0o40000000,
} as const;

/** The flags an open file keeps (its status flags): those that acted only at open time are dropped. */
export const openFileFlags = (flags: number): number => flags & ~(O.CREAT | O.EXCL | O.TRUNC | O.CLOEXEC | O.RESOLVE_BENEATH);

/**
 * The *at calls: AT.FDCWD names the cwd as the directory fd. Flags are Linux's, plus
 * RESOLVE_BENEATH (FreeBSD's AT_RESOLVE_BENEATH): an absolute path or symlink, or '..'
 * above the directory, is EXDEV, so the call cannot reach outside the directory.
 */
export const AT = {
  FDCWD: -100, SYMLINK_NOFOLLOW: 0x100, REMOVEDIR: 0x200, SYMLINK_FOLLOW: 0x400, RESOLVE_BENEATH: 0x80000,
  /**
   * utimens, utimensat, futimens: the atime argument is a pointer to four float64s
   * {atime s, atime ns, mtime s, mtime ns} (Linux's `struct timespec times[2]`; a ns of
   * UTIME_NOW or UTIME_OMIT means that), so a time keeps every nanosecond; the mtime
   * argument is unused.
   */
  TIMESPEC: 0x1000000,
} as const;

export const S = {
  IFMT: 0o170000, IFSOCK: 0o140000, IFLNK: 0o120000, IFREG: 0o100000, IFBLK: 0o060000,
  IFDIR: 0o040000, IFCHR: 0o020000, IFIFO: 0o010000,
} as const;

export const isDir = (mode: number): boolean => (mode & S.IFMT) === S.IFDIR;
export const isReg = (mode: number): boolean => (mode & S.IFMT) === S.IFREG;
export const isLnk = (mode: number): boolean => (mode & S.IFMT) === S.IFLNK;
export const isChr = (mode: number): boolean => (mode & S.IFMT) === S.IFCHR;
export const isBlk = (mode: number): boolean => (mode & S.IFMT) === S.IFBLK;

/** Directory entry types, as in Linux's d_type. */
export const DT = { UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12 } as const;

export function dtFromMode(mode: number): number {
  switch (mode & S.IFMT) {
    case S.IFREG: return DT.REG;
    case S.IFDIR: return DT.DIR;
    case S.IFLNK: return DT.LNK;
    case S.IFCHR: return DT.CHR;
    case S.IFBLK: return DT.BLK;
    case S.IFIFO: return DT.FIFO;
    case S.IFSOCK: return DT.SOCK;
    default: return DT.UNKNOWN;
  }
}

export const SEEK = { SET: 0, CUR: 1, END: 2 } as const;

/**
 * The largest file offset and size: 2^53 - 1, the largest integer a float64 syscall
 * argument carries exactly. lseek refuses to go past it (EINVAL, as Linux does past a
 * filesystem's maximum), so an offset is never rounded or negative.
 */
export const OFF_MAX = Number.MAX_SAFE_INTEGER;

const NS_PER_S = 1_000_000_000;

/**
 * The nanoseconds within the second of a float64 time (0..999,999,999), for a
 * filesystem that keeps times only as float64 ns.
 */
export function nsecOf(ns: number): number {
  if (!Number.isFinite(ns)) return 0;
  const r = Math.round(ns % NS_PER_S);
  return r < 0 ? r + NS_PER_S : r >= NS_PER_S ? r - NS_PER_S : r;
}

/**
 * The exact time of a (float64 ns, exact nanoseconds within the second) pair. The
 * float64 is off by at most a few hundred ns, so it names the second unambiguously.
 */
export function exactNs(ns: number, nsec: number): bigint {
  return BigInt(Math.round((ns - nsec) / NS_PER_S)) * 1_000_000_000n + BigInt(nsec);
}

/** The (float64 ns, nanoseconds within the second) pair of an exact time. */
export function splitNs(t: bigint): [number, number] {
  const nsec = ((t % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  return [Number(t), Number(nsec)];
}

/**
 * Times are nanoseconds since the epoch as float64 (`atimeNs`, exact to ~0.25 µs in
 * 2026), plus the exact nanoseconds within the second (`atimeNsec`): `exactNs` puts
 * the two together into the time to the nanosecond.
 */
export interface Stat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number; // 512-byte units
  atimeNs: number;
  mtimeNs: number;
  ctimeNs: number;
  atimeNsec: number;
  mtimeNsec: number;
  ctimeNsec: number;
}

/** Field order of Stat in user memory: 16 float64s (STAT_SIZE bytes). */
export const STAT_FIELDS = [
  'dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blksize', 'blocks',
  'atimeNs', 'mtimeNs', 'ctimeNs', 'atimeNsec', 'mtimeNsec', 'ctimeNsec',
] as const satisfies readonly (keyof Stat)[];
export const STAT_SIZE = STAT_FIELDS.length * 8;

export interface DirEntry {
  name: string;
  ino: number;
  type: number; // DT.*
}

export interface SetAttr {
  mode?: number; // permission bits only; the type bits are kept
  uid?: number;
  gid?: number;
  size?: number;
  atimeNs?: number;
  mtimeNs?: number;
  /** The exact nanoseconds within the second of atimeNs/mtimeNs (exactNs); absent: the float64 is the time. */
  atimeNsec?: number;
  mtimeNsec?: number;
}

export interface StatFs {
  blockSize: number;
  blocks: number;
  freeBlocks: number;
  inodes: number;
  freeInodes: number;
  fsType: string;
}

/**
 * The inode-level interface of a filesystem. Every method may throw KernelError with
 * an errno (ENOENT, ENOTDIR, EEXIST, ENOTEMPTY, ENOSPC, EIO, EUCLEAN, EROFS, ...).
 * Names are single path components (no '/'); vfs does path walking.
 */
export interface FileSystem {
  readonly fsType: string;
  /** Mounted read-only (vfs then refuses writes with EROFS). */
  readonly readOnly?: boolean;
  /** Ownership is not the guest's to set (hostfs): vfs does not chown what it creates there. */
  readonly fixedOwner?: boolean;
  /**
   * Bumped when the filesystem's server restarted and lost what it had not written back
   * (a filesystem component reached through services/vfs/remote-fs.ts): vfs fails the
   * files opened before with EIO. Absent: never.
   */
  readonly epoch?: number;
  root(): Ino;
  lookup(dir: Ino, name: string): Promise<Ino>;
  getattr(ino: Ino): Promise<Stat>;
  setattr(ino: Ino, attr: SetAttr): Promise<void>;
  /** Creates a regular file, device node or fifo (type from mode; rdev for devices). */
  create(dir: Ino, name: string, mode: number, rdev?: number): Promise<Ino>;
  mkdir(dir: Ino, name: string, mode: number): Promise<Ino>;
  symlink(dir: Ino, name: string, target: string): Promise<Ino>;
  /** `cred`: who asks, when a link's target depends on it (/proc/self). */
  readlink(ino: Ino, cred?: FsCred): Promise<string>;
  link(dir: Ino, name: string, target: Ino): Promise<void>;
  unlink(dir: Ino, name: string): Promise<void>;
  rmdir(dir: Ino, name: string): Promise<void>;
  /** Replaces an existing destination (file over file, empty dir over dir), as rename(2). */
  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string): Promise<void>;
  read(ino: Ino, offset: number, length: number): Promise<Uint8Array>;
  /**
   * read() of up to `dst.length` bytes straight into the caller's granted window: each
   * byte copied once, from the filesystem's own memory (its cache or pages) to the
   * caller's. Optional: vfs otherwise calls read() and copies the result.
   */
  readInto?(ino: Ino, offset: number, dst: Grant): Promise<number>;
  write(ino: Ino, offset: number, data: Uint8Array): Promise<number>;
  readdir(dir: Ino): Promise<DirEntry[]>;
  /** vfs calls open/release around every open file so unlinked-but-open inodes live on. */
  open(ino: Ino): Promise<void>;
  release(ino: Ino): Promise<void>;
  /** Makes the file durable; `dataOnly` (fdatasync) may leave out what finding it needs (its names). */
  fsync(ino: Ino, dataOnly?: boolean): Promise<void>;
  sync(): Promise<void>;
  statfs(): Promise<StatFs>;
  /** Flushes everything and detaches; the filesystem is unusable afterwards. */
  unmount(): Promise<void>;
  /** The self-check of a filesystem held in its component's memory (ComponentInstance.selfCheck): what is damaged, or undefined. */
  selfCheck?(): string | undefined;
}

/** Major device numbers of the devices /dev holds. */
export const Major = { MEM: 1, TTY: 5, BLK: 8 } as const;
export const makedev = (major: number, minor: number): number => major * 256 + minor;
export const majorOf = (rdev: number): number => Math.floor(rdev / 256);
export const minorOf = (rdev: number): number => rdev % 256;

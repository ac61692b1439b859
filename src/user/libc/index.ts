// libc for kernelkit's TypeScript programs: thin, synchronous wrappers over the
// syscall ABI (abi/syscalls.ts). Every wrapper stages its arguments in user memory,
// traps, and either returns the result or throws SysError(errno). Programs import
// this module only; they never see the kernel.

import { SYS, SysInfo, WNOHANG, DIRENT_HEADER, TRACE, UTIME_NOW, UTIME_OMIT, type SpawnRequest } from '../../abi/syscalls.js';
import { STAT_FIELDS, STAT_SIZE, type Stat, type DirEntry, type StatFs, O, AT } from '../../abi/fs.js';
import { strerror, errnoName } from '../../abi/errno.js';
import { encode, decode, type Value } from '../../lib/codec.js';
import { syscall, scratch, memory, maxTransfer } from './trap.js';

export { O, S, SEEK, DT, AT, isDir, isReg, isLnk, isChr, isBlk } from '../../abi/fs.js';
export type { Stat, DirEntry, StatFs } from '../../abi/fs.js';
export { Errno, strerror, errnoName } from '../../abi/errno.js';
export { Signal, SigDisposition, signalName, signalNumber } from '../../abi/signal.js';
export { WNOHANG, WUNTRACED, WCONTINUED, WAIT_STOPPED, WAIT_CONTINUED, SysInfo, CLOCK, F, FD_CLOEXEC, TIOC, TERM_MODE, TERM_MODE_COOKED, UTIME_NOW, UTIME_OMIT, POLL, BLKGETSIZE64 } from '../../abi/syscalls.js';
export { installTrap, syscall } from './trap.js';
export { signal } from './signal.js';
export { RLIMIT, RLIM_INFINITY, RLIMIT_NAMES, type Rlimit } from '../../abi/rlimit.js';
export * from './net.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A failed syscall: `errno` is the number, the message says what and why. */
export class SysError extends Error {
  constructor(readonly errno: number, readonly call: string, readonly subject?: string) {
    super(`${subject !== undefined ? subject + ': ' : ''}${strerror(errno)}`);
    this.name = 'SysError';
  }
  get code(): string { return errnoName(this.errno); }
}

function check(r: number, call: string, subject?: string): number {
  if (r < 0) throw new SysError(-r, call, subject);
  return r;
}

function putBytes(b: Uint8Array): number {
  const at = scratch(b.length);
  memory().set(b, at);
  return at;
}

function putString(s: string): [number, number] {
  const b = encoder.encode(s);
  return [putBytes(b), b.length];
}

function getBytes(at: number, n: number): Uint8Array {
  return memory().slice(at, at + n);
}

function getInt32(at: number): number {
  const m = memory();
  return new DataView(m.buffer, m.byteOffset, m.byteLength).getInt32(at, true);
}

function getFloat64(at: number): number {
  const m = memory();
  return new DataView(m.buffer, m.byteOffset, m.byteLength).getFloat64(at, true);
}

/**
 * A time argument: float64 ns (or UTIME_NOW / UTIME_OMIT), or a bigint of ns, which
 * the call passes to the nanosecond (AT.TIMESPEC).
 */
export type TimeNs = number | bigint;

// The (atime, mtime, flags) arguments for a pair of times: as they are, or, when one
// is a bigint, a pointer to {atime s, ns, mtime s, ns} with AT.TIMESPEC.
function timeArgs(atime: TimeNs, mtime: TimeNs, flags: number): [number, number, number] {
  if (typeof atime === 'number' && typeof mtime === 'number') return [atime, mtime, flags];
  const at = scratch(32);
  const m = memory();
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  [atime, mtime].forEach((t, i) => {
    let s: number, ns: number;
    if (t === UTIME_NOW || t === UTIME_OMIT) [s, ns] = [0, t];
    else {
      const exact = typeof t === 'bigint' ? t : BigInt(Math.round(t));
      const rem = ((exact % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
      [s, ns] = [Number((exact - rem) / 1_000_000_000n), Number(rem)];
    }
    v.setFloat64(at + i * 16, s, true);
    v.setFloat64(at + i * 16 + 8, ns, true);
  });
  return [at, 0, flags | AT.TIMESPEC];
}

function readStat(at: number): Stat {
  const out: Record<string, number> = {};
  STAT_FIELDS.forEach((f, i) => { out[f] = getFloat64(at + i * 8); });
  return out as unknown as Stat;
}

// ---- processes ----------------------------------------------------------------

export function exit(status: number): never {
  syscall(SYS.exit, status);
  throw new Error('exit returned');
}

export const getpid = (): number => check(syscall(SYS.getpid), 'getpid');
export const getppid = (): number => check(syscall(SYS.getppid), 'getppid');
export const nullSyscall = (): number => syscall(SYS.null);

export interface SpawnOptions {
  argv?: string[];
  env?: Record<string, string> | string[];
  /** child fd -> parent fd (default: 0,1,2 inherited). */
  fds?: [number, number][];
  /** 0 = the parent's group, -1 = a new group led by the child, else that group. */
  pgid?: number;
  /** Start it as this user (root only): see SpawnRequest.user. */
  user?: { uid: number; gid: number; groups: number[] };
}

/** Starts `path` as a new process; returns its pid. */
export function spawn(path: string, opts: SpawnOptions = {}): number {
  const env = opts.env === undefined ? [] : Array.isArray(opts.env) ? opts.env : Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
  const req: SpawnRequest = { path, argv: opts.argv ?? [path], env, fds: opts.fds ?? [[0, 0], [1, 1], [2, 2]], pgid: opts.pgid ?? 0, ...(opts.user !== undefined ? { user: opts.user } : {}) };
  const bytes = encode(req);
  return check(syscall(SYS.spawn, putBytes(bytes), bytes.length), 'spawn', path);
}

/**
 * Traces process `pid` (0: the caller's children spawned from now on) to descriptor
 * `fd` (-1: stop); `json` writes JSON lines instead of text (abi/trace.ts).
 */
export function trace(fd: number, pid = 0, json = false): void {
  check(syscall(SYS.trace, fd, pid, json ? TRACE.JSON : 0), 'trace', pid === 0 ? undefined : `pid ${pid}`);
}

export interface WaitResult { pid: number; code: number; signal: number }

/** Waits for child `pid` (-1: any). With WNOHANG returns null when none has exited. */
export function wait(pid = -1, options = 0): WaitResult | null {
  const at = scratch(12);
  const r = check(syscall(SYS.wait, pid, at, options), 'wait');
  if (r === 0 && (options & WNOHANG) !== 0) return null;
  return { pid: getInt32(at), code: getInt32(at + 4), signal: getInt32(at + 8) };
}

export const kill = (pid: number, sig: number): void => { check(syscall(SYS.kill, pid, sig), 'kill', String(pid)); };
export const sigaction = (sig: number, disposition: number): void => { check(syscall(SYS.sigaction, sig, disposition), 'sigaction'); };
export const sigpending = (): number => check(syscall(SYS.sigpending), 'sigpending');
export const setpgid = (pid: number, pgid: number): void => { check(syscall(SYS.setpgid, pid, pgid), 'setpgid'); };
export const getpgid = (pid = 0): number => check(syscall(SYS.getpgid, pid), 'getpgid');

// ---- users and groups -------------------------------------------------------------

export const getuid = (): number => check(syscall(SYS.getuid), 'getuid');
export const geteuid = (): number => check(syscall(SYS.geteuid), 'geteuid');
export const getgid = (): number => check(syscall(SYS.getgid), 'getgid');
export const getegid = (): number => check(syscall(SYS.getegid), 'getegid');
export const setuid = (uid: number): void => { check(syscall(SYS.setuid, uid), 'setuid'); };
export const setgid = (gid: number): void => { check(syscall(SYS.setgid, gid), 'setgid'); };
export const setresuid = (r: number, e: number, s: number): void => { check(syscall(SYS.setresuid, r, e, s), 'setresuid'); };
export const setresgid = (r: number, e: number, s: number): void => { check(syscall(SYS.setresgid, r, e, s), 'setresgid'); };
export const umask = (mask: number): number => check(syscall(SYS.umask, mask), 'umask');
export const setsid = (): number => check(syscall(SYS.setsid), 'setsid');
export const getsid = (pid = 0): number => check(syscall(SYS.getsid, pid), 'getsid');

export function getgroups(): number[] {
  const n = check(syscall(SYS.getgroups, 0, 0), 'getgroups');
  if (n === 0) return [];
  const at = scratch(n * 4);
  const got = check(syscall(SYS.getgroups, n, at), 'getgroups');
  return Array.from({ length: got }, (_, i) => getInt32(at + i * 4));
}

export function setgroups(groups: readonly number[]): void {
  const at = scratch(Math.max(4, groups.length * 4));
  const m = memory();
  const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
  groups.forEach((g, i) => view.setInt32(at + i * 4, g, true));
  check(syscall(SYS.setgroups, groups.length, at), 'setgroups');
}

/** Sets owner and group (-1 leaves one); `follow` false changes a symlink itself (lchown). */
export function chown(path: string, uid: number, gid: number, follow = true): void {
  const [p, n] = putString(path);
  check(syscall(SYS.chown, p, n, uid, gid, follow ? 0 : 0x100), 'chown', path);
}

export const fchown = (fd: number, uid: number, gid: number): void => { check(syscall(SYS.fchown, fd, uid, gid), 'fchown'); };
export const fchmod = (fd: number, mode: number): void => { check(syscall(SYS.fchmod, fd, mode), 'fchmod'); };

// ---- files ----------------------------------------------------------------------

export function open(path: string, flags: number = O.RDONLY, mode = 0o644): number {
  const [p, n] = putString(path);
  return check(syscall(SYS.open, p, n, flags, mode), 'open', path);
}

export const close = (fd: number): void => { check(syscall(SYS.close, fd), 'close'); };

/** Reads up to `max` bytes (one syscall); an empty result means end of file. */
export function read(fd: number, max = 65536): Uint8Array {
  const n = Math.min(max, maxTransfer());
  const at = scratch(n);
  const r = check(syscall(SYS.read, fd, at, n), 'read');
  return getBytes(at, r);
}

/**
 * Like read, but returns a view of user memory instead of a copy: valid only until
 * the next syscall. Passing it straight to write() stages nothing (cat's copy loop
 * moves the bytes kernel to kernel through one buffer).
 */
export function readView(fd: number, max = maxTransfer()): Uint8Array {
  const n = Math.min(max, maxTransfer());
  const at = scratch(n);
  const r = check(syscall(SYS.read, fd, at, n), 'read');
  return memory().subarray(at, at + r);
}

// Where `b` already lies in user memory (a readView), the offset to pass as is.
function inUserMemory(b: Uint8Array): number {
  const m = memory();
  return b.buffer === m.buffer && b.byteOffset >= m.byteOffset && b.byteOffset + b.length <= m.byteOffset + m.length ? b.byteOffset - m.byteOffset : -1;
}

export function pread(fd: number, max: number, offset: number): Uint8Array {
  const n = Math.min(max, maxTransfer());
  const at = scratch(n);
  const r = check(syscall(SYS.pread, fd, at, n, offset), 'pread');
  return getBytes(at, r);
}

/** Writes all of `data` (several syscalls when large); returns the byte count. */
export function write(fd: number, data: Uint8Array | string): number {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  let done = 0;
  const chunk = maxTransfer();
  while (done < bytes.length || (bytes.length === 0 && done === 0)) {
    const part = bytes.subarray(done, done + chunk);
    const here = inUserMemory(part);
    const at = here >= 0 ? here : putBytes(part);
    const raw = syscall(SYS.write, fd, at, part.length);
    // A write that wrote something returns how much, as write(2) does: the error
    // (ENOSPC, EIO) is for the next call to report.
    if (raw < 0 && done > 0) return done;
    const r = check(raw, 'write');
    if (bytes.length === 0) break;
    if (r === 0) throw new SysError(5, 'write');
    done += r;
  }
  return done;
}

export function pwrite(fd: number, data: Uint8Array, offset: number): number {
  const at = putBytes(data.subarray(0, maxTransfer()));
  return check(syscall(SYS.pwrite, fd, at, Math.min(data.length, maxTransfer()), offset), 'pwrite');
}

export const lseek = (fd: number, offset: number, whence: number): number => check(syscall(SYS.lseek, fd, offset, whence), 'lseek');
export const dup = (fd: number): number => check(syscall(SYS.dup, fd), 'dup');
export const dup2 = (fd: number, newfd: number): number => check(syscall(SYS.dup2, fd, newfd), 'dup2');

export function pipe(): [number, number] {
  const at = scratch(8);
  check(syscall(SYS.pipe, at), 'pipe');
  return [getInt32(at), getInt32(at + 4)];
}

function statCall(nr: number, name: string, path: string): Stat {
  const [p, n] = putString(path);
  const at = scratch(STAT_SIZE);
  check(syscall(nr, p, n, at), name, path);
  return readStat(at);
}

export const stat = (path: string): Stat => statCall(SYS.stat, 'stat', path);
export const lstat = (path: string): Stat => statCall(SYS.lstat, 'lstat', path);

export function fstat(fd: number): Stat {
  const at = scratch(STAT_SIZE);
  check(syscall(SYS.fstat, fd, at), 'fstat');
  return readStat(at);
}

function pathCall(nr: number, name: string, path: string, a2 = 0): void {
  const [p, n] = putString(path);
  check(syscall(nr, p, n, a2), name, path);
}

export const mkdir = (path: string, mode = 0o755): void => pathCall(SYS.mkdir, 'mkdir', path, mode);
export const rmdir = (path: string): void => pathCall(SYS.rmdir, 'rmdir', path);
export const unlink = (path: string): void => pathCall(SYS.unlink, 'unlink', path);
export const chdir = (path: string): void => pathCall(SYS.chdir, 'chdir', path);
export const chmod = (path: string, mode: number): void => pathCall(SYS.chmod, 'chmod', path, mode);
export const truncate = (path: string, size: number): void => pathCall(SYS.truncate, 'truncate', path, size);

function twoPathCall(nr: number, name: string, a: string, b: string): void {
  const [p1, n1] = putString(a);
  const [p2, n2] = putString(b);
  check(syscall(nr, p1, n1, p2, n2), name, b);
}

export const rename = (from: string, to: string): void => twoPathCall(SYS.rename, 'rename', from, to);
export const link = (target: string, path: string): void => twoPathCall(SYS.link, 'link', target, path);
export const symlink = (target: string, path: string): void => twoPathCall(SYS.symlink, 'symlink', target, path);

export function readlink(path: string): string {
  const [p, n] = putString(path);
  const at = scratch(4096);
  const r = check(syscall(SYS.readlink, p, n, at, 4096), 'readlink', path);
  return decoder.decode(getBytes(at, r));
}

// ---- the *at calls: paths relative to a directory fd (AT.FDCWD: the cwd) ---------
// flags: AT.SYMLINK_NOFOLLOW, AT.REMOVEDIR, AT.SYMLINK_FOLLOW, AT.RESOLVE_BENEATH (the
// path may not leave dirfd: EXDEV); openat takes O.RESOLVE_BENEATH among its flags.

export function openat(dirfd: number, path: string, flags: number = O.RDONLY, mode = 0o644): number {
  const [p, n] = putString(path);
  return check(syscall(SYS.openat, dirfd, p, n, flags, mode), 'openat', path);
}

export function mkdirat(dirfd: number, path: string, mode = 0o755, flags = 0): void {
  const [p, n] = putString(path);
  check(syscall(SYS.mkdirat, dirfd, p, n, mode, flags), 'mkdirat', path);
}

export function unlinkat(dirfd: number, path: string, flags = 0): void {
  const [p, n] = putString(path);
  check(syscall(SYS.unlinkat, dirfd, p, n, flags), 'unlinkat', path);
}

// renameat/linkat: both paths back to back in one buffer.
function twoAtCall(nr: number, name: string, olddirfd: number, a: string, newdirfd: number, b: string, flags: number): void {
  const ab = encoder.encode(a), bb = encoder.encode(b);
  const both = new Uint8Array(ab.length + bb.length);
  both.set(ab, 0);
  both.set(bb, ab.length);
  check(syscall(nr, olddirfd, newdirfd, putBytes(both), ab.length, bb.length, flags), name, b);
}

export const renameat = (olddirfd: number, from: string, newdirfd: number, to: string, flags = 0): void =>
  twoAtCall(SYS.renameat, 'renameat', olddirfd, from, newdirfd, to, flags);
export const linkat = (olddirfd: number, target: string, newdirfd: number, path: string, flags = 0): void =>
  twoAtCall(SYS.linkat, 'linkat', olddirfd, target, newdirfd, path, flags);

export function symlinkat(target: string, dirfd: number, path: string, flags = 0): void {
  const [t, tn] = putString(target);
  const [p, n] = putString(path);
  check(syscall(SYS.symlinkat, t, tn, dirfd, p, n, flags), 'symlinkat', path);
}

export function readlinkat(dirfd: number, path: string, flags = 0): string {
  const [p, n] = putString(path);
  const at = scratch(4096);
  const r = check(syscall(SYS.readlinkat, dirfd, p, n, at, 4096, flags), 'readlinkat', path);
  return decoder.decode(getBytes(at, r));
}

export function fstatat(dirfd: number, path: string, flags = 0): Stat {
  const [p, n] = putString(path);
  const at = scratch(STAT_SIZE);
  check(syscall(SYS.fstatat, dirfd, p, n, at, flags), 'fstatat', path);
  return readStat(at);
}

/** Times in ns (UTIME_NOW, UTIME_OMIT); a bigint keeps every nanosecond. */
export function utimensat(dirfd: number, path: string, atimeNs: TimeNs, mtimeNs: TimeNs, flags = 0): void {
  const [p, n] = putString(path);
  check(syscall(SYS.utimensat, dirfd, p, n, ...timeArgs(atimeNs, mtimeNs, flags)), 'utimensat', path);
}

/** Reads every entry of an open directory (from its current position). */
export function getdents(fd: number): DirEntry[] {
  const out: DirEntry[] = [];
  for (;;) {
    const size = 32768;
    const at = scratch(size);
    const r = check(syscall(SYS.getdents, fd, at, size), 'getdents');
    if (r === 0) return out;
    const bytes = getBytes(at, r);
    const view = new DataView(bytes.buffer);
    let pos = 0;
    while (pos + DIRENT_HEADER <= bytes.length) {
      const ino = view.getUint32(pos, true);
      const type = view.getUint8(pos + 4);
      const len = view.getUint16(pos + 6, true);
      out.push({ ino, type, name: decoder.decode(bytes.subarray(pos + DIRENT_HEADER, pos + DIRENT_HEADER + len)) });
      pos += DIRENT_HEADER + len;
    }
  }
}

/** Every entry of the directory at `path`, including '.' and '..'. */
export function readdir(path: string): DirEntry[] {
  const fd = open(path, O.RDONLY | O.DIRECTORY);
  try { return getdents(fd); } finally { close(fd); }
}

export function getcwd(): string {
  const at = scratch(4096);
  const r = check(syscall(SYS.getcwd, at, 4096), 'getcwd');
  return decoder.decode(getBytes(at, r));
}

export const ftruncate = (fd: number, size: number): void => { check(syscall(SYS.ftruncate, fd, size), 'ftruncate'); };
export const fsync = (fd: number): void => { check(syscall(SYS.fsync, fd), 'fsync'); };
export const fdatasync = (fd: number): void => { check(syscall(SYS.fdatasync, fd), 'fdatasync'); };
export const sync = (): void => { check(syscall(SYS.sync), 'sync'); };

/** Sets times in ns since the epoch; UTIME_NOW (-1) = now, UTIME_OMIT (-2) = leave as is. */
export function utimens(path: string, atimeNs: TimeNs, mtimeNs: TimeNs, flags = 0): void {
  const [p, n] = putString(path);
  check(syscall(SYS.utimens, p, n, ...timeArgs(atimeNs, mtimeNs, flags)), 'utimens', path);
}

export const futimens = (fd: number, atimeNs: TimeNs, mtimeNs: TimeNs): void => { check(syscall(SYS.futimens, fd, ...timeArgs(atimeNs, mtimeNs, 0)), 'futimens'); };
export const fcntl = (fd: number, cmd: number, arg = 0): number => check(syscall(SYS.fcntl, fd, cmd, arg), 'fcntl');
export const ioctl = (fd: number, cmd: number, arg = 0): number => check(syscall(SYS.ioctl, fd, cmd, arg), 'ioctl');

/** Size of a block device in bytes (BLKGETSIZE64). */
export function blockDeviceSize(fd: number): number {
  const at = scratch(8);
  check(syscall(SYS.ioctl, fd, 0x80081272, at), 'ioctl');
  return getFloat64(at);
}

export function statfs(path: string): StatFs {
  const [p, n] = putString(path);
  const size = 1024;
  const at = scratch(size);
  const r = check(syscall(SYS.statfs, p, n, at, size), 'statfs', path);
  return decode(getBytes(at, r)) as unknown as StatFs;
}

export function mount(source: string, target: string, fstype: string): void {
  const [s, sn] = putString(source);
  const [t, tn] = putString(target);
  const [f, fn] = putString(fstype);
  check(syscall(SYS.mount, s, sn, t, tn, f, fn), 'mount', target);
}

export const umount = (target: string): void => pathCall(SYS.umount, 'umount', target);

export interface PollFd { fd: number; events: number; revents: number }

/** Waits until one of `fds` is ready or `timeoutMs` passes (-1: forever); fills revents. */
export function poll(fds: PollFd[], timeoutMs: number): number {
  const at = scratch(fds.length * 12);
  const m = memory();
  const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
  fds.forEach((p, i) => { view.setInt32(at + i * 12, p.fd, true); view.setInt32(at + i * 12 + 4, p.events, true); view.setInt32(at + i * 12 + 8, 0, true); });
  const r = check(syscall(SYS.poll, at, fds.length, timeoutMs), 'poll');
  fds.forEach((p, i) => { p.revents = view.getInt32(at + i * 12 + 8, true); });
  return r;
}

// ---- resource limits ------------------------------------------------------------------

/** A resource limit of the caller (RLIMIT.*): soft and hard, Infinity when unlimited. */
export function getrlimit(resource: number): { soft: number; hard: number } {
  const at = scratch(16);
  check(syscall(SYS.getrlimit, resource, at), 'getrlimit');
  return { soft: getFloat64(at), hard: getFloat64(at + 8) };
}

/** CPU times in ms (times syscall): the caller's user and system time, and its reaped children's. */
export function times(): { userMs: number; systemMs: number; childUserMs: number; childSystemMs: number } {
  const at = scratch(32);
  check(syscall(SYS.times, at), 'times');
  return { userMs: getFloat64(at), systemMs: getFloat64(at + 8), childUserMs: getFloat64(at + 16), childSystemMs: getFloat64(at + 24) };
}

export const setrlimit = (resource: number, soft: number, hard: number): void => { check(syscall(SYS.setrlimit, resource, soft, hard), 'setrlimit'); };

// ---- time, randomness, system -------------------------------------------------------

export function clockGettime(clock = 0): number {
  const at = scratch(8);
  check(syscall(SYS.clock_gettime, clock, at), 'clock_gettime');
  return getFloat64(at);
}

export const nanosleep = (ns: number): void => { check(syscall(SYS.nanosleep, ns), 'nanosleep'); };
export const sleepMs = (ms: number): void => nanosleep(ms * 1e6);
export const schedYield = (): void => { check(syscall(SYS.sched_yield), 'sched_yield'); };

export function getrandom(n: number): Uint8Array {
  const at = scratch(n);
  const r = check(syscall(SYS.getrandom, at, n), 'getrandom');
  return getBytes(at, r);
}

export interface Uname { sysname: string; release: string; preset: string; machine: string }

export function uname(): Uname {
  const at = scratch(512);
  const r = check(syscall(SYS.uname, at, 512), 'uname');
  const [sysname = '', release = '', preset = '', machine = ''] = decoder.decode(getBytes(at, r)).split('\0');
  return { sysname, release, preset, machine };
}

/** A kernel table (SysInfo.PS, LSMOD, DMESG, MEMSTAT, MOUNTS) as a decoded value. */
export function sysinfo(what: number): Value {
  let size = 65536;
  for (;;) {
    const at = scratch(size);
    const r = syscall(SYS.sysinfo, what, at, size);
    if (r === -34 /* ERANGE */ && size < maxTransfer()) { size = Math.min(size * 4, maxTransfer()); continue; }
    check(r, 'sysinfo');
    return decode(getBytes(at, r));
  }
}

export const ps = (): Value => sysinfo(SysInfo.PS);

export const insmod = (name: string, flags = 0): void => pathCall(SYS.insmod, 'insmod', name, flags);
export const rmmod = (name: string): void => pathCall(SYS.rmmod, 'rmmod', name);

export function fault(component: string, type: string): void {
  const [c, cn] = putString(component);
  const [t, tn] = putString(type);
  check(syscall(SYS.fault, c, cn, t, tn), 'fault', component);
}

export const ipcping = (bytes: number): number => check(syscall(SYS.ipcping, bytes), 'ipcping');

// ---- conveniences ------------------------------------------------------------------

/** Writes a string to stdout. */
export const print = (s: string): void => { write(1, s); };
/** Writes a string to stderr. */
export const eprint = (s: string): void => { write(2, s); };

/** Reads a whole file. */
export function readFile(path: string): Uint8Array {
  const fd = open(path, O.RDONLY);
  try { return readAll(fd); } finally { close(fd); }
}

/** Reads an fd to end of file. */
export function readAll(fd: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const b = read(fd, 65536);
    if (b.length === 0) break;
    chunks.push(b);
    total += b.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) { out.set(c, pos); pos += c.length; }
  return out;
}

export function writeFile(path: string, data: Uint8Array | string, flags: number = O.WRONLY | O.CREAT | O.TRUNC): void {
  const fd = open(path, flags, 0o644);
  try { write(fd, data); } finally { close(fd); }
}

export const textDecode = (b: Uint8Array): string => decoder.decode(b);
export const textEncode = (s: string): Uint8Array => encoder.encode(s);

/** A program's entry point: returns the exit status. */
export type Main = (argv: string[], env: Record<string, string>) => number;

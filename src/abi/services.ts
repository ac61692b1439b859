// The interfaces of the core components, as the kernel and peers call them. Every
// argument and result is plain data (lib/codec Value), because under `microkernel`
// each call crosses a thread boundary. Methods throw KernelError(errno).

import type { Stat, StatFs, DirEntry, SetAttr } from './fs.js';
import type { FsCred } from './cred.js';

/** An open file inside vfs, as the kernel's file table refers to it. */
export interface VfsOpenResult {
  handle: number;
  /** 'file' and 'dir' are served by vfs; 'dev' is routed by the kernel to the driver for `rdev`. */
  kind: 'file' | 'dir' | 'dev';
  mode: number;
  rdev: number;
}

/**
 * vfs: the mount table, path resolution (absolute or relative to `cwd`, symlinks
 * followed up to 40 deep), and open files. The root filesystem is a ramfs filled from
 * the initramfs (config.initramfs, cpio newc); config.rootDisk = true mounts ext2 on
 * the block device at '/' instead, with a ramfs at /tmp.
 *
 * `cred` is who asks (the calling process's effective ids): vfs checks permissions
 * against it (services/vfs/access.ts). The kernel always passes it; vfs's own boot
 * mounts and unit tests leave it out and act as root.
 */
export interface VfsService {
  open(cwd: string, path: string, flags: number, mode: number, cred?: FsCred): Promise<VfsOpenResult>;
  read(handle: number, offset: number, length: number): Promise<Uint8Array>;
  /** With O_APPEND the kernel passes offset -1: vfs writes at the end and returns the new end in `end`. */
  write(handle: number, offset: number, data: Uint8Array): Promise<{ written: number; end: number }>;
  close(handle: number): Promise<void>;
  /** Entries from position `index` on ('.' and '..' first), at most `max`. */
  getdents(handle: number, index: number, max: number): Promise<DirEntry[]>;
  fstat(handle: number): Promise<Stat>;
  ftruncate(handle: number, size: number): Promise<void>;
  fsync(handle: number, dataOnly: boolean): Promise<void>;
  fsetattr(handle: number, attr: SetAttr, cred?: FsCred): Promise<void>;
  stat(cwd: string, path: string, follow: boolean, cred?: FsCred): Promise<Stat>;
  setattr(cwd: string, path: string, attr: SetAttr, follow: boolean, cred?: FsCred): Promise<void>;
  mkdir(cwd: string, path: string, mode: number, cred?: FsCred): Promise<void>;
  rmdir(cwd: string, path: string, cred?: FsCred): Promise<void>;
  unlink(cwd: string, path: string, cred?: FsCred): Promise<void>;
  rename(cwd: string, from: string, to: string, cred?: FsCred): Promise<void>;
  link(cwd: string, target: string, path: string, cred?: FsCred): Promise<void>;
  symlink(cwd: string, target: string, path: string, cred?: FsCred): Promise<void>;
  readlink(cwd: string, path: string, cred?: FsCred): Promise<string>;
  /** Resolves a directory for chdir: returns its canonical absolute path. */
  resolveDir(cwd: string, path: string, cred?: FsCred): Promise<string>;
  /** Reads a whole file for exec (EACCES unless executable, EISDIR, ENOENT ...), with its mode and owner for set-user-id. */
  readExecutable(cwd: string, path: string, cred?: FsCred): Promise<{ program: Uint8Array; mode: number; uid: number; gid: number }>;
  sync(): Promise<void>;
  statfs(cwd: string, path: string, cred?: FsCred): Promise<StatFs>;
  mount(source: string, target: string, fstype: string): Promise<void>;
  umount(target: string): Promise<void>;
  mounts(): Promise<{ source: string; target: string; fstype: string }[]>;
  /** Where a filesystem on block device `rdev` is mounted, or '' (raw writes to it are refused). */
  mountedOn(rdev: number): Promise<string>;
  /** Number of open handles (for leak checks and rmmod). */
  openCount(): Promise<number>;
}

/** The tty driver. Minor 1 is /dev/console (stdout side), minor 2 /dev/ttyerr (stderr side). */
export interface ConsoleService {
  /** Blocks until a line (canonical mode) or any input is there; empty at end of input (^D). `reader` names the caller for cancel(). */
  read(minor: number, max: number, reader?: number): Promise<Uint8Array>;
  /** Ends `reader`'s blocked read (its process died) without consuming input. */
  cancel(reader: number): Promise<void>;
  write(minor: number, data: Uint8Array): Promise<number>;
  setForeground(pgid: number): Promise<void>;
  getForeground(): Promise<number>;
  /** Whether a read would not block (poll). */
  readable(): Promise<boolean>;
}

/** The block driver (also /dev/blk0). */
export interface BlkService {
  size(): Promise<number>;
  read(sector: number, count: number): Promise<Uint8Array>;
  write(sector: number, data: Uint8Array): Promise<void>;
  flush(): Promise<void>;
}

/** The process manager: pids, the process tree, exit status, wait, signals policy. */
export interface PmService {
  /** Registers a new process (the kernel creates its thread); `ids` default to the parent's. */
  fork(ppid: number, pgid: number, name: string, ids?: { uid: number; euid: number; suid: number }): Promise<number>;
  /** Records a process's new user ids (setuid, set-user-id exec). */
  setids(pid: number, uid: number, euid: number, suid: number): Promise<void>;
  /** Starts a new session and group led by `pid`; returns the session id. */
  setsid(pid: number): Promise<number>;
  getsid(caller: number, pid: number): Promise<number>;
  /** Records an exit; returns the parent to notify. */
  exit(pid: number, code: number, signal: number): Promise<number>;
  /** Waits for a child (-1: any); with `noHang` returns pid 0 when none has exited. ECHILD if none. */
  wait(pid: number, target: number, noHang: boolean): Promise<{ pid: number; code: number; signal: number }>;
  /** Checks and resolves a kill: returns the pids the signal goes to. */
  kill(from: number, target: number, sig: number): Promise<number[]>;
  getpid(pid: number): Promise<number>;
  getppid(pid: number): Promise<number>;
  setpgid(caller: number, pid: number, pgid: number): Promise<void>;
  getpgid(caller: number, pid: number): Promise<number>;
  /** Live (non-zombie) processes, or those of real user `uid`. */
  count(uid?: number): Promise<number>;
}

/** A test component for the lab's IPC round trip: echoes what it gets. */
export interface EchoService {
  echo(data: Uint8Array): Promise<Uint8Array>;
  ping(): Promise<number>;
}

/**
 * The host-filesystem driver: path operations on the host directories shared with
 * the machine (`--mount HOSTDIR:GUESTDIR[:ro]`). `mount` is the index of the share;
 * paths are relative to the share's root and never leave it.
 */
export interface HostFsService {
  /** The shares: index, guest mount point, read-only. */
  shares(): Promise<{ index: number; guest: string; readOnly: boolean }[]>;
  request(op: string, mount: number, args: Record<string, unknown>): Promise<unknown>;
}

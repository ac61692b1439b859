// The interfaces of the core components, as the kernel and peers call them, and the
// service list below them that describes every method as data. Every argument and
// result is plain data, because under `microkernel` each call crosses a thread
// boundary. Methods throw KernelError(errno).

import type { Stat, StatFs, DirEntry, SetAttr } from './fs.js';
import type { FsCred } from './cred.js';
import { GRANT, type Grant } from './grant.js';
import { STAT_FIELDS } from './fs.js';
import { SECTOR_SIZE } from './blk.js';
import { KernelError, Errno } from './errno.js';
import type { KernelCalls } from './component.js';
import { conforms, type Shape } from './shape.js';
import type { NetInfo, SockAddr, SocketInfo } from './net.js';
import { NicCounter, type NicCounters } from './device.js';

/** An open file inside vfs, as the kernel's file table refers to it. */
export interface VfsOpenResult {
  handle: number;
  /** 'file' and 'dir' are served by vfs; 'dev' is routed by the kernel to the driver for `rdev`. */
  kind: 'file' | 'dir' | 'dev';
  mode: number;
  rdev: number;
  /** Directories: the canonical absolute path it was reached by (getcwd after chdir). */
  path?: string;
}

/**
 * Where a relative path starts. A handle of an open directory: the path resolves from
 * that directory itself (openat and friends; the kernel keeps each process's cwd this
 * way); with `beneath` (RESOLVE_BENEATH) it may not leave it: an absolute path or
 * symlink, or '..' above it, is EXDEV. A string: an absolute directory path, resolved
 * from '/' (the kernel's own calls, tests).
 */
export type PathBase = string | { readonly dir: number; readonly beneath?: boolean };

/**
 * vfs: the mount table, path resolution (absolute or relative to a PathBase, symlinks
 * followed up to 40 deep), and open files. The root filesystem is a ramfs filled from
 * the initramfs (config.initramfs, cpio newc); config.rootDisk = true mounts ext2 on
 * the block device at '/' instead, with a ramfs at /tmp.
 *
 * `cred` is who asks (the calling process's effective ids): vfs checks permissions
 * against it (services/vfs/access.ts). The kernel always passes it; vfs's own boot
 * mounts and unit tests leave it out and act as root.
 */
export interface VfsService {
  open(base: PathBase, path: string, flags: number, mode: number, cred?: FsCred): Promise<VfsOpenResult>;
  read(handle: number, offset: number, length: number): Promise<Uint8Array>;
  /** Reads at `offset` straight into the caller's granted window (at most its length); the count. */
  readInto(handle: number, offset: number, dst: Grant): Promise<number>;
  /** write() from the caller's granted window (offset -1: at the end, as write). */
  writeFrom(handle: number, offset: number, src: Grant): Promise<{ written: number; end: number }>;
  /** With O_APPEND the kernel passes offset -1: vfs writes at the end and returns the new end in `end`. */
  write(handle: number, offset: number, data: Uint8Array): Promise<{ written: number; end: number }>;
  close(handle: number): Promise<void>;
  /** Entries from position `index` on ('.' and '..' first), at most `max`. */
  getdents(handle: number, index: number, max: number): Promise<DirEntry[]>;
  fstat(handle: number): Promise<Stat>;
  ftruncate(handle: number, size: number): Promise<void>;
  fsync(handle: number, dataOnly: boolean): Promise<void>;
  fsetattr(handle: number, attr: SetAttr, cred?: FsCred): Promise<void>;
  stat(base: PathBase, path: string, follow: boolean, cred?: FsCred): Promise<Stat>;
  setattr(base: PathBase, path: string, attr: SetAttr, follow: boolean, cred?: FsCred): Promise<void>;
  mkdir(base: PathBase, path: string, mode: number, cred?: FsCred): Promise<void>;
  rmdir(base: PathBase, path: string, cred?: FsCred): Promise<void>;
  unlink(base: PathBase, path: string, cred?: FsCred): Promise<void>;
  /** `toBase`: where `to` starts (renameat's second directory); `base` when absent. */
  rename(base: PathBase, from: string, to: string, toBase?: PathBase, cred?: FsCred): Promise<void>;
  /** `pathBase`: where `path` starts (linkat's second directory); `follow`: AT_SYMLINK_FOLLOW on `target`. */
  link(base: PathBase, target: string, path: string, pathBase?: PathBase, follow?: boolean, cred?: FsCred): Promise<void>;
  symlink(base: PathBase, target: string, path: string, cred?: FsCred): Promise<void>;
  readlink(base: PathBase, path: string, cred?: FsCred): Promise<string>;
  /** Resolves a directory for chdir: returns its canonical absolute path. */
  resolveDir(base: PathBase, path: string, cred?: FsCred): Promise<string>;
  /** Reads a whole file for exec (EACCES unless executable, EISDIR, ENOENT ...), with its mode and owner for set-user-id. */
  readExecutable(base: PathBase, path: string, cred?: FsCred): Promise<{ program: Uint8Array; mode: number; uid: number; gid: number }>;
  sync(): Promise<void>;
  statfs(base: PathBase, path: string, cred?: FsCred): Promise<StatFs>;
  mount(source: string, target: string, fstype: string): Promise<void>;
  umount(target: string): Promise<void>;
  mounts(): Promise<{ source: string; target: string; fstype: string; options: string }[]>;
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
  /** The terminal modes (TERM_MODE bits). */
  getMode(): Promise<number>;
  setMode(mode: number): Promise<void>;
  /** rows << 16 | columns; 0 when the host's input is not a terminal. */
  getWindowSize(): Promise<number>;
  setWindowSize(size: number): Promise<void>;
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
  fork(ppid: number, pgid: number, name: string, ids?: { uid: number; euid: number; suid: number }): Promise<{ pid: number; pgid: number; sid: number }>;
  /** Records a process's new user ids (setuid, set-user-id exec). */
  setids(pid: number, uid: number, euid: number, suid: number): Promise<void>;
  /** Starts a new session and group led by `pid`; returns the session id. */
  setsid(pid: number): Promise<number>;
  getsid(caller: number, pid: number): Promise<number>;
  /** Records an exit; returns the parent to notify. */
  exit(pid: number, code: number, signal: number): Promise<number>;
  /**
   * Waits for a child (-1: any); with `noHang` returns pid 0 when none has exited. ECHILD if none.
   * `reports` (WUNTRACED | WCONTINUED) also answers a child that stopped or continued (code WAIT_STOPPED/WAIT_CONTINUED).
   */
  wait(pid: number, target: number, noHang: boolean, reports?: number): Promise<{ pid: number; code: number; signal: number }>;
  /** Records that `pid` stopped by signal `sig`, or continued (`sig` 0): its parent's wait may report it. */
  stopped(pid: number, sig: number): Promise<void>;
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
 * The host-filesystem driver: requests on the host directories shared with the
 * machine (`--mount HOSTDIR:GUESTDIR[:ro]`). `mount` is the index of the share; a
 * request names nodes (inodes the host side holds open) and plain names, never paths
 * (abi/device.ts), so it cannot leave the share.
 */
export interface HostFsService {
  /** The shares: index, guest mount point, read-only. */
  shares(): Promise<{ index: number; guest: string; readOnly: boolean }[]>;
  request(op: string, mount: number, args: Record<string, unknown>): Promise<unknown>;
}

/**
 * ext2: the filesystem on the block device (through its `blk` peer), as a server of
 * its own. The methods mirror the inode-level FileSystem contract of abi/fs.ts one for
 * one, by inode number, so vfs mounts it through an adapter (services/vfs/remote-fs.ts)
 * exactly as it mounts a filesystem it holds itself. Every call but `attach` carries
 * the `session` attach returned: a restarted ext2 (or one a new client attached to)
 * answers calls of an older session with ESTALE before doing anything, which is how
 * the adapter learns that what was not written back is gone.
 */
export interface Ext2Service {
  /** Mounts the image if it is not mounted yet (a restarted server mounts it at init); a new client's start: what an earlier one held open is released. */
  attach(): Promise<{ session: number; root: number; readOnly: boolean }>;
  /** Writes everything back and unmounts (vfs's umount and shutdown). */
  detach(session: number): Promise<void>;
  lookup(session: number, dir: number, name: string): Promise<number>;
  getattr(session: number, ino: number): Promise<Stat>;
  setattr(session: number, ino: number, attr: SetAttr): Promise<void>;
  create(session: number, dir: number, name: string, mode: number, rdev: number): Promise<number>;
  mkdir(session: number, dir: number, name: string, mode: number): Promise<number>;
  symlink(session: number, dir: number, name: string, target: string): Promise<number>;
  readlink(session: number, ino: number): Promise<string>;
  link(session: number, dir: number, name: string, target: number): Promise<void>;
  unlink(session: number, dir: number, name: string): Promise<void>;
  rmdir(session: number, dir: number, name: string): Promise<void>;
  rename(session: number, srcDir: number, srcName: string, dstDir: number, dstName: string): Promise<void>;
  read(session: number, ino: number, offset: number, length: number): Promise<Uint8Array>;
  write(session: number, ino: number, offset: number, data: Uint8Array): Promise<number>;
  readdir(session: number, dir: number): Promise<DirEntry[]>;
  open(session: number, ino: number): Promise<void>;
  release(session: number, ino: number): Promise<void>;
  fsync(session: number, ino: number, dataOnly: boolean): Promise<void>;
  sync(session: number): Promise<void>;
  statfs(session: number): Promise<StatFs>;
  /** read() into a window vfs was granted for the process's call and passes on (only from the kernel domain). */
  readInto(session: number, ino: number, offset: number, dst: Grant): Promise<number>;
}

/**
 * diskfs: a filesystem whose driver is not the kernel's but travels on the disk it
 * serves (abi/disk-driver.ts): the kernel loads that module into the sandbox domain
 * and vfs mounts it exactly as it mounts ext2, by inode number with sessions.
 */
export type DiskFsService = Ext2Service;

/**
 * proc: the process filesystem (services/procfs/), read-only, by inode number like
 * ext2's service, without sessions: it keeps no state, so a restarted server answers
 * the same inodes. `pid` is who asks (what /proc/self names; 0 when not a process).
 */
export interface ProcService {
  root(): Promise<number>;
  lookup(dir: number, name: string): Promise<number>;
  getattr(ino: number): Promise<Stat>;
  readlink(ino: number, pid: number): Promise<string>;
  read(ino: number, offset: number, length: number): Promise<Uint8Array>;
  readdir(dir: number): Promise<DirEntry[]>;
  statfs(): Promise<StatFs>;
}

/** What a component may ask of the kernel core (abi/component.ts KernelCalls), as a service. */
export interface KernelService extends KernelCalls {
  /** Appends a line to the kernel log. Every component may log: it needs no `uses` entry. */
  log(message: string): Promise<void>;
}

/**
 * net: sockets (abi/net.ts). AF_UNIX stream sockets and AF_INET TCP and UDP; a socket
 * is a number the kernel's open file holds. Calls that can wait (accept, connect,
 * send, recv) block inside net unless `nonBlocking` (EAGAIN); `waiter` names the
 * process for `cancel`, which ends its blocked calls with EINTR (a signal, or the
 * process died).
 */
export interface NetService {
  socket(family: number, type: number, protocol: number): Promise<number>;
  /** Two connected sockets (socketpair). */
  pair(family: number, type: number): Promise<{ a: number; b: number }>;
  bind(id: number, addr: SockAddr): Promise<void>;
  listen(id: number, backlog: number): Promise<void>;
  accept(id: number, nonBlocking: boolean, waiter: number): Promise<{ id: number; peer: SockAddr }>;
  connect(id: number, addr: SockAddr, nonBlocking: boolean, waiter: number): Promise<void>;
  /** Sends (to `to` for a datagram socket); the count sent. A stream send blocks until all of `data` is queued. */
  send(id: number, data: Uint8Array, to: SockAddr | undefined, nonBlocking: boolean, waiter: number): Promise<number>;
  /** At most `max` bytes (one datagram); empty at end of stream. `from`: the sender. */
  recv(id: number, max: number, peek: boolean, nonBlocking: boolean, waiter: number): Promise<{ data: Uint8Array; from: SockAddr }>;
  /** shutdown(2) (named apart from the component lifecycle's shutdown). */
  shut(id: number, how: number): Promise<void>;
  close(id: number): Promise<void>;
  localAddress(id: number): Promise<SockAddr>;
  remoteAddress(id: number): Promise<SockAddr>;
  setOption(id: number, level: number, name: number, value: number): Promise<void>;
  getOption(id: number, level: number, name: number): Promise<number>;
  /** AF_PACKET only: frames seen (queued or dropped) and dropped since the last call; resets both. */
  captureStats(id: number): Promise<{ packets: number; drops: number }>;
  /** AF_PACKET only: checks a classic BPF program (struct sock_filter[], abi/cbpf.ts) and runs it on each frame before it is queued (SO_ATTACH_FILTER). */
  attachFilter(id: number, program: Uint8Array): Promise<void>;
  /** The attached socket filter's instructions, empty without one (SO_GET_FILTER). */
  filterProgram(id: number): Promise<Uint8Array>;
  /** Readiness as POLL bits (IN, OUT, ERR, HUP). */
  poll(id: number): Promise<number>;
  /** Ends every blocked call of `waiter` with EINTR. */
  cancel(waiter: number): Promise<void>;
  /** The socket table (ss, netstat). */
  sockets(): Promise<SocketInfo[]>;
  /** Interfaces, addresses, routes and neighbours (ip). */
  netinfo(): Promise<NetInfo>;
}

/** A NIC's identity and what its rings saw (abi/device.ts NicCounter, by lower-case name). */
export interface NicInfo {
  mac: Uint8Array;
  mtu: number;
  counters: NicCounters;
}

/**
 * nic: the network device driver. `transmit` queues one Ethernet frame (header +
 * payload, no FCS) in the transmit ring, or drops it when the ring is full (false,
 * counted); a malformed frame is EINVAL. `transmitMany` queues several in order with
 * one call and one doorbell and answers how many went into the ring (those after a
 * full ring are dropped and counted); one malformed frame makes the whole call EINVAL
 * with nothing queued. `receive` blocks until frames arrived and returns up to `max`
 * of them, oldest first. `offload` accepts segmentation offload (abi/device.ts): with
 * NIC_F_TSO a frame of `transmitMany` may be a large TCP segment with its `mss` (0 for
 * an ordinary frame); with NIC_F_GRO `receive` may return large segments.
 */
export interface NicService {
  info(): Promise<NicInfo>;
  transmit(frame: Uint8Array): Promise<boolean>;
  transmitMany(frames: Uint8Array[], mss?: number[]): Promise<number>;
  receive(max: number): Promise<Uint8Array[]>;
  /** Accepts the device's offload features (abi/device.ts NIC_F_*) among `wanted`; answers those accepted. */
  offload(wanted: number): Promise<number>;
}

/** What a bridge did with the frames it took from its two NICs (counts since it started). */
export interface BridgeStats {
  /** Frames sent on to the other NIC (to a learned address or flooded). */
  forwarded: number;
  /** Of those, frames to an address not learned yet, a broadcast or a multicast. */
  flooded: number;
  /** Frames for an address learned on the NIC they came from (not sent on). */
  filtered: number;
  /** Frames the other NIC's driver refused (ring full, restarting). */
  dropped: number;
  /** Addresses in the learning table. */
  learned: number;
}

export interface BridgeService {
  stats(): Promise<BridgeStats>;
}

// ---- the service list ---------------------------------------------------------------
//
// One typed list, many outputs (like abi/syscalls.ts): every method of every
// component interface above with its number, the shapes of its arguments and result
// (abi/shape.ts), whether it is idempotent (replayed on a restarted server after a
// crash) and which arguments or results are bulk buffers. From it come the
// kernel-domain binding (kernel/component/binding.ts), the user-domain client stubs
// and server dispatch with fixed-layout messages (kernel/ipc/wire.ts), the one reply
// check every caller runs (`checkReply`), and the docs table (docs/services.md).

export interface MethodDef {
  /** The method's number inside its service: the selector of a fixed-layout message. */
  readonly nr: number;
  readonly name: string;
  readonly args: readonly (readonly [string, Shape])[];
  readonly result: Shape;
  /** Safe to repeat on a restarted instance: the supervisor replays it once after a crash. */
  readonly idempotent: boolean;
  /** Arguments (by name, or 'result') that are bulk data buffers. */
  readonly bulk: readonly string[];
  readonly doc: string;
  /** A check beyond the shape, relating the result to the arguments (a read returns what was asked). */
  readonly check?: (result: unknown, args: readonly unknown[]) => boolean;
  /** Positions of the arguments that are grants (shape GRANT): only the kernel may lend them. */
  readonly grants: readonly number[];
}

export interface ServiceDef {
  readonly name: string;
  readonly doc: string;
  readonly methods: readonly MethodDef[];
  readonly byName: ReadonlyMap<string, MethodDef>;
  readonly byNr: ReadonlyMap<number, MethodDef>;
}

type MethodSpec = Omit<MethodDef, 'name' | 'idempotent' | 'bulk' | 'grants'> & { readonly idempotent?: boolean; readonly bulk?: readonly string[] };

function m(nr: number, args: readonly (readonly [string, Shape])[], result: Shape, doc: string, extra: Partial<Pick<MethodDef, 'idempotent' | 'bulk' | 'check'>> = {}): MethodSpec {
  return { nr, args, result, doc, ...extra };
}

/** Builds a service from a spec with exactly the methods of interface `I` (the compiler checks both ways). */
function service<I>(name: string, doc: string, spec: { readonly [K in Exclude<keyof I, symbol | number>]-?: MethodSpec }): ServiceDef {
  const methods: MethodDef[] = Object.entries(spec as Record<string, MethodSpec>).map(([method, s]) => ({
    ...s, name: method, idempotent: s.idempotent ?? false, bulk: s.bulk ?? [],
    grants: s.args.flatMap(([, shape], i) => shape === GRANT ? [i] : []),
  }));
  const byNr = new Map<number, MethodDef>();
  for (const d of methods) {
    if (byNr.has(d.nr)) throw new Error(`service list: ${name}.${d.name} reuses number ${d.nr}`);
    byNr.set(d.nr, d);
  }
  return { name, doc, methods, byName: new Map(methods.map((d) => [d.name, d])), byNr };
}

const IDEMPOTENT = { idempotent: true } as const;
const STAT: Shape = { record: Object.fromEntries(STAT_FIELDS.map((f) => [f, 'num' as const])) };
const SETATTR: Shape = { record: { mode: { optional: 'int' }, uid: { optional: 'int' }, gid: { optional: 'int' }, size: { optional: 'num' }, atimeNs: { optional: 'num' }, mtimeNs: { optional: 'num' }, atimeNsec: { optional: 'int' }, mtimeNsec: { optional: 'int' } } };
// A PathBase (a string, or an open directory handle with RESOLVE_BENEATH) is one slot;
// the caller's credentials are a record with a list: both have a fixed layout.
const CRED_SHAPE: Shape = { optional: { record: { uid: 'int', gid: 'int', groups: { list: 'int' }, pid: { optional: 'int' } } } };
const BASE = ['base', 'base'] as const, PATH = ['path', 'str'] as const, HANDLE = ['handle', 'int'] as const, CRED = ['cred', CRED_SHAPE] as const;
const SECTORS = (result: unknown, args: readonly unknown[]): boolean => (result as Uint8Array).length === (args[1] as number) * SECTOR_SIZE;
const GRANT_COUNT = (result: unknown, args: readonly unknown[]): boolean => (result as number) >= 0 && (result as number) <= (args[2] as { length: number }).length;
const GRANT_WRITTEN = (result: unknown, args: readonly unknown[]): boolean => (result as { written: number }).written >= 0 && (result as { written: number }).written <= (args[2] as { length: number }).length;
const AT_MOST = (result: unknown, args: readonly unknown[]): boolean => (result as Uint8Array).length <= (args[2] as number);

const SESSION = ['session', 'int'] as const, INO = ['ino', 'int'] as const, DIR = ['dir', 'int'] as const, NAME = ['name', 'str'] as const;
const STATFS: Shape = { record: { blockSize: 'num', blocks: 'num', freeBlocks: 'num', inodes: 'num', freeInodes: 'num', fsType: 'str' } };
const INO_RESULT = (result: unknown): boolean => (result as number) > 0;
// Checks beyond the shapes (the shapes already say "an integer", "a record of ..."):
// ranges a well-behaved server never leaves.
const POSITIVE = (result: unknown): boolean => (result as number) > 0;
const NOT_NEGATIVE = (result: unknown): boolean => (result as number) >= 0;
const WRITTEN_AT_MOST = (result: unknown, args: readonly unknown[]): boolean => {
  const w = (result as { written: number }).written;
  return w >= 0 && w <= (args[2] as Uint8Array).length;
};

export const VFS = service<VfsService>('vfs', 'virtual filesystem: mount table, path resolution, open files, permission checks', {
  open: m(1, [BASE, PATH, ['flags', 'int'], ['mode', 'int'], CRED], { record: { handle: 'int', kind: { oneOf: ['file', 'dir', 'dev'] }, mode: 'int', rdev: 'int', path: { optional: 'str' } } }, 'opens (and with O_CREAT creates) a file', { check: (r) => (r as { handle: number }).handle >= 0 }),
  read: m(2, [HANDLE, ['offset', 'num'], ['length', 'int']], 'bytes', 'reads at most `length` bytes at `offset`', { ...IDEMPOTENT, bulk: ['result'], check: AT_MOST }),
  write: m(3, [HANDLE, ['offset', 'num'], ['data', 'bytes']], { record: { written: 'int', end: 'num' } }, 'writes at `offset` (-1: at the end, O_APPEND)', { bulk: ['data'], check: WRITTEN_AT_MOST }),
  close: m(4, [HANDLE], 'void', 'closes a handle'),
  getdents: m(5, [HANDLE, ['index', 'int'], ['max', 'int']], { list: { record: { name: 'str', ino: 'num', type: 'int' } } }, 'directory entries from `index` on', { ...IDEMPOTENT, check: (r, a) => (r as unknown[]).length <= (a[2] as number) }),
  fstat: m(6, [HANDLE], STAT, 'status of an open file', IDEMPOTENT),
  ftruncate: m(7, [HANDLE, ['size', 'num']], 'void', 'sets the size of an open file'),
  fsync: m(8, [HANDLE, ['dataOnly', 'bool']], 'void', 'makes an open file durable'),
  fsetattr: m(9, [HANDLE, ['attr', SETATTR], CRED], 'void', 'sets attributes of an open file'),
  stat: m(10, [BASE, PATH, ['follow', 'bool'], CRED], STAT, 'status of a path', IDEMPOTENT),
  setattr: m(11, [BASE, PATH, ['attr', SETATTR], ['follow', 'bool'], CRED], 'void', 'sets attributes of a path'),
  mkdir: m(12, [BASE, PATH, ['mode', 'int'], CRED], 'void', 'makes a directory'),
  rmdir: m(13, [BASE, PATH, CRED], 'void', 'removes an empty directory'),
  unlink: m(14, [BASE, PATH, CRED], 'void', 'removes a name'),
  rename: m(15, [BASE, ['from', 'str'], ['to', 'str'], ['toBase', { optional: 'base' }], CRED], 'void', 'renames (`to` from `toBase`, else `base`)'),
  link: m(16, [BASE, ['target', 'str'], PATH, ['pathBase', { optional: 'base' }], ['follow', { optional: 'bool' }], CRED], 'void', 'makes a hard link'),
  symlink: m(17, [BASE, ['target', 'str'], PATH, CRED], 'void', 'makes a symbolic link'),
  readlink: m(18, [BASE, PATH, CRED], 'str', 'reads a symbolic link', IDEMPOTENT),
  resolveDir: m(19, [BASE, PATH, CRED], 'str', 'the canonical path of a directory (chdir)', { ...IDEMPOTENT, check: (r) => (r as string).startsWith('/') }),
  readExecutable: m(20, [BASE, PATH, CRED], { record: { program: 'bytes', mode: 'int', uid: 'int', gid: 'int' } }, 'a whole executable file with its mode and owner (spawn)', { ...IDEMPOTENT, bulk: ['result'] }),
  sync: m(21, [], 'void', 'makes every filesystem durable', IDEMPOTENT),
  statfs: m(22, [BASE, PATH, CRED], STATFS, 'filesystem usage', IDEMPOTENT),
  mount: m(23, [['source', 'str'], ['target', 'str'], ['fstype', 'str']], 'void', 'mounts a filesystem'),
  umount: m(24, [['target', 'str']], 'void', 'unmounts a filesystem'),
  mounts: m(25, [], { list: { record: { source: 'str', target: 'str', fstype: 'str', options: 'str' } } }, 'the mount table (options: ro or rw)', IDEMPOTENT),
  openCount: m(26, [], 'int', 'open handles (leak checks, rmmod)', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  mountedOn: m(27, [['rdev', 'int']], 'str', "where a filesystem on block device `rdev` is mounted, or '' (raw writes to it are refused)", IDEMPOTENT),
  readInto: m(28, [HANDLE, ['offset', 'num'], ['dst', GRANT]], 'int', "reads at `offset` into the caller's granted window, copied once; the count", { ...IDEMPOTENT, bulk: ['dst'], check: GRANT_COUNT }),
  writeFrom: m(29, [HANDLE, ['offset', 'num'], ['src', GRANT]], { record: { written: 'int', end: 'num' } }, "writes the caller's granted window at `offset` (-1: at the end), copied once", { bulk: ['src'], check: GRANT_WRITTEN }),
});


// A filesystem served by inode number with sessions: ext2, and diskfs (the same methods).
const FS_BY_INODE = {
  attach: m(1, [], { record: { session: 'int', root: 'int', readOnly: 'bool' } }, 'mounts the image if needed and starts a session; releases what an earlier client held open', IDEMPOTENT),
  detach: m(2, [SESSION], 'void', 'writes everything back and unmounts', IDEMPOTENT),
  lookup: m(3, [SESSION, DIR, NAME], 'int', 'the inode a name in a directory names', { ...IDEMPOTENT, check: INO_RESULT }),
  getattr: m(4, [SESSION, INO], STAT, 'status of an inode', IDEMPOTENT),
  setattr: m(5, [SESSION, INO, ['attr', SETATTR]], 'void', 'sets mode, owner, size or times'),
  create: m(6, [SESSION, DIR, NAME, ['mode', 'int'], ['rdev', 'int']], 'int', 'makes a regular file, device node or fifo', { check: INO_RESULT }),
  mkdir: m(7, [SESSION, DIR, NAME, ['mode', 'int']], 'int', 'makes a directory', { check: INO_RESULT }),
  symlink: m(8, [SESSION, DIR, NAME, ['target', 'str']], 'int', 'makes a symbolic link', { check: INO_RESULT }),
  readlink: m(9, [SESSION, INO], 'str', 'the target of a symbolic link', IDEMPOTENT),
  link: m(10, [SESSION, DIR, NAME, ['target', 'int']], 'void', 'a new name for an inode'),
  unlink: m(11, [SESSION, DIR, NAME], 'void', 'removes a name'),
  rmdir: m(12, [SESSION, DIR, NAME], 'void', 'removes an empty directory'),
  rename: m(13, [SESSION, ['srcDir', 'int'], ['srcName', 'str'], ['dstDir', 'int'], ['dstName', 'str']], 'void', 'moves a name, replacing the destination'),
  read: m(14, [SESSION, INO, ['offset', 'num'], ['length', 'int']], 'bytes', 'at most `length` bytes at `offset`', { ...IDEMPOTENT, bulk: ['result'], check: (r, a) => (r as Uint8Array).length <= (a[3] as number) }),
  write: m(15, [SESSION, INO, ['offset', 'num'], ['data', 'bytes']], 'int', 'writes at `offset`, returns the bytes written', { bulk: ['data'], check: (r, a) => (r as number) >= 0 && (r as number) <= (a[3] as Uint8Array).length }),
  readdir: m(16, [SESSION, DIR], { list: { record: { name: 'str', ino: 'num', type: 'int' } } }, 'the entries of a directory', IDEMPOTENT),
  open: m(17, [SESSION, INO], 'void', 'pins an inode while a file is open (an unlinked open file lives on)'),
  release: m(18, [SESSION, INO], 'void', 'unpins it; the last release of an unlinked inode frees it'),
  fsync: m(19, [SESSION, INO, ['dataOnly', 'bool']], 'void', 'makes one file durable (with its names unless `dataOnly`)', IDEMPOTENT),
  sync: m(20, [SESSION], 'void', 'makes everything durable', IDEMPOTENT),
  statfs: m(21, [SESSION], STATFS, 'filesystem usage', IDEMPOTENT),
  readInto: m(22, [SESSION, INO, ['offset', 'num'], ['dst', GRANT]], 'int', "reads at `offset` into a granted window of the caller's caller, copied once from the filesystem's memory; the count", { ...IDEMPOTENT, bulk: ['dst'], check: (r, a) => (r as number) >= 0 && (r as number) <= (a[3] as { length: number }).length }),
} as const;

export const EXT2 = service<Ext2Service>('ext2', 'the ext2 filesystem on the block device, by inode number (vfs mounts it through services/vfs/remote-fs.ts); a call of an older session answers ESTALE', FS_BY_INODE);

export const DISKFS = service<DiskFsService>('diskfs', 'a filesystem whose driver travels on its disk (a WebAssembly module from the disk, run in the sandbox domain), with the methods of ext2\'s service', FS_BY_INODE);

export const CONSOLE = service<ConsoleService>('console', 'tty driver', {
  read: m(1, [['minor', 'int'], ['max', 'int'], ['reader', { optional: 'int' }]], 'bytes', 'a line or the input there is (blocks)', { bulk: ['result'], check: (r, a) => (r as Uint8Array).length <= (a[1] as number) }),
  cancel: m(2, [['reader', 'int']], 'void', 'ends a blocked read without taking input', IDEMPOTENT),
  write: m(3, [['minor', 'int'], ['data', 'bytes']], 'int', 'writes to the terminal', { bulk: ['data'], check: (r, a) => (r as number) >= 0 && (r as number) <= (a[1] as Uint8Array).length }),
  setForeground: m(4, [['pgid', 'int']], 'void', 'sets the foreground process group'),
  getForeground: m(5, [], 'int', 'the foreground process group', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  readable: m(6, [], 'bool', 'whether a read would not block', IDEMPOTENT),
  getMode: m(7, [], 'int', 'the terminal modes (TERM_MODE bits)', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  setMode: m(8, [['mode', 'int']], 'void', 'sets the terminal modes (canonical, echo, signals)', IDEMPOTENT),
  getWindowSize: m(9, [], 'int', 'rows << 16 | columns (0: not a terminal)', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  setWindowSize: m(10, [['size', 'int']], 'void', 'sets the window size', IDEMPOTENT),
});

export const BLK = service<BlkService>('blk', 'block device driver', {
  size: m(1, [], 'int', 'capacity in bytes', { ...IDEMPOTENT, check: (r) => (r as number) >= 0 && (r as number) % SECTOR_SIZE === 0 }),
  read: m(2, [['sector', 'num'], ['count', 'int']], 'bytes', 'reads whole sectors', { ...IDEMPOTENT, bulk: ['result'], check: SECTORS }),
  write: m(3, [['sector', 'num'], ['data', 'bytes']], 'void', 'writes whole sectors', { ...IDEMPOTENT, bulk: ['data'] }),
  flush: m(4, [], 'void', 'makes completed writes durable', IDEMPOTENT),
});

export const PM = service<PmService>('pm', 'process manager', {
  fork: m(1, [['ppid', 'int'], ['pgid', 'int'], ['name', 'str'], ['ids', { optional: { record: { uid: 'int', euid: 'int', suid: 'int' } } }]], { record: { pid: 'int', pgid: 'int', sid: 'int' } }, 'registers a new process, returns its pid, group and session', { check: (r) => { const x = r as { pid: number; pgid: number; sid: number }; return x.pid > 0 && x.pgid > 0 && x.sid > 0; } }),
  exit: m(2, [['pid', 'int'], ['code', 'int'], ['signal', 'int']], 'int', 'records an exit, returns the parent', { check: NOT_NEGATIVE }),
  wait: m(3, [['pid', 'int'], ['target', 'int'], ['noHang', 'bool'], ['reports', { optional: 'int' }]], { record: { pid: 'int', code: 'int', signal: 'int' } }, 'waits for a child', { ...IDEMPOTENT, check: (r) => (r as { pid: number }).pid >= 0 }),
  kill: m(4, [['from', 'int'], ['target', 'int'], ['sig', 'int']], { list: 'int' }, 'resolves a kill to pids', { ...IDEMPOTENT, check: (r) => (r as number[]).every((pid) => pid > 0) }),
  getpid: m(5, [['pid', 'int']], 'int', 'pid', { ...IDEMPOTENT, check: POSITIVE }),
  getppid: m(6, [['pid', 'int']], 'int', 'parent pid', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  setpgid: m(7, [['caller', 'int'], ['pid', 'int'], ['pgid', 'int']], 'void', 'moves a process into a group'),
  getpgid: m(8, [['caller', 'int'], ['pid', 'int']], 'int', 'process group', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  count: m(9, [['uid', { optional: 'int' }]], 'int', 'live processes (of real user `uid`)', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  setids: m(10, [['pid', 'int'], ['uid', 'int'], ['euid', 'int'], ['suid', 'int']], 'void', "records a process's new user ids (setuid, set-user-id exec)"),
  setsid: m(11, [['pid', 'int']], 'int', 'starts a new session led by `pid`', { check: POSITIVE }),
  getsid: m(12, [['caller', 'int'], ['pid', 'int']], 'int', 'session of a process', { ...IDEMPOTENT, check: NOT_NEGATIVE }),
  stopped: m(13, [['pid', 'int'], ['sig', 'int']], 'void', 'records a stop (sig) or a continue (0) for the parent\'s wait', IDEMPOTENT),
});

export const ECHO = service<EchoService>('echo', 'IPC round-trip test component', {
  echo: m(1, [['data', 'bytes']], 'bytes', 'returns its argument', { ...IDEMPOTENT, bulk: ['data', 'result'] }),
  ping: m(2, [], 'int', 'returns a counter', IDEMPOTENT),
});

export const HOSTFS = service<HostFsService>('hostfs', 'host filesystem driver', {
  shares: m(1, [], { list: { record: { index: 'int', guest: 'str', readOnly: 'bool' } } }, 'the shared host directories', IDEMPOTENT),
  request: m(2, [['op', 'str'], ['mount', 'int'], ['args', 'any']], 'any', 'one path operation on a share (its reply is checked by services/hostfs/filesystem.ts)'),
});

export const KERNEL = service<KernelService>('kernel', 'calls into the kernel core (MINIX kernel calls)', {
  signalGroup: m(1, [['pgid', 'int'], ['sig', 'int']], 'void', 'signals a process group (console: ^C)'),
  processTable: m(2, [], { list: { record: { pid: 'int', ppid: 'int', pgid: 'int', sid: 'int', uid: 'int', euid: 'int', suid: 'int', state: { oneOf: ['running', 'zombie'] }, name: 'str', exitCode: 'int', exitSignal: 'int' } } }, 'a snapshot of the process table (pm at restart)', IDEMPOTENT),
  terminate: m(3, [['pid', 'int'], ['code', 'int'], ['signal', 'int']], 'void', 'ends a process\'s thread'),
  log: m(4, [['message', 'str']], 'void', 'a kernel log line (needs no capability)'),
  procInfo: m(5, [['topic', 'str'], ['pid', 'int']], 'any', 'what /proc shows: processes, one process, its descriptors, or the system (abi/procfs.ts)', IDEMPOTENT),
  xdp: m(6, [['frames', { list: 'bytes' }]], { record: { pass: { list: 'bytes' }, tx: { list: 'bytes' } } }, "eth0's XDP hook: the frames to pass up and to send back (the NIC driver, while an XDP program is attached)",
    { check: (r, a) => { const x = r as { pass: unknown[]; tx: unknown[] }; return x.pass.length + x.tx.length <= (a[0] as unknown[]).length; } }),
  mapLent: m(7, [['id', 'int']], 'void', 'maps a process\'s lent memory into the calling server, which vfs passes grants on to (its runtime asks, at the first grant naming it)', IDEMPOTENT),
});

export const PROC = service<ProcService>('proc', 'the process filesystem at /proc, read-only, by inode number (vfs mounts it through services/vfs/proc-fs.ts)', {
  root: m(1, [], 'int', 'the inode of /proc', { ...IDEMPOTENT, check: INO_RESULT }),
  lookup: m(2, [DIR, NAME], 'int', 'the inode a name in a directory names', { ...IDEMPOTENT, check: INO_RESULT }),
  getattr: m(3, [INO], STAT, 'status of an inode', IDEMPOTENT),
  readlink: m(4, [INO, ['pid', 'int']], 'str', 'the target of a link (self: the asking pid)', IDEMPOTENT),
  read: m(5, [INO, ['offset', 'num'], ['length', 'int']], 'bytes', 'at most `length` bytes of the text at `offset`, made now', { ...IDEMPOTENT, bulk: ['result'], check: (r, a) => (r as Uint8Array).length <= (a[2] as number) }),
  readdir: m(6, [DIR], { list: { record: { name: 'str', ino: 'num', type: 'int' } } }, 'the entries of a directory', IDEMPOTENT),
  statfs: m(7, [], STATFS, 'filesystem usage (none)', IDEMPOTENT),
});

/** The usbgadget test module (claim C13): what its attempt to read the disk found. */
export interface UsbGadgetService {
  report(): Promise<{ outcome: 'device' | 'blk' | 'refused'; lines: string[] }>;
}

export const IPCBENCH = service<Record<never, never>>('ipcbench', 'lab measure: times round trips to echo from inside a component (no methods of its own)', {});

export const USBGADGET = service<UsbGadgetService>('usbgadget', 'test module: a dubious driver that tries to read the disk', {
  report: m(1, [], { record: { outcome: { oneOf: ['device', 'blk', 'refused'] }, lines: { list: 'str' } } }, 'how the disk was reached, or that it was refused', IDEMPOTENT),
});

const SOCKADDR: Shape = { record: { family: 'int', addr: 'str', port: 'int' } };
const LINK_STATS: Shape = { record: { rxPackets: 'int', txPackets: 'int', rxBytes: 'int', txBytes: 'int', rxDropped: 'int', txDropped: 'int', rxErrors: 'int', txErrors: 'int' } };
const NETINFO: Shape = { record: {
  links: { list: { record: { name: 'str', mac: 'str', mtu: 'int', loopback: 'bool', stats: { optional: LINK_STATS } } } },
  addresses: { list: { record: { dev: 'str', address: 'str', prefix: 'int' } } },
  routes: { list: { record: { dest: 'str', via: { optional: 'str' }, dev: 'str' } } },
  neighbours: { list: { record: { address: 'str', mac: { optional: 'str' }, state: { oneOf: ['REACHABLE', 'INCOMPLETE'] }, dev: 'str', queued: 'int' } } },
} };
const SOCK = ['id', 'int'] as const, WAIT = [['nonBlocking', 'bool'], ['waiter', 'int']] as const;

const TCP_INFO: Shape = {
  record: {
    rto: 'num', rtt: 'num', rttvar: 'num', mss: 'int', cwnd: 'int', ssthresh: 'int', sack: 'bool', sndWscale: 'int', rcvWscale: 'int', recovery: 'bool',
    retransmits: 'num', fastRetransmits: 'num', timeouts: 'num', segmentsSent: 'num', segmentsReceived: 'num', bytesSent: 'num', bytesAcked: 'num', bytesReceived: 'num', rcvBuffer: 'int', sndBuffer: 'int',
  },
};

export const NET = service<NetService>('net', 'sockets: AF_UNIX streams, AF_INET TCP and UDP', {
  socket: m(1, [['family', 'int'], ['type', 'int'], ['protocol', 'int']], 'int', 'makes a socket; its number', { check: (r) => (r as number) > 0 }),
  pair: m(2, [['family', 'int'], ['type', 'int']], { record: { a: 'int', b: 'int' } }, 'two connected sockets (socketpair)'),
  bind: m(3, [SOCK, ['addr', SOCKADDR]], 'void', 'gives a socket its local address (port 0: an ephemeral one)'),
  listen: m(4, [SOCK, ['backlog', 'int']], 'void', 'makes a stream socket accept connections'),
  accept: m(5, [SOCK, ...WAIT], { record: { id: 'int', peer: SOCKADDR } }, 'the next connection (blocks)', { check: (r) => (r as { id: number }).id > 0 }),
  connect: m(6, [SOCK, ['addr', SOCKADDR], ...WAIT], 'void', 'connects (blocks until the peer answers)'),
  send: m(7, [SOCK, ['data', 'bytes'], ['to', { optional: SOCKADDR }], ...WAIT], 'int', 'queues bytes (a datagram) to send; the count', { bulk: ['data'], check: (r, a) => (r as number) >= 0 && (r as number) <= (a[1] as Uint8Array).length }),
  recv: m(8, [SOCK, ['max', 'int'], ['peek', 'bool'], ...WAIT], { record: { data: 'bytes', from: SOCKADDR } }, 'at most `max` received bytes (one datagram); empty at end of stream', { bulk: ['result'], check: (r, a) => (r as { data: Uint8Array }).data.length <= (a[1] as number) }),
  shut: m(9, [SOCK, ['how', 'int']], 'void', 'ends receiving, sending or both'),
  close: m(10, [SOCK], 'void', 'closes a socket (a stream sends its FIN)'),
  localAddress: m(11, [SOCK], SOCKADDR, 'the local address (getsockname)', IDEMPOTENT),
  remoteAddress: m(12, [SOCK], SOCKADDR, 'the peer address (getpeername)', IDEMPOTENT),
  setOption: m(13, [SOCK, ['level', 'int'], ['name', 'int'], ['value', 'int']], 'void', 'sets a socket option (SO_*, TCP_NODELAY)'),
  getOption: m(14, [SOCK, ['level', 'int'], ['name', 'int']], 'int', 'reads a socket option', IDEMPOTENT),
  poll: m(15, [SOCK], 'int', 'readiness as POLL bits', { ...IDEMPOTENT, check: (r) => (r as number) >= 0 }),
  cancel: m(16, [['waiter', 'int']], 'void', "ends a process's blocked calls with EINTR", IDEMPOTENT),
  sockets: m(17, [], { list: { record: { id: 'int', family: 'int', type: 'int', state: 'str', local: 'str', remote: 'str', recvQueue: 'int', sendQueue: 'int', tcp: { optional: TCP_INFO } } } }, 'the socket table (ss, netstat)', IDEMPOTENT),
  netinfo: m(18, [], NETINFO, 'interfaces, addresses, routes and the neighbour table (ip)', IDEMPOTENT),
  captureStats: m(19, [SOCK], { record: { packets: 'int', drops: 'int' } }, 'an AF_PACKET socket\'s frames seen and dropped (queue full) since the last call, which resets them (PACKET_STATISTICS)'),
  attachFilter: m(20, [SOCK, ['program', 'bytes']], 'void', 'checks a classic BPF program and runs it on each frame before an AF_PACKET socket queues it (SO_ATTACH_FILTER)'),
  filterProgram: m(21, [SOCK], 'bytes', "the socket filter's instructions, empty without one (SO_GET_FILTER)", { ...IDEMPOTENT, check: (r) => (r as Uint8Array).length % 8 === 0 }),
});

const NIC_COUNTERS: Shape = { record: Object.fromEntries(Object.keys(NicCounter).map((k) => [k.toLowerCase(), 'int'])) };

export const NIC = service<NicService>('nic', 'network device driver', {
  info: m(1, [], { record: { mac: 'bytes', mtu: 'int', counters: NIC_COUNTERS } }, 'MAC address, MTU and the ring counters', { ...IDEMPOTENT, check: (r) => (r as NicInfo).mac.length === 6 }),
  transmit: m(2, [['frame', 'bytes']], 'bool', 'queues one Ethernet frame to send (false: ring full, dropped)', { bulk: ['frame'] }),
  receive: m(3, [['max', 'int']], { list: 'bytes' }, 'the frames that arrived, at most `max` (blocks until one did)', { ...IDEMPOTENT, check: (r, a) => (r as Uint8Array[]).length <= (a[0] as number) }),
  transmitMany: m(4, [['frames', { list: 'bytes' }], ['mss', { optional: { list: 'int' } }]], 'int', 'queues frames in order, one doorbell (mss: each large segment\'s, 0 for a frame); how many went into the ring (the rest dropped: ring full)', { check: (r, a) => Number.isInteger(r) && (r as number) >= 0 && (r as number) <= (a[0] as unknown[]).length }),
  offload: m(5, [['wanted', 'int']], 'int', 'accepts the offload features asked for that the device offers (NIC_F_TSO, NIC_F_GRO); the accepted ones', { check: (r, a) => Number.isInteger(r) && ((r as number) & ~(a[0] as number)) === 0 }),
});

// The second network device's driver: the same driver and methods as nic (nic/nic1.ts).
export const NIC1 = service<NicService>('nic1', 'network device driver (a second device, eth1)', {
  info: NIC.byName.get('info')!,
  transmit: NIC.byName.get('transmit')!,
  receive: NIC.byName.get('receive')!,
  transmitMany: NIC.byName.get('transmitMany')!,
  offload: NIC.byName.get('offload')!,
});

export const BRIDGE = service<BridgeService>('bridge', 'Ethernet learning bridge between nic and nic1', {
  stats: m(1, [], { record: { forwarded: 'int', flooded: 'int', filtered: 'int', dropped: 'int', learned: 'int' } }, 'frames forwarded, flooded, filtered and dropped, addresses learned', IDEMPOTENT),
});

/** The C9 test modules (services/extbug/): one per bug, no methods of their own. */
export const EXTBUG_BUGS = ['oob-map', 'null-map', 'unbounded-loop', 'stack-overflow', 'ctx-arith', 'disallowed-helper', 'pointer-leak'] as const;
export const EXTBUG_NAMES = EXTBUG_BUGS.map((b) => `extbug-${b}`);
const EXTBUG: Record<string, ServiceDef> = Object.fromEntries(EXTBUG_NAMES.map((n) => [n, service<Record<never, never>>(n, 'test module (claim C9): a bug of the hostile eBPF set, unchecked, in its init', {})]));

/** Every service, by component name ('kernel' is the kernel core). */
export const SERVICES: Readonly<Record<string, ServiceDef>> = { vfs: VFS, ext2: EXT2, diskfs: DISKFS, console: CONSOLE, blk: BLK, pm: PM, echo: ECHO, hostfs: HOSTFS, ipcbench: IPCBENCH, usbgadget: USBGADGET, net: NET, proc: PROC, kernel: KERNEL, nic: NIC, nic1: NIC1, bridge: BRIDGE, ...EXTBUG };

/**
 * The one reply check: the result of `service.method(args)` as it arrived from the
 * callee. A reply of the wrong shape (a faulty or hostile server) fails the call with
 * EIO instead of reaching the caller.
 */
export function checkReply(def: MethodDef, service: string, result: unknown, args: readonly unknown[]): unknown {
  if (conforms(def.result, result) && (def.check === undefined || def.check(result, args))) return result;
  throw new KernelError(Errno.EIO, `${service} returned a malformed reply to ${def.name}`);
}

/**
 * Whether component `name` is itself lent grants (its service has a method that takes
 * one: vfs). Only such a component may pass a grant on to a peer, and only a grant it
 * holds, for the call it holds it for (MINIX 3's indirect grants): its runtime sends a
 * live grant's own window, never a reference the component made up.
 */
export function passesGrants(name: string): boolean {
  return SERVICES[name]?.methods.some((m) => m.grants.length > 0) === true;
}

/**
 * `service.method` takes grants, and a component calls it: the refusal, else undefined.
 * `passOn`: the call came on a direct channel, where a component that passes grants
 * (passesGrants) may hand one on.
 */
export function lendRefusal(caller: string, service: string, method: string, passOn = false): KernelError | undefined {
  const def = SERVICES[service]?.byName.get(method);
  if (def === undefined || def.grants.length === 0 || (passOn && passesGrants(caller))) return undefined;
  return new KernelError(Errno.EPERM, `${caller} cannot lend memory: ${service}.${method} takes grants from the kernel only`);
}

/**
 * A component that passes grants on handed `service.method` something other than a
 * grant it holds for its call: a revoked one, or one it made up. Refused before it
 * leaves (the sending runtime, or the kernel's binding for a kernel-domain caller).
 */
export function unheldGrant(caller: string, service: string, method: string, revoked: boolean): KernelError {
  return new KernelError(Errno.EPERM, `${caller} cannot lend memory: ${service}.${method} takes a grant it holds, not ${revoked ? 'a revoked one' : 'a made-up one'}`);
}

/** Whether a manifest's `uses` grants `method` of `service` ('svc' grants all of it, 'svc.method' one method). */
export function grants(uses: readonly string[], service: string, method?: string): boolean {
  if (service === 'kernel' && method === 'log') return true;
  if (uses.includes(service)) return true;
  if (method === undefined) return uses.some((u) => u.startsWith(`${service}.`));
  return uses.includes(`${service}.${method}`);
}

// The one syscall list. The kernel's dispatch table (kernel/syscall/table.ts), the
// user-side stubs (user/libc/) and the docs table (docs/syscalls.md, made by
// scripts/gen-docs.mjs) all come from this array; nothing else numbers syscalls.
// The numbers alone are also written out by scripts/gen-docs.mjs as `SYS` in
// sysnr.ts, so a user program's bundle carries `SYS` and not the list with its docs
// (about 12 KB a program): `def` is marked free of side effects, so the bundler drops
// the list where nothing uses it. scripts/build.mjs rewrites sysnr.ts whenever the
// list changes, so adding a syscall is still one entry here. The compiler checks that `SYS` names every
// syscall; gen-docs --check and a unit test check the numbers.
//
// The calling convention is register-like: a syscall number and up to six float64
// arguments. Strings and buffers are (pointer, length) pairs into the process's user
// memory, which the kernel checks on every copyin/copyout (EFAULT when out of range).
// The result is a non-negative number, or -errno.

import { SYS as SYS_NUMBERS } from './sysnr.js';

export type ArgKind = 'int' | 'fd' | 'pid' | 'ptr' | 'len' | 'flags' | 'off';

export interface SyscallDef {
  readonly nr: number;
  readonly name: string;
  readonly args: readonly (readonly [string, ArgKind])[];
  readonly doc: string;
}

/* @__NO_SIDE_EFFECTS__ */
function def<N extends string>(nr: number, name: N, args: readonly (readonly [string, ArgKind])[], doc: string): SyscallDef & { readonly name: N } {
  return { nr, name, args, doc };
}

export const SYSCALLS = [
  def(0, 'null', [], 'does nothing in the kernel core: the bare cost of a trap'),
  def(1, 'exit', [['status', 'int']], 'ends the calling process'),
  def(2, 'getpid', [], 'pid of the caller (asks pm)'),
  def(3, 'getppid', [], 'pid of the parent (asks pm)'),
  def(4, 'spawn', [['desc', 'ptr'], ['descLen', 'len']], 'starts a program: desc is an encoded SpawnRequest'),
  def(5, 'wait', [['pid', 'int'], ['status', 'ptr'], ['options', 'flags']], 'waits for a child; writes a WaitStatus (3 int32: pid, code, signal); WUNTRACED/WCONTINUED also report a child that stopped or continued (code WAIT_STOPPED/WAIT_CONTINUED)'),
  def(6, 'kill', [['pid', 'int'], ['sig', 'int']], 'sends a signal to a process (pid > 0) or a process group (pid < 0)'),
  def(7, 'sigaction', [['sig', 'int'], ['disposition', 'int']], 'sets the disposition of a signal (SigDisposition)'),
  def(8, 'sigpending', [], 'returns and clears the bitmask of signals pending for a HANDLE disposition'),
  def(9, 'setpgid', [['pid', 'pid'], ['pgid', 'int']], 'moves a process into a process group'),
  def(10, 'getpgid', [['pid', 'pid']], 'process group of a process (0 = caller)'),
  def(11, 'open', [['path', 'ptr'], ['pathLen', 'len'], ['flags', 'flags'], ['mode', 'int']], 'opens a file'),
  def(12, 'close', [['fd', 'fd']], 'closes a file descriptor'),
  def(13, 'read', [['fd', 'fd'], ['buf', 'ptr'], ['len', 'len']], 'reads at the file offset'),
  def(14, 'write', [['fd', 'fd'], ['buf', 'ptr'], ['len', 'len']], 'writes at the file offset'),
  def(15, 'pread', [['fd', 'fd'], ['buf', 'ptr'], ['len', 'len'], ['offset', 'off']], 'reads at an offset'),
  def(16, 'pwrite', [['fd', 'fd'], ['buf', 'ptr'], ['len', 'len'], ['offset', 'off']], 'writes at an offset'),
  def(17, 'lseek', [['fd', 'fd'], ['offset', 'off'], ['whence', 'int']], 'moves the file offset'),
  def(18, 'dup', [['fd', 'fd']], 'duplicates a descriptor'),
  def(19, 'dup2', [['fd', 'fd'], ['newfd', 'fd']], 'duplicates onto a chosen descriptor'),
  def(20, 'pipe', [['fds', 'ptr']], 'makes a pipe; writes two int32 (read end, write end)'),
  def(21, 'stat', [['path', 'ptr'], ['pathLen', 'len'], ['buf', 'ptr']], 'file status, following symlinks'),
  def(22, 'lstat', [['path', 'ptr'], ['pathLen', 'len'], ['buf', 'ptr']], 'file status of the link itself'),
  def(23, 'fstat', [['fd', 'fd'], ['buf', 'ptr']], 'file status of an open file'),
  def(24, 'mkdir', [['path', 'ptr'], ['pathLen', 'len'], ['mode', 'int']], 'makes a directory'),
  def(25, 'rmdir', [['path', 'ptr'], ['pathLen', 'len']], 'removes an empty directory'),
  def(26, 'unlink', [['path', 'ptr'], ['pathLen', 'len']], 'removes a name'),
  def(27, 'rename', [['from', 'ptr'], ['fromLen', 'len'], ['to', 'ptr'], ['toLen', 'len']], 'renames'),
  def(28, 'link', [['target', 'ptr'], ['targetLen', 'len'], ['path', 'ptr'], ['pathLen', 'len']], 'makes a hard link'),
  def(29, 'symlink', [['target', 'ptr'], ['targetLen', 'len'], ['path', 'ptr'], ['pathLen', 'len']], 'makes a symbolic link'),
  def(30, 'readlink', [['path', 'ptr'], ['pathLen', 'len'], ['buf', 'ptr'], ['bufLen', 'len']], 'reads a symbolic link'),
  def(31, 'getdents', [['fd', 'fd'], ['buf', 'ptr'], ['len', 'len']], 'reads directory entries (DIRENT records)'),
  def(32, 'chdir', [['path', 'ptr'], ['pathLen', 'len']], 'changes the working directory'),
  def(33, 'getcwd', [['buf', 'ptr'], ['len', 'len']], 'writes the working directory'),
  def(34, 'ftruncate', [['fd', 'fd'], ['size', 'off']], 'sets the size of an open file'),
  def(35, 'truncate', [['path', 'ptr'], ['pathLen', 'len'], ['size', 'off']], 'sets the size of a file'),
  def(36, 'fsync', [['fd', 'fd']], 'makes a file durable'),
  def(37, 'sync', [], 'makes every filesystem durable'),
  def(38, 'chmod', [['path', 'ptr'], ['pathLen', 'len'], ['mode', 'int']], 'sets permission bits'),
  def(39, 'utimens', [['path', 'ptr'], ['pathLen', 'len'], ['atimeNs', 'off'], ['mtimeNs', 'off'], ['flags', 'flags']], 'sets times (-1 = now, -2 = leave; AT_TIMESPEC: atimeNs points at {atime s, ns, mtime s, ns})'),
  def(40, 'fcntl', [['fd', 'fd'], ['cmd', 'int'], ['arg', 'int']], 'descriptor flags (F_GETFD/F_SETFD/F_GETFL/F_SETFL)'),
  def(41, 'ioctl', [['fd', 'fd'], ['cmd', 'int'], ['arg', 'int']], 'device control (TIOC*: process group, terminal modes, window size; BLKGETSIZE64 writes to arg as pointer)'),
  def(42, 'clock_gettime', [['clock', 'int'], ['out', 'ptr']], 'writes a float64 of nanoseconds (CLOCK_REALTIME, _MONOTONIC, _BOOTTIME: since boot, the zero of dmesg)'),
  def(43, 'nanosleep', [['ns', 'off']], 'sleeps'),
  def(44, 'uname', [['buf', 'ptr'], ['len', 'len']], 'writes "sysname\\0release\\0preset\\0machine"'),
  def(45, 'getrandom', [['buf', 'ptr'], ['len', 'len']], 'fills a buffer with random bytes'),
  def(46, 'sched_yield', [], 'gives up the processor'),
  def(47, 'poll', [['fds', 'ptr'], ['nfds', 'int'], ['timeoutMs', 'int']], 'waits for readiness (POLLFD records of 3 int32)'),
  def(48, 'sysinfo', [['what', 'int'], ['buf', 'ptr'], ['len', 'len']], 'kernel tables as encoded values (SysInfo.*): ps, lsmod, dmesg, memstat, mounts, preset, threads'),
  def(49, 'insmod', [['name', 'ptr'], ['nameLen', 'len'], ['flags', 'int']], 'loads a component, or a WebAssembly module file (INSMOD_UNSANDBOXED: into the kernel arena, unsandboxed)'),
  def(50, 'rmmod', [['name', 'ptr'], ['nameLen', 'len']], 'unloads a component (EBUSY when in use)'),
  def(51, 'fault', [['component', 'ptr'], ['componentLen', 'len'], ['type', 'ptr'], ['typeLen', 'len']], 'arms a fault in a component for its next request'),
  def(52, 'mount', [['source', 'ptr'], ['sourceLen', 'len'], ['target', 'ptr'], ['targetLen', 'len'], ['fstype', 'ptr'], ['fstypeLen', 'len']], 'mounts a filesystem'),
  def(53, 'umount', [['target', 'ptr'], ['targetLen', 'len']], 'unmounts a filesystem'),
  def(54, 'statfs', [['path', 'ptr'], ['pathLen', 'len'], ['buf', 'ptr'], ['len', 'len']], 'filesystem usage as an encoded StatFs'),
  def(55, 'fdatasync', [['fd', 'fd']], 'makes a file\'s data durable'),
  def(56, 'futimens', [['fd', 'fd'], ['atimeNs', 'off'], ['mtimeNs', 'off'], ['flags', 'flags']], 'sets times of an open file (-1 = now, -2 = leave; AT_TIMESPEC: atimeNs points at {atime s, ns, mtime s, ns})'),
  def(57, 'ipcping', [['bytes', 'len']], 'round trip to the ipc-echo test component (lab measure)'),
  def(60, 'openat', [['dirfd', 'fd'], ['path', 'ptr'], ['pathLen', 'len'], ['flags', 'flags'], ['mode', 'int']], 'opens a file relative to a directory fd (AT_FDCWD = -100: the cwd); O_RESOLVE_BENEATH keeps it inside'),
  def(61, 'mkdirat', [['dirfd', 'fd'], ['path', 'ptr'], ['pathLen', 'len'], ['mode', 'int'], ['flags', 'flags']], 'makes a directory relative to a directory fd (flags: AT_RESOLVE_BENEATH)'),
  def(62, 'unlinkat', [['dirfd', 'fd'], ['path', 'ptr'], ['pathLen', 'len'], ['flags', 'flags']], 'removes a name relative to a directory fd; AT_REMOVEDIR removes an empty directory'),
  def(63, 'renameat', [['olddirfd', 'fd'], ['newdirfd', 'fd'], ['paths', 'ptr'], ['oldLen', 'len'], ['newLen', 'len'], ['flags', 'flags']], 'renames; the two paths sit back to back at paths'),
  def(64, 'linkat', [['olddirfd', 'fd'], ['newdirfd', 'fd'], ['paths', 'ptr'], ['oldLen', 'len'], ['newLen', 'len'], ['flags', 'flags']], 'makes a hard link (paths back to back; AT_SYMLINK_FOLLOW)'),
  def(65, 'symlinkat', [['target', 'ptr'], ['targetLen', 'len'], ['dirfd', 'fd'], ['path', 'ptr'], ['pathLen', 'len'], ['flags', 'flags']], 'makes a symbolic link relative to a directory fd'),
  def(66, 'readlinkat', [['dirfd', 'fd'], ['path', 'ptr'], ['pathLen', 'len'], ['buf', 'ptr'], ['bufLen', 'len'], ['flags', 'flags']], 'reads a symbolic link relative to a directory fd'),
  def(67, 'fstatat', [['dirfd', 'fd'], ['path', 'ptr'], ['pathLen', 'len'], ['buf', 'ptr'], ['flags', 'flags']], 'file status relative to a directory fd (AT_SYMLINK_NOFOLLOW)'),
  def(68, 'utimensat', [['dirfd', 'fd'], ['path', 'ptr'], ['pathLen', 'len'], ['atimeNs', 'off'], ['mtimeNs', 'off'], ['flags', 'flags']], 'sets times relative to a directory fd (AT_SYMLINK_NOFOLLOW; -1 = now, -2 = leave; AT_TIMESPEC: atimeNs points at {atime s, ns, mtime s, ns})'),
  def(80, 'getuid', [], 'real user id'),
  def(81, 'geteuid', [], 'effective user id (permission checks use it)'),
  def(82, 'getgid', [], 'real group id'),
  def(83, 'getegid', [], 'effective group id'),
  def(84, 'setuid', [['uid', 'int']], 'root: sets real, effective and saved uid; others: effective uid to the real or saved one (EPERM)'),
  def(85, 'setgid', [['gid', 'int']], 'as setuid, for group ids'),
  def(86, 'setresuid', [['ruid', 'int'], ['euid', 'int'], ['suid', 'int']], 'sets real, effective, saved uid (-1 = leave); non-root only among its current ids'),
  def(87, 'setresgid', [['rgid', 'int'], ['egid', 'int'], ['sgid', 'int']], 'as setresuid, for group ids'),
  def(88, 'getgroups', [['size', 'len'], ['list', 'ptr']], 'supplementary groups as int32s (size 0: their number)'),
  def(89, 'setgroups', [['size', 'len'], ['list', 'ptr']], 'sets the supplementary groups (root only)'),
  def(90, 'chown', [['path', 'ptr'], ['pathLen', 'len'], ['uid', 'int'], ['gid', 'int'], ['flags', 'flags']], 'sets owner and group (-1 = leave; flags 0x100: do not follow a symlink)'),
  def(91, 'fchown', [['fd', 'fd'], ['uid', 'int'], ['gid', 'int']], 'sets owner and group of an open file'),
  def(92, 'fchmod', [['fd', 'fd'], ['mode', 'int']], 'sets permission bits of an open file'),
  def(93, 'umask', [['mask', 'int']], 'sets the file creation mask; returns the old one'),
  def(94, 'setsid', [], 'starts a new session and process group led by the caller'),
  def(95, 'getsid', [['pid', 'pid']], 'session of a process (0 = caller)'),
  def(105, 'getrlimit', [['resource', 'int'], ['out', 'ptr']], 'a resource limit (RLIMIT_CPU, _NOFILE, _AS); writes two float64: soft, hard (RLIM_INFINITY = infinity)'),
  def(106, 'setrlimit', [['resource', 'int'], ['soft', 'off'], ['hard', 'off']], 'sets a resource limit; inherited by children; raising the hard limit needs privilege'),
  def(107, 'trace', [['fd', 'fd'], ['pid', 'int'], ['flags', 'flags']], 'traces syscalls and the IPC hops they cause, one line per event written to fd (-1: stop): pid 0 = the caller\'s future children, else that process and its future children (TRACE_JSON: JSON lines); non-root may trace only its own uid (EPERM); a process traced by another is EBUSY'),
  def(120, 'socket', [['domain', 'int'], ['type', 'flags'], ['protocol', 'int']], 'makes a socket (AF_UNIX, AF_INET; SOCK_STREAM, SOCK_DGRAM; | SOCK_NONBLOCK, SOCK_CLOEXEC): a descriptor (abi/net.ts)'),
  def(121, 'socketpair', [['domain', 'int'], ['type', 'flags'], ['protocol', 'int'], ['fds', 'ptr']], 'two connected AF_UNIX stream sockets; writes two int32'),
  def(122, 'bind', [['fd', 'fd'], ['addr', 'ptr'], ['addrLen', 'len']], 'gives a socket its address (sockaddr_in or sockaddr_un; port 0: an ephemeral one; below 1024 needs root)'),
  def(123, 'listen', [['fd', 'fd'], ['backlog', 'int']], 'makes a stream socket accept connections'),
  def(124, 'accept', [['fd', 'fd'], ['addr', 'ptr'], ['addrLenPtr', 'ptr'], ['flags', 'flags']], 'the next connection as a new descriptor (accept4: SOCK_NONBLOCK, SOCK_CLOEXEC); the peer\'s address to addr with its length in and out at addrLenPtr (0: none)'),
  def(125, 'connect', [['fd', 'fd'], ['addr', 'ptr'], ['addrLen', 'len']], 'connects a socket (a datagram socket: its default destination)'),
  def(126, 'sendto', [['fd', 'fd'], ['buf', 'ptr'], ['len', 'len'], ['flags', 'flags'], ['addr', 'ptr'], ['addrLen', 'len']], 'sends (to addr when addrLen > 0); MSG_DONTWAIT, MSG_NOSIGNAL'),
  def(127, 'recvfrom', [['fd', 'fd'], ['buf', 'ptr'], ['len', 'len'], ['flags', 'flags'], ['addr', 'ptr'], ['addrLenPtr', 'ptr']], 'receives (the sender to addr unless addrLenPtr is 0); MSG_PEEK, MSG_DONTWAIT'),
  def(128, 'shutdown', [['fd', 'fd'], ['how', 'int']], 'ends receiving (SHUT_RD), sending (SHUT_WR: the peer reads end of file) or both'),
  def(129, 'getsockname', [['fd', 'fd'], ['addr', 'ptr'], ['addrLenPtr', 'ptr']], 'the local address of a socket'),
  def(130, 'getpeername', [['fd', 'fd'], ['addr', 'ptr'], ['addrLenPtr', 'ptr']], 'the address of the peer (ENOTCONN)'),
  def(131, 'setsockopt', [['fd', 'fd'], ['level', 'int'], ['name', 'int'], ['value', 'ptr'], ['valueLen', 'len']], 'sets an int32 option: SO_REUSEADDR, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_DETACH_FILTER, SO_LOCK_FILTER; or SO_ATTACH_FILTER, a struct sock_fprog (classic BPF, AF_PACKET only)'),
  def(132, 'getsockopt', [['fd', 'fd'], ['level', 'int'], ['name', 'int'], ['value', 'ptr'], ['valueLenPtr', 'ptr']], 'reads an int32 option (also SO_TYPE, SO_ERROR), PACKET_STATISTICS, or the socket filter (SO_GET_FILTER, its length in instructions)'),
  def(133, 'sockets', [['buf', 'ptr'], ['len', 'len']], 'the socket table (ss, netstat) as encoded SocketInfo records; the length needed when len is short (ERANGE)'),
  def(134, 'netinfo', [['buf', 'ptr'], ['len', 'len']], 'interfaces, addresses, routes and neighbours (ip) as an encoded NetInfo record; ERANGE when len is short'),
  def(150, 'bpf', [['cmd', 'int'], ['attr', 'ptr'], ['attrLen', 'len']], 'eBPF: maps, programs (verified), hooks; attr is u32 words laid out per command (abi/bpf.ts); tracing programs need root'),
  def(170, 'times', [['out', 'ptr']], 'CPU time of the caller and of its reaped children, in ms: writes four float64 (user, system, children\'s user, children\'s system); user as RLIMIT_CPU counts it, system the kernel\'s service time of its syscalls that do not wait for others'),
] as const satisfies readonly SyscallDef[];

export type SyscallName = (typeof SYSCALLS)[number]['name'];

export const SYS: { readonly [K in SyscallName]: number } = SYS_NUMBERS;

export const SYSCALL_BY_NR: readonly (SyscallDef | undefined)[] = /* @__PURE__ */ (() => {
  const table: (SyscallDef | undefined)[] = [];
  for (const s of SYSCALLS) table[s.nr] = s;
  return table;
})();

export const MAX_SYSCALL_ARGS = 6;

/** What `sysinfo` can report. */
export const SysInfo = { PS: 1, LSMOD: 2, DMESG: 3, MEMSTAT: 4, MOUNTS: 5, PRESET: 6, THREADS: 7 } as const;

/** `trace` flags. */
export const TRACE = { JSON: 1 } as const;

export const WNOHANG = 1;
/** insmod flag: load a WebAssembly module file unsandboxed, its memory in the kernel arena (kernel/sandbox/). */
export const INSMOD_UNSANDBOXED = 1;
/** `wait` options: report children that stopped (WUNTRACED) or continued (WCONTINUED). */
export const WUNTRACED = 2;
export const WCONTINUED = 8;
/** The code `wait` reports for a child that stopped (signal: the stop signal) or continued (signal: SIGCONT); exits have codes 0-255. */
export const WAIT_STOPPED = -1;
export const WAIT_CONTINUED = -2;
export const UTIME_NOW = -1;
export const UTIME_OMIT = -2;
export const CLOCK = { REALTIME: 0, MONOTONIC: 1, BOOTTIME: 7 } as const;
export const F = { GETFD: 1, SETFD: 2, GETFL: 3, SETFL: 4 } as const;
export const FD_CLOEXEC = 1;
export const TIOC = { GPGRP: 0x540f, SPGRP: 0x5410, GWINSZ: 0x5413, GMODE: 0x5401, SMODE: 0x5402, SWINSZ: 0x5414 } as const;
/**
 * Terminal modes (TIOC.GMODE returns them, TIOC.SMODE takes them as arg; Linux's c_lflag
 * bits). Without ICANON a read returns as soon as one byte is there (VMIN 1, VTIME 0).
 * TIOC.GWINSZ returns rows << 16 | columns; TIOC.SWINSZ takes the same.
 */
export const TERM_MODE = { ISIG: 0o1, ICANON: 0o2, ECHO: 0o10 } as const;
export const TERM_MODE_COOKED = TERM_MODE.ISIG | TERM_MODE.ICANON | TERM_MODE.ECHO;
export const BLKGETSIZE64 = 0x80081272;
export const POLL = { IN: 1, OUT: 4, ERR: 8, HUP: 16, NVAL: 32 } as const;

/** What a process asks `spawn` for (encoded with lib/codec). */
export interface SpawnRequest {
  path: string;
  argv: string[];
  env: string[]; // "NAME=value"
  /** child fd -> parent fd; the child gets exactly these descriptors. */
  fds: [number, number][];
  /** process group: 0 = the parent's, -1 = a new group led by the child, else that group. */
  pgid?: number;
  /**
   * Start the child as this user (real, effective and saved ids) and groups: what su
   * and login do between fork and exec on Unix. Needs CAP_SETUID and CAP_SETGID (EPERM).
   */
  user?: { uid: number; gid: number; groups: number[] };
}

/** A directory entry record written by getdents: u32 ino, u8 type, u8 0, u16 name length, name bytes. */
export const DIRENT_HEADER = 8;

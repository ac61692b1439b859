// The dispatch table, built from the one syscall list (abi/syscalls.ts): every name
// there must have its handler here (the compiler checks it through the mapped type),
// and the number comes only from the list.

import { SYSCALLS, type SyscallName } from '../../abi/syscalls.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { sysChdir } from './chdir.js';
import { sysChmod } from './chmod.js';
import { sysClockGettime } from './clock-gettime.js';
import { sysClose } from './close.js';
import { sysDup } from './dup.js';
import { sysDup2 } from './dup2.js';
import { sysExit } from './exit.js';
import { sysFault } from './fault.js';
import { sysFcntl } from './fcntl.js';
import { sysFdatasync } from './fdatasync.js';
import { sysFstat } from './fstat.js';
import { sysFsync } from './fsync.js';
import { sysFtruncate } from './ftruncate.js';
import { sysFutimens } from './futimens.js';
import { sysGetcwd } from './getcwd.js';
import { sysGetdents } from './getdents.js';
import { sysGetpgid } from './getpgid.js';
import { sysGetpid } from './getpid.js';
import { sysGetppid } from './getppid.js';
import { sysGetrandom } from './getrandom.js';
import { sysGetrlimit } from './getrlimit.js';
import { sysTimes } from './times.js';
import { sysInsmod } from './insmod.js';
import { sysIoctl } from './ioctl.js';
import { sysIpcping } from './ipcping.js';
import { sysKill } from './kill.js';
import { sysLink } from './link.js';
import { sysLseek } from './lseek.js';
import { sysLstat } from './lstat.js';
import { sysMkdir } from './mkdir.js';
import { sysMount } from './mount.js';
import { sysNanosleep } from './nanosleep.js';
import { sysNull } from './null.js';
import { sysOpen } from './open.js';
import { sysPipe } from './pipe.js';
import { sysPoll } from './poll.js';
import { sysPread } from './pread.js';
import { sysPwrite } from './pwrite.js';
import { sysRead } from './read.js';
import { sysReadlink } from './readlink.js';
import { sysRename } from './rename.js';
import { sysRmdir } from './rmdir.js';
import { sysRmmod } from './rmmod.js';
import { sysSchedYield } from './sched-yield.js';
import { sysSetpgid } from './setpgid.js';
import { sysSetrlimit } from './setrlimit.js';
import { sysSigaction } from './sigaction.js';
import { sysSigpending } from './sigpending.js';
import { sysSpawn } from './spawn.js';
import { sysStat } from './stat.js';
import { sysStatfs } from './statfs.js';
import { sysSymlink } from './symlink.js';
import { sysSync } from './sync.js';
import { sysSysinfo } from './sysinfo.js';
import { sysTruncate } from './truncate.js';
import { sysUmount } from './umount.js';
import { sysUname } from './uname.js';
import { sysUnlink } from './unlink.js';
import { sysUtimens } from './utimens.js';
import { sysWait } from './wait.js';
import { sysWrite } from './write.js';
import { sysGetuid } from './getuid.js';
import { sysGeteuid } from './geteuid.js';
import { sysGetgid } from './getgid.js';
import { sysGetegid } from './getegid.js';
import { sysSetuid } from './setuid.js';
import { sysSetgid } from './setgid.js';
import { sysSetresuid } from './setresuid.js';
import { sysSetresgid } from './setresgid.js';
import { sysGetgroups } from './getgroups.js';
import { sysSetgroups } from './setgroups.js';
import { sysChown } from './chown.js';
import { sysFchown } from './fchown.js';
import { sysFchmod } from './fchmod.js';
import { sysUmask } from './umask.js';
import { sysSetsid } from './setsid.js';
import { sysGetsid } from './getsid.js';
import { sysOpenat } from './openat.js';
import { sysMkdirat } from './mkdirat.js';
import { sysUnlinkat } from './unlinkat.js';
import { sysRenameat } from './renameat.js';
import { sysLinkat } from './linkat.js';
import { sysSymlinkat } from './symlinkat.js';
import { sysReadlinkat } from './readlinkat.js';
import { sysFstatat } from './fstatat.js';
import { sysUtimensat } from './utimensat.js';
import { sysTrace } from './trace.js';
import { sysBpf } from './bpf.js';
import { sysSocket } from './socket.js';
import { sysSocketpair } from './socketpair.js';
import { sysBind } from './bind.js';
import { sysListen } from './listen.js';
import { sysAccept } from './accept.js';
import { sysConnect } from './connect.js';
import { sysSendto } from './sendto.js';
import { sysRecvfrom } from './recvfrom.js';
import { sysShutdown } from './shutdown.js';
import { sysGetsockname } from './getsockname.js';
import { sysGetpeername } from './getpeername.js';
import { sysSetsockopt } from './setsockopt.js';
import { sysGetsockopt } from './getsockopt.js';
import { sysSockets, sysNetinfo } from './sockets.js';

export type SyscallHandler = (k: Kernel, p: Process, args: number[]) => number | Promise<number>;

const HANDLERS: { readonly [K in SyscallName]: SyscallHandler } = {
  null: sysNull,
  exit: sysExit,
  getpid: sysGetpid,
  getppid: sysGetppid,
  spawn: sysSpawn,
  wait: sysWait,
  kill: sysKill,
  sigaction: sysSigaction,
  sigpending: sysSigpending,
  setpgid: sysSetpgid,
  getpgid: sysGetpgid,
  open: sysOpen,
  close: sysClose,
  read: sysRead,
  write: sysWrite,
  pread: sysPread,
  pwrite: sysPwrite,
  lseek: sysLseek,
  dup: sysDup,
  dup2: sysDup2,
  pipe: sysPipe,
  stat: sysStat,
  lstat: sysLstat,
  fstat: sysFstat,
  mkdir: sysMkdir,
  rmdir: sysRmdir,
  unlink: sysUnlink,
  chmod: sysChmod,
  truncate: sysTruncate,
  rename: sysRename,
  link: sysLink,
  symlink: sysSymlink,
  readlink: sysReadlink,
  getdents: sysGetdents,
  chdir: sysChdir,
  getcwd: sysGetcwd,
  ftruncate: sysFtruncate,
  fsync: sysFsync,
  fdatasync: sysFdatasync,
  sync: sysSync,
  utimens: sysUtimens,
  futimens: sysFutimens,
  fcntl: sysFcntl,
  ioctl: sysIoctl,
  clock_gettime: sysClockGettime,
  nanosleep: sysNanosleep,
  uname: sysUname,
  getrandom: sysGetrandom,
  sched_yield: sysSchedYield,
  poll: sysPoll,
  sysinfo: sysSysinfo,
  insmod: sysInsmod,
  rmmod: sysRmmod,
  fault: sysFault,
  mount: sysMount,
  umount: sysUmount,
  statfs: sysStatfs,
  ipcping: sysIpcping,
  getrlimit: sysGetrlimit,
  times: sysTimes,
  setrlimit: sysSetrlimit,
  getuid: sysGetuid,
  geteuid: sysGeteuid,
  getgid: sysGetgid,
  getegid: sysGetegid,
  setuid: sysSetuid,
  setgid: sysSetgid,
  setresuid: sysSetresuid,
  setresgid: sysSetresgid,
  getgroups: sysGetgroups,
  setgroups: sysSetgroups,
  chown: sysChown,
  fchown: sysFchown,
  fchmod: sysFchmod,
  umask: sysUmask,
  setsid: sysSetsid,
  getsid: sysGetsid,
  openat: sysOpenat,
  mkdirat: sysMkdirat,
  unlinkat: sysUnlinkat,
  renameat: sysRenameat,
  linkat: sysLinkat,
  symlinkat: sysSymlinkat,
  readlinkat: sysReadlinkat,
  fstatat: sysFstatat,
  utimensat: sysUtimensat,
  trace: sysTrace,
  bpf: sysBpf,
  socket: sysSocket,
  socketpair: sysSocketpair,
  bind: sysBind,
  listen: sysListen,
  accept: sysAccept,
  connect: sysConnect,
  sendto: sysSendto,
  recvfrom: sysRecvfrom,
  shutdown: sysShutdown,
  getsockname: sysGetsockname,
  getpeername: sysGetpeername,
  setsockopt: sysSetsockopt,
  getsockopt: sysGetsockopt,
  sockets: sysSockets,
  netinfo: sysNetinfo,
};

/** Handler by syscall number. */
export const SYSCALL_TABLE: readonly (SyscallHandler | undefined)[] = (() => {
  const table: (SyscallHandler | undefined)[] = [];
  for (const s of SYSCALLS) table[s.nr] = HANDLERS[s.name];
  return table;
})();

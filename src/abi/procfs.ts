// What the kernel tells the proc component (services/procfs/) about itself: the
// records behind /proc, answered by the kernel call `procInfo(topic, pid)`. The proc
// component turns them into the files' text; it holds no state of its own, so a
// restarted proc server serves the same tree at once.

import type { Cred } from './cred.js';

/** One process as /proc/PID shows it. Times are milliseconds. */
export interface ProcProcess extends Cred {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** 'R' running, 'S' blocked in a syscall, 'T' stopped, 'Z' zombie. */
  state: string;
  /** The program's name (the last part of its path). */
  name: string;
  argv: string[];
  cwd: string;
  syscalls: number;
  /** The process thread running it (0 once it has exited). */
  thread: number;
  userMs: number;
  systemMs: number;
  childUserMs: number;
  childSystemMs: number;
  /** When it started, since boot. */
  startMs: number;
  /** Its user memory (the one address space a process has). */
  memoryBytes: number;
  /** Descriptors it may have (RLIMIT_NOFILE). */
  fdLimit: number;
}

/** One open descriptor: its number and what it names (a path, `pipe:[N]`, `socket:[N]`). */
export interface ProcFd {
  fd: number;
  target: string;
  flags: number;
}

/** One component, as lsmod shows it. */
export interface ProcModule {
  name: string;
  domain: string;
  state: string;
  restarts: number;
  description: string;
}

/** One memory arena: the kernel's or a user-domain component's. */
export interface ProcArena {
  arena: string;
  size: number;
  used: number;
}

/** The system-wide facts. */
export interface ProcSystem {
  release: string;
  preset: string;
  ipc: string;
  uptimeMs: number;
  /** The host's processor, as the machine reports it. */
  cpu: string;
  cores: number;
  host: string;
  arenas: ProcArena[];
  mounts: { source: string; target: string; fstype: string; options: string }[];
  modules: ProcModule[];
}

/** The topics of `procInfo`; `pid` matters for 'process' and 'fds'. */
export type ProcTopic = 'processes' | 'process' | 'fds' | 'system';

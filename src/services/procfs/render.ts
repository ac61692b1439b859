// The text of /proc's files, made from the kernel's records (abi/procfs.ts) when a file
// is read. Formats follow Linux's proc(5) for the fields kernelkit has; where Linux
// prints a field kernelkit does not keep (page faults, priorities, a tty), /proc/PID/stat
// prints 0 in its place so that the fields after it keep their positions.

import type { ProcFd, ProcProcess, ProcSystem } from '../../abi/procfs.js';

/** Linux's USER_HZ: /proc/PID/stat counts times in hundredths of a second. */
export const CLOCK_TICKS = 100;

const STATE_NAMES: Record<string, string> = { R: 'R (running)', S: 'S (sleeping)', T: 'T (stopped)', Z: 'Z (zombie)' };
const ticks = (ms: number): number => Math.floor(ms * CLOCK_TICKS / 1000);
const kB = (bytes: number): string => `${String(Math.floor(bytes / 1024)).padStart(8)} kB`;

export function status(p: ProcProcess): string {
  return [
    `Name:\t${p.name}`,
    `Umask:\t${p.umask.toString(8).padStart(4, '0')}`,
    `State:\t${STATE_NAMES[p.state] ?? p.state}`,
    `Tgid:\t${p.pid}`,
    `Pid:\t${p.pid}`,
    `PPid:\t${p.ppid}`,
    // Linux's fourth column is the filesystem id, the effective id here (abi/cred.ts).
    `Uid:\t${p.uid}\t${p.euid}\t${p.suid}\t${p.euid}`,
    `Gid:\t${p.gid}\t${p.egid}\t${p.sgid}\t${p.egid}`,
    `FDSize:\t${p.fdLimit}`,
    `Groups:\t${p.groups.join(' ')}${p.groups.length > 0 ? ' ' : ''}`,
    `NSpid:\t${p.pid}`,
    `NSpgid:\t${p.pgid}`,
    `NSsid:\t${p.sid}`,
    `VmSize:\t${kB(p.state === 'Z' ? 0 : p.memoryBytes)}`,
    `Threads:\t1`,
    // kernelkit's own: the syscalls it made through the kernel, the process thread running it.
    `Syscalls:\t${p.syscalls}`,
    `Thread:\t${p.thread}`,
    '',
  ].join('\n');
}

/** Linux's /proc/PID/stat, fields 1 to 24 (proc(5)): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss. */
export function stat(p: ProcProcess): string {
  const fields = [
    p.pid, `(${p.name})`, p.state, p.ppid, p.pgid, p.sid, 0, -1, 0, 0, 0, 0, 0,
    ticks(p.userMs), ticks(p.systemMs), ticks(p.childUserMs), ticks(p.childSystemMs),
    20, 0, 1, 0, ticks(p.startMs), p.state === 'Z' ? 0 : p.memoryBytes, 0,
  ];
  return fields.join(' ') + '\n';
}

export function cmdline(p: ProcProcess): string {
  return p.state === 'Z' || p.argv.length === 0 ? '' : p.argv.join('\0') + '\0';
}

/** The one mapping a process has: its user memory (syscall buffers and WASI linear memory are in it). */
export function maps(p: ProcProcess): string {
  if (p.state === 'Z') return '';
  const end = p.memoryBytes.toString(16).padStart(8, '0');
  return `00000000-${end} rw-s 00000000 00:00 0${' '.repeat(26)}[user memory]\n`;
}

export function fdTarget(fd: ProcFd): string { return fd.target; }

export function meminfo(s: ProcSystem, processes: readonly ProcProcess[]): string {
  const total = s.arenas.reduce((n, a) => n + a.size, 0), used = s.arenas.reduce((n, a) => n + a.used, 0);
  const live = processes.filter((p) => p.state !== 'Z');
  const line = (k: string, v: string): string => `${(k + ':').padEnd(16)}${v}`;
  return [
    line('MemTotal', kB(total)),
    line('MemFree', kB(total - used)),
    line('MemUsed', kB(used)),
    line('ProcessMemory', kB(live.reduce((n, p) => n + p.memoryBytes, 0))),
    line('Processes', String(live.length).padStart(8)),
    '',
  ].join('\n');
}

/** kernelkit's own: every arena in bytes (the kernel's, and each user-domain component's): NAME SIZE USED. */
export function arenas(s: ProcSystem): string {
  return s.arenas.map((a) => `${a.arena} ${a.size} ${a.used}\n`).join('');
}

/** Seconds since boot, two decimals. (Linux's second field, the idle time, is not kept.) */
export function uptime(s: ProcSystem): string {
  return `${(s.uptimeMs / 1000).toFixed(2)}\n`;
}

/** One line per component: NAME DOMAIN STATE RESTARTS DESCRIPTION (the description runs to the end of the line). */
export function modules(s: ProcSystem): string {
  return s.modules.map((m) => `${m.name} ${m.domain} ${m.state} ${m.restarts} ${m.description}\n`).join('');
}

/** As Linux's /proc/mounts: source target type options 0 0. */
export function mounts(s: ProcSystem): string {
  const escape = (v: string): string => v.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return s.mounts.map((m) => `${escape(m.source)} ${escape(m.target)} ${m.fstype} ${m.options} 0 0\n`).join('');
}

export function version(s: ProcSystem): string {
  return `kernelkit version ${s.release} (preset ${s.preset}, ipc ${s.ipc})\n`;
}

/** The host's processor as the machine reports it: one block per core, as Linux prints them. */
export function cpuinfo(s: ProcSystem): string {
  const blocks: string[] = [];
  for (let i = 0; i < s.cores; i++) blocks.push(`processor\t: ${i}\nmodel name\t: ${s.cpu}\n`);
  return blocks.join('\n');
}

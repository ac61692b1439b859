// The CPU-time account times() reports (the `time` program reads it). User time is
// what RLIMIT_CPU checks (proc/limits.ts): the host's count of the process's thread
// where it has one, else the time spent in the process's own code. System time is the
// kernel's service time of the process's syscalls — from picking the trap up to
// answering it, the components' work on its behalf included — for the calls that do
// not by their nature wait for someone else: wait, nanosleep and poll, and reads and
// writes on pipes and reads from devices (the terminal) are left out, as their time is
// spent waiting for another process or a person, not working. Children's times are
// added to the parent when it reaps them, as in Unix.

import type { Process } from './process.js';
import { SYS } from '../../abi/syscalls.js';

const WAITS = new Set<number>([SYS.wait, SYS.nanosleep, SYS.poll]);

/** CPU time the process used in its own code (ms), fixed at its exit. */
export function userMs(p: Process, now: number): number {
  if (p.cpu.finalUserMs !== undefined) return p.cpu.finalUserMs;
  const hostMs = p.thread?.cpuMs?.();
  return hostMs !== undefined ? hostMs - p.cpu.threadBaseMs : p.cpu.ms(now);
}

/** Whether syscall `nr` with `args` counts towards the caller's system time (see the header). */
export function countsAsSystemTime(p: Process, nr: number, args: readonly number[]): boolean {
  if (WAITS.has(nr)) return false;
  if (nr === SYS.read || nr === SYS.write || nr === SYS.pread || nr === SYS.pwrite) {
    let kind: string | undefined;
    try { kind = p.fds.get(args[0]!).file.kind; } catch { kind = undefined; } // EBADF: the call itself reports it
    if (kind === 'pipe') return false;
    if (kind === 'dev' && (nr === SYS.read || nr === SYS.pread)) return false;
  }
  return true;
}

/** A reaped child's times join its parent's children's times. */
export function addChildTimes(parent: Process, child: Process, now: number): void {
  parent.cpu.childUserMs += userMs(child, now) + child.cpu.childUserMs;
  parent.cpu.childSystemMs += child.cpu.systemMs + child.cpu.childSystemMs;
}

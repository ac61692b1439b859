// The kernel's side of /proc: the `procInfo` kernel call the proc component
// (services/procfs/) makes, answered from the process table, the descriptor tables,
// the component table and vfs's mount table. It only reads; what a caller may see is
// the proc component's business (it sets the modes vfs checks, as Linux's procfs does).

import type { Kernel } from '../kernel.js';
import type { Process } from './process.js';
import type { OpenFile } from '../fs/file.js';
import type { ProcFd, ProcProcess, ProcSystem } from '../../abi/procfs.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { RLIMIT } from '../../abi/rlimit.js';
import { userMs } from './times.js';

// Pipes have no number of their own: /proc names each by the order it was first seen.
const pipeIds = new WeakMap<object, number>();
let lastPipeId = 0;

function stateLetter(p: Process): string {
  if (p.state === 'zombie') return 'Z';
  if (p.stopSignal !== 0 && !p.dead) return 'T';
  return p.state === 'blocked' ? 'S' : 'R';
}

export function processInfo(p: Process, bootedAt: number, now: number): ProcProcess {
  const c = p.cred;
  return {
    pid: p.pid, ppid: p.ppid, pgid: p.pgid, sid: p.sid,
    uid: c.uid, euid: c.euid, suid: c.suid, gid: c.gid, egid: c.egid, sgid: c.sgid, groups: [...c.groups], umask: c.umask,
    state: stateLetter(p), name: p.name.slice(p.name.lastIndexOf('/') + 1), argv: [...p.argv], cwd: p.cwd,
    syscalls: p.syscalls, thread: p.thread?.id ?? 0,
    userMs: userMs(p, now), systemMs: p.cpu.systemMs, childUserMs: p.cpu.childUserMs, childSystemMs: p.cpu.childSystemMs,
    startMs: p.startedAt - bootedAt, memoryBytes: p.umem.length, fdLimit: p.limits.soft(RLIMIT.NOFILE),
  };
}

function fdTarget(f: OpenFile): string {
  switch (f.kind) {
    case 'pipe': {
      const pipe = f.target.pipe;
      if (pipe === undefined) return 'pipe:[0]';
      let id = pipeIds.get(pipe);
      if (id === undefined) { id = ++lastPipeId; pipeIds.set(pipe, id); }
      return `pipe:[${id}]`;
    }
    case 'socket': return `socket:[${f.target.socket ?? 0}]`;
    default: return f.path;
  }
}

function live(k: Kernel, pid: number): Process {
  const p = k.procs.get(pid);
  // A process the kernel reaps itself was already reported gone to its parent.
  if (p === undefined || p.exitUnreported) throw new KernelError(Errno.ESRCH, `no process ${pid}`);
  return p;
}

/** The answer to the kernel call `procInfo(topic, pid)` (abi/procfs.ts). */
export async function procInfo(k: Kernel, topic: string, pid: number): Promise<ProcProcess[] | ProcProcess | ProcFd[] | ProcSystem> {
  const now = performance.now();
  // The zero of dmesg and CLOCK_BOOTTIME, so /proc/uptime and start times agree with them.
  const zero = now - k.log.sinceBootMs();
  switch (topic) {
    case 'processes':
      return [...k.procs.values()].filter((p) => !p.exitUnreported).map((p) => processInfo(p, zero, now));
    case 'process':
      return processInfo(live(k, pid), zero, now);
    case 'fds':
      return live(k, pid).fds.list().map(([fd, e]) => ({ fd, target: fdTarget(e.file), flags: e.file.flags }));
    case 'system': {
      const arenas = (await k.components.memstat()).map((a) => ({ arena: a.arena, size: a.size, used: a.regions.reduce((n, r) => n + r.length, 0) }));
      const machine = k.platform.machine;
      return {
        release: k.config.release, preset: k.config.preset, ipc: k.config.ipc, uptimeMs: now - zero,
        cpu: machine.cpu, cores: machine.cores, host: machine.host,
        arenas, mounts: await k.vfs.mounts(), modules: k.components.modules(),
      };
    }
    default: throw new KernelError(Errno.EINVAL, `no /proc topic '${topic}'`);
  }
}

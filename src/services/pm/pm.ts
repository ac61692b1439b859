// pm: the process manager. It owns the process tree — pids, parents, process groups,
// exit statuses of children not yet waited for — and the policy of wait and kill.
// The kernel core owns the mechanism (threads, syscall pages, descriptors) and asks
// pm at every spawn, exit, wait and kill; under `microkernel` each of those is a
// message to this server, as with MINIX 3's PM.
//
// State machine of a record: running -> zombie (exit) -> gone (reaped by wait, or at
// once when its parent is gone). After a restart pm rebuilds its table from the
// kernel's process table.

import type { ComponentContext, ComponentInstance, Manifest, ProcessRecord } from '../../abi/component.js';
import type { PmService } from '../../abi/services.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { NSIG } from '../../abi/signal.js';

export const manifest: Manifest = {
  name: 'pm',
  description: 'process manager (pids, tree, wait, signals)',
  uses: ['kernel.processTable'],
};

interface Record {
  pid: number;
  ppid: number;
  pgid: number;
  name: string;
  zombie: boolean;
  code: number;
  signal: number;
}

const MAX_PID = 32768;

export function create(ctx: ComponentContext): ComponentInstance & PmService {
  const procs = new Map<number, Record>();
  const childExited = new Map<number, (() => void)[]>(); // parent pid -> waiters
  let nextPid = 1;

  function get(pid: number): Record {
    const r = procs.get(pid);
    if (r === undefined) throw new KernelError(Errno.ESRCH);
    return r;
  }

  function allocPid(): number {
    for (let i = 0; i < MAX_PID; i++) {
      const pid = nextPid;
      nextPid = nextPid >= MAX_PID ? 2 : nextPid + 1;
      if (!procs.has(pid)) return pid;
    }
    throw new KernelError(Errno.EAGAIN, 'pm: out of pids');
  }

  function notifyParent(ppid: number): void {
    const list = childExited.get(ppid);
    if (list !== undefined) { childExited.delete(ppid); for (const w of list) w(); }
  }

  function fromKernel(rec: ProcessRecord): Record {
    return { pid: rec.pid, ppid: rec.ppid, pgid: rec.pgid, name: rec.name, zombie: rec.state === 'zombie', code: rec.exitCode, signal: rec.exitSignal };
  }

  return {
    async init(): Promise<void> {
      // Empty at boot; after a restart, the kernel's table has every live process.
      for (const rec of await ctx.kernel.processTable()) procs.set(rec.pid, fromKernel(rec));
      if (procs.size > 0) {
        nextPid = Math.max(...procs.keys()) + 1;
        ctx.log(`pm: rebuilt ${procs.size} processes from the kernel's table`);
      }
    },

    async fork(ppid: number, pgid: number, name: string): Promise<number> {
      const parent = ppid === 0 ? undefined : get(ppid);
      const pid = allocPid();
      const group = pgid === 0 ? (parent?.pgid ?? pid) : pgid === -1 ? pid : pgid;
      procs.set(pid, { pid, ppid, pgid: group, name, zombie: false, code: 0, signal: 0 });
      return pid;
    },

    async exit(pid: number, code: number, signal: number): Promise<number> {
      const r = get(pid);
      r.zombie = true;
      r.code = code;
      r.signal = signal;
      // Orphans go to init (pid 1); orphaned zombies nobody will wait for are reaped now.
      for (const child of procs.values()) {
        if (child.ppid !== pid) continue;
        child.ppid = 1;
        if (child.zombie) procs.delete(child.pid);
      }
      if (!procs.has(r.ppid) || procs.get(r.ppid)!.zombie) procs.delete(pid);
      notifyParent(r.ppid);
      return r.ppid;
    },

    async wait(pid: number, target: number, noHang: boolean): Promise<{ pid: number; code: number; signal: number }> {
      for (;;) {
        const children = [...procs.values()].filter((c) => c.ppid === pid && (target === -1 || c.pid === target || (target < -1 && c.pgid === -target)));
        if (children.length === 0) throw new KernelError(Errno.ECHILD);
        const zombie = children.find((c) => c.zombie);
        if (zombie !== undefined) {
          procs.delete(zombie.pid);
          return { pid: zombie.pid, code: zombie.code, signal: zombie.signal };
        }
        if (noHang) return { pid: 0, code: 0, signal: 0 };
        // NOTE: await; other exits and waits interleave.
        await new Promise<void>((resolve) => {
          const list = childExited.get(pid) ?? [];
          list.push(resolve);
          childExited.set(pid, list);
        });
      }
    },

    async kill(from: number, target: number, sig: number): Promise<number[]> {
      if (!Number.isInteger(sig) || sig < 0 || sig >= NSIG) throw new KernelError(Errno.EINVAL);
      let pids: number[];
      if (target > 0) {
        const r = procs.get(target);
        if (r === undefined || r.zombie) throw new KernelError(Errno.ESRCH);
        pids = [target];
      } else {
        const group = target === 0 ? get(from).pgid : target === -1 ? -1 : -target;
        pids = [...procs.values()].filter((r) => !r.zombie && (group === -1 ? r.pid !== 1 : r.pgid === group)).map((r) => r.pid);
        if (pids.length === 0) throw new KernelError(Errno.ESRCH);
      }
      return sig === 0 ? [] : pids;
    },

    async getpid(pid: number): Promise<number> { return get(pid).pid; },
    async getppid(pid: number): Promise<number> { return get(pid).ppid; },

    async setpgid(caller: number, pid: number, pgid: number): Promise<void> {
      const target = get(pid === 0 ? caller : pid);
      if (target.pid !== caller && target.ppid !== caller) throw new KernelError(Errno.ESRCH);
      if (pgid < 0) throw new KernelError(Errno.EINVAL);
      target.pgid = pgid === 0 ? target.pid : pgid;
    },

    async getpgid(caller: number, pid: number): Promise<number> { return get(pid === 0 ? caller : pid).pgid; },

    async count(): Promise<number> { return [...procs.values()].filter((r) => !r.zombie).length; },
  };
}

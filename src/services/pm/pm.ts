// pm: the process manager. It owns the process tree — pids, parents, process groups,
// exit statuses of children not yet waited for — and the policy of wait and kill.
// The kernel core owns the mechanism (threads, syscall pages, descriptors) and asks
// pm at every spawn, exit, wait and kill; under `microkernel` each of those is a
// message to this server, as with MINIX 3's PM.
//
// pm also keeps who each process is (real, effective and saved user ids, from the
// kernel at spawn and setuid) for the two policies that need it: who may signal whom
// (kill: EPERM) and how many processes a user may have (the kernel's spawn asks
// `count(uid)`). Sessions (sid) bound setpgid: a process moves only within its own.
//
// State machine of a record: running -> zombie (exit) -> gone (reaped by wait, or at
// once when its parent is gone); running <-> stopped (SIGSTOP/SIGTSTP, SIGCONT: the
// kernel stops the thread and tells pm, whose wait reports it to a parent that asked
// with WUNTRACED/WCONTINUED). After a restart pm rebuilds its table from the kernel's
// process table (a stop or continue not yet reported is not in it).

import type { ComponentContext, ComponentInstance, Manifest, ProcessRecord } from '../../abi/component.js';
import type { PmService } from '../../abi/services.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { NSIG, Signal } from '../../abi/signal.js';
import { WUNTRACED, WCONTINUED, WAIT_STOPPED, WAIT_CONTINUED } from '../../abi/syscalls.js';

export const manifest: Manifest = {
  name: 'pm',
  description: 'process manager (pids, tree, wait, signals)',
  uses: ['kernel.processTable'],
};

interface Record {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  uid: number;
  euid: number;
  suid: number;
  name: string;
  zombie: boolean;
  code: number;
  signal: number;
  /** The signal that stopped it (0: not stopped). */
  stopSignal: number;
  /** A stop or continue its parent has not been told of. */
  report: 'stopped' | 'continued' | undefined;
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
    return {
      pid: rec.pid, ppid: rec.ppid, pgid: rec.pgid, sid: rec.sid, uid: rec.uid, euid: rec.euid, suid: rec.suid,
      name: rec.name, zombie: rec.state === 'zombie', code: rec.exitCode, signal: rec.exitSignal, stopSignal: 0, report: undefined,
    };
  }

  // kill(2)'s rule: root, or a sender whose real or effective uid is the target's real or saved uid.
  function maySignal(sender: Record | undefined, target: Record): boolean {
    if (sender === undefined) return true; // the kernel (console ^C)
    if (sender.euid === 0) return true;
    return sender.uid === target.uid || sender.uid === target.suid || sender.euid === target.uid || sender.euid === target.suid;
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

    async fork(ppid: number, pgid: number, name: string, ids?: { uid: number; euid: number; suid: number }): Promise<{ pid: number; pgid: number; sid: number }> {
      const parent = ppid === 0 ? undefined : get(ppid);
      if (!Number.isInteger(pgid) || pgid < -1) throw new KernelError(Errno.EINVAL);
      // Joining a group means one that exists in the parent's session (setpgid's rule).
      if (pgid > 0 && parent !== undefined && ![...procs.values()].some((r) => r.pgid === pgid && r.sid === parent.sid)) throw new KernelError(Errno.EPERM, `no process group ${pgid} in this session`);
      const pid = allocPid();
      const group = pgid === 0 ? (parent?.pgid ?? pid) : pgid === -1 ? pid : pgid;
      const { uid, euid, suid } = ids ?? { uid: parent?.uid ?? 0, euid: parent?.euid ?? 0, suid: parent?.suid ?? 0 };
      const sid = parent?.sid ?? pid;
      procs.set(pid, { pid, ppid, pgid: group, sid, uid, euid, suid, name, zombie: false, code: 0, signal: 0, stopSignal: 0, report: undefined });
      return { pid, pgid: group, sid };
    },

    async setids(pid: number, uid: number, euid: number, suid: number): Promise<void> {
      const r = get(pid);
      r.uid = uid;
      r.euid = euid;
      r.suid = suid;
    },

    async setsid(pid: number): Promise<number> {
      const r = get(pid);
      // A group leader cannot start a session: its group would straddle two.
      if ([...procs.values()].some((o) => o.pgid === r.pid && !o.zombie)) throw new KernelError(Errno.EPERM, 'setsid: already a process group leader');
      r.sid = r.pid;
      r.pgid = r.pid;
      return r.sid;
    },

    async getsid(caller: number, pid: number): Promise<number> { return get(pid === 0 ? caller : pid).sid; },

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
      // A process killed while blocked in wait: its wait ends (ECHILD, its children
      // went to init) instead of staying in flight forever.
      notifyParent(pid);
      return r.ppid;
    },

    async wait(pid: number, target: number, noHang: boolean, reports = 0): Promise<{ pid: number; code: number; signal: number }> {
      for (;;) {
        const children = [...procs.values()].filter((c) => c.ppid === pid && (target === -1 || c.pid === target || (target < -1 && c.pgid === -target)));
        if (children.length === 0) throw new KernelError(Errno.ECHILD);
        const zombie = children.find((c) => c.zombie);
        if (zombie !== undefined) {
          procs.delete(zombie.pid);
          return { pid: zombie.pid, code: zombie.code, signal: zombie.signal };
        }
        const stopped = (reports & WUNTRACED) !== 0 ? children.find((c) => c.report === 'stopped') : undefined;
        if (stopped !== undefined) { stopped.report = undefined; return { pid: stopped.pid, code: WAIT_STOPPED, signal: stopped.stopSignal }; }
        const continued = (reports & WCONTINUED) !== 0 ? children.find((c) => c.report === 'continued') : undefined;
        if (continued !== undefined) { continued.report = undefined; return { pid: continued.pid, code: WAIT_CONTINUED, signal: Signal.SIGCONT }; }
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
      const sender = from === 0 ? undefined : get(from);
      let pids: number[];
      if (target > 0) {
        const r = procs.get(target);
        if (r === undefined || r.zombie) throw new KernelError(Errno.ESRCH);
        if (!maySignal(sender, r)) throw new KernelError(Errno.EPERM, `pid ${from} may not signal pid ${target} (another user's)`);
        pids = [target];
      } else {
        const group = target === 0 ? get(from).pgid : target === -1 ? -1 : -target;
        // -1: every process but init and the caller (as in Linux).
        const matched = [...procs.values()].filter((r) => !r.zombie && (group === -1 ? r.pid !== 1 && r.pid !== from : r.pgid === group));
        if (matched.length === 0) throw new KernelError(Errno.ESRCH);
        // A group or broadcast signal reaches those the sender may signal; EPERM if none.
        const allowed = matched.filter((r) => maySignal(sender, r));
        if (allowed.length === 0) throw new KernelError(Errno.EPERM);
        pids = allowed.map((r) => r.pid);
      }
      return sig === 0 ? [] : pids;
    },

    async stopped(pid: number, sig: number): Promise<void> {
      const r = get(pid);
      if (!Number.isInteger(sig) || sig < 0 || sig >= NSIG) throw new KernelError(Errno.EINVAL);
      if (r.zombie) return;
      r.stopSignal = sig;
      r.report = sig === 0 ? 'continued' : 'stopped';
      notifyParent(r.ppid);
    },

    async getpid(pid: number): Promise<number> { return get(pid).pid; },
    async getppid(pid: number): Promise<number> { return get(pid).ppid; },

    // setpgid(2)'s checks, in Linux's order: EINVAL for a negative group; ESRCH unless
    // the target is the caller or its child; EPERM for a session leader, a target in
    // another session, or a group that does not exist in the caller's session.
    async setpgid(caller: number, pid: number, pgid: number): Promise<void> {
      if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(pgid) || pid < 0 || pgid < 0) throw new KernelError(Errno.EINVAL);
      const self = get(caller);
      const target = procs.get(pid === 0 ? caller : pid);
      if (target === undefined || target.zombie || (target.pid !== caller && target.ppid !== caller)) throw new KernelError(Errno.ESRCH);
      if (target.sid === target.pid) throw new KernelError(Errno.EPERM, 'setpgid: a session leader stays in its group');
      if (target.sid !== self.sid) throw new KernelError(Errno.EPERM, 'setpgid: the target is in another session');
      const group = pgid === 0 ? target.pid : pgid;
      if (group !== target.pid && ![...procs.values()].some((r) => r.pgid === group && r.sid === self.sid)) {
        throw new KernelError(Errno.EPERM, `setpgid: no process group ${group} in this session`);
      }
      target.pgid = group;
    },

    async getpgid(caller: number, pid: number): Promise<number> { return get(pid === 0 ? caller : pid).pgid; },

    async count(uid?: number): Promise<number> { return [...procs.values()].filter((r) => !r.zombie && (uid === undefined || r.uid === uid)).length; },
  };
}

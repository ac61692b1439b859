// wait: pm decides which child; the kernel drops the reaped process from its table.
// A child whose exit pm never acknowledged (kernel.ts reportExit) is reaped from the
// kernel's own table, so a parent never waits forever on a broken pm. A signal the
// process handles ends a blocking wait with EINTR, as in POSIX without SA_RESTART.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno, isKernelError } from '../../abi/errno.js';
import { WNOHANG, WUNTRACED, WCONTINUED } from '../../abi/syscalls.js';
import { addChildTimes } from '../proc/times.js';

/** A dead child of `p` matching `target` that pm does not know has exited. */
function unreportedChild(k: Kernel, p: Process, target: number): Process | undefined {
  for (const c of k.procs.values()) {
    if (c.ppid !== p.pid || !c.exitUnreported) continue;
    if (target === -1 || c.pid === target || (target < -1 && c.pgid === -target)) return c;
  }
  return undefined;
}

/** pm reaped `pid` for a wait that had already ended: the next wait gets it from the kernel. */
function adopt(k: Kernel, pid: number): void {
  const c = k.procs.get(pid);
  if (c === undefined) return;
  c.exitUnreported = true;
  for (const wake of k.childLost.get(c.ppid)?.splice(0) ?? []) wake();
}

export async function sysWait(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [target, statusPtr, options] = [a[0]!, a[1]!, a[2]!];
  if (!Number.isInteger(target) || !Number.isInteger(options) || (options & ~(WNOHANG | WUNTRACED | WCONTINUED)) !== 0) throw new KernelError(Errno.EINVAL);
  p.copyoutInt32(statusPtr, [0, 0, 0]); // EFAULT before blocking, not after
  let r: { pid: number; code: number; signal: number };
  for (;;) {
    const lost = unreportedChild(k, p, target);
    if (lost !== undefined) { r = { pid: lost.pid, code: lost.exitCode, signal: lost.exitSignal }; break; }
    if ((options & WNOHANG) === 0 && p.signalPending) throw new KernelError(Errno.EINTR);
    p.state = 'blocked';
    let wake!: () => void;
    let interrupted!: () => void;
    const woken = new Promise<'lost'>((resolve) => { wake = () => resolve('lost'); });
    const signalled = new Promise<'intr'>((resolve) => { interrupted = () => resolve('intr'); });
    const list = k.childLost.get(p.pid) ?? [];
    list.push(wake);
    k.childLost.set(p.pid, list);
    // A signal the process handles ends the wait with EINTR (its handler runs on the way out).
    p.interrupt = interrupted;
    try {
      // NOTE: await; a child whose exit pm lost wakes this wait from the kernel side.
      const asked = k.pm.wait(p.pid, target, (options & WNOHANG) !== 0, options & (WUNTRACED | WCONTINUED));
      let answer: Awaited<typeof asked> | 'lost' | 'intr';
      try {
        answer = await Promise.race([asked, woken, signalled]);
      } catch (e) {
        // A wait of this process that a signal ended may still be in pm, and may just have
        // reaped the child this one asks for: its answer reaches the kernel's table (adopt)
        // a moment later, and is this wait's to report.
        if (!isKernelError(e) || e.errno !== Errno.ECHILD) throw e;
        await k.platform.yieldMacrotask();
        const late = unreportedChild(k, p, target);
        if (late === undefined) throw e;
        r = { pid: late.pid, code: late.exitCode, signal: late.exitSignal };
        break;
      }
      if (answer === 'lost' || answer === 'intr') {
        // pm's answer may still come: the child it reaps is then the kernel's to report.
        // (A stop or continue it reported is lost with the wait: the child is still alive.)
        asked.then((late) => { if (late.pid !== 0 && late.code >= 0) adopt(k, late.pid); }, () => {});
        if (answer === 'intr') throw new KernelError(Errno.EINTR);
        continue;
      }
      r = answer;
      break;
    } finally {
      if (p.interrupt === interrupted) p.interrupt = undefined;
      const rest = (k.childLost.get(p.pid) ?? []).filter((w) => w !== wake);
      if (rest.length === 0) k.childLost.delete(p.pid); else k.childLost.set(p.pid, rest);
      if (p.state === 'blocked') p.state = 'running';
    }
  }
  // A stopped or continued child (a negative code) is still alive.
  if (r.pid !== 0 && r.code >= 0) {
    const child = k.procs.get(r.pid);
    if (child !== undefined) addChildTimes(p, child, performance.now());
    k.procs.delete(r.pid);
  }
  p.copyoutInt32(statusPtr, [r.pid, r.code, r.signal]);
  return r.pid;
}

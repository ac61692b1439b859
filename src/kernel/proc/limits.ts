// A process's resource limits and the CPU-time account they are checked against.
// Limits are copied from the parent at spawn (init gets the machine defaults in
// params.ts). The rules of setrlimit live here: the soft limit never exceeds the
// hard one, lowering is always allowed, raising a hard limit needs privilege.
//
// What "CPU time" is here: where the host can say (Node on Linux: the thread's utime +
// stime from /proc, ThreadHandle.cpuMs), the CPU time the process's thread used since
// it was handed the program — what the host's scheduler counted. Elsewhere the
// fallback, CpuAccount below: the wall time the process spends in its own code between
// syscalls, measured by the kernel from the moment it completes a syscall (or hands
// the thread its program) to the moment it picks up the next trap. Time blocked in the
// kernel is not counted; time the host took the core away while the program ran is.

import { KernelError, Errno } from '../../abi/errno.js';
import { RLIMIT, RLIM_INFINITY, type Rlimit, type RlimitResource } from '../../abi/rlimit.js';

export class Limits {
  private readonly values: Map<RlimitResource, Rlimit>;

  constructor(from: Iterable<[RlimitResource, Rlimit]>) {
    this.values = new Map([...from].map(([r, l]) => [r, { ...l }]));
  }

  /** The machine defaults (params.ts). */
  static defaults(p: { rlimitCpuSeconds: number; rlimitNofile: number; rlimitAsBytes: number }): Limits {
    return new Limits([
      [RLIMIT.CPU, { soft: p.rlimitCpuSeconds, hard: p.rlimitCpuSeconds }],
      [RLIMIT.NOFILE, { soft: p.rlimitNofile, hard: p.rlimitNofile }],
      [RLIMIT.AS, { soft: p.rlimitAsBytes, hard: p.rlimitAsBytes }],
    ]);
  }

  /** A child's copy (spawn inherits limits). */
  clone(): Limits { return new Limits(this.values); }

  get(resource: RlimitResource): Rlimit { return { ...this.values.get(resource)! }; }
  soft(resource: RlimitResource): number { return this.values.get(resource)!.soft; }

  /**
   * Sets a limit. `privileged` may raise the hard limit; `ceiling` is what the machine
   * can give at all (e.g. the size of the descriptor table), EPERM above it.
   */
  set(resource: RlimitResource, soft: number, hard: number, privileged: boolean, ceiling = RLIM_INFINITY): void {
    const valid = (v: number): boolean => v === RLIM_INFINITY || (Number.isSafeInteger(v) && v >= 0);
    if (!valid(soft) || !valid(hard) || soft > hard) throw new KernelError(Errno.EINVAL, 'a limit is a non-negative integer or RLIM_INFINITY, soft <= hard');
    const now = this.values.get(resource)!;
    if (hard > now.hard && !privileged) throw new KernelError(Errno.EPERM, 'raising a hard limit needs privilege');
    if (hard > ceiling) throw new KernelError(Errno.EPERM, `the machine's ceiling for this limit is ${ceiling}`);
    this.values.set(resource, { soft, hard });
  }
}

/** The CPU-time account of a process (see the header). */
export class CpuAccount {
  private usedMs = 0;
  /** When the process last went back to its own code; undefined while in the kernel. */
  private runningSince: number | undefined;
  /** Which signal the limit already sent: 0 none, then SIGXCPU, then SIGKILL. */
  stage = 0;
  /** The thread's host CPU time when the program was handed to it (a pooled thread started earlier). */
  threadBaseMs = 0;

  /** times(): the kernel's service time of its syscalls (proc/times.ts), and its reaped children's times (ms). */
  systemMs = 0;
  childUserMs = 0;
  childSystemMs = 0;
  /** The user time when the process exited (its thread then serves others). */
  finalUserMs: number | undefined;

  constructor(now: number) { this.runningSince = now; }

  /** The process trapped: it stops running its own code. */
  enterKernel(now: number): void {
    if (this.runningSince !== undefined) { this.usedMs += now - this.runningSince; this.runningSince = undefined; }
  }

  /** The kernel completed a syscall: the process runs its own code again. */
  leaveKernel(now: number): void { this.runningSince = now; }

  /** CPU time so far (ms), including the stretch running now. */
  ms(now: number): number { return this.usedMs + (this.runningSince === undefined ? 0 : now - this.runningSince); }
}

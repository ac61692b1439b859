// A process as the kernel core sees it: its thread, its syscall page and user memory,
// its descriptors, cwd and signal state. The process tree, exit statuses and wait are
// pm's (services/pm/); the kernel keeps a mirror of the parent and group for `ps`.
//
// Fields under "mechanism" are set once at spawn; the rest change only in the kernel
// thread, between awaits of syscall handlers.

import { KernelError, Errno } from '../../abi/errno.js';
import { NSIG, SigDisposition } from '../../abi/signal.js';
import { TRAP_REGS_OFFSET, TRAP_RESULT, TRAP_STATE, TRAP_NR, TRAP_SIGNALS, TRAP_WAITING, TrapState } from '../../abi/trap.js';
import { answerWord } from '../../lib/poller.js';
import type { Pid, UserPtr } from '../../abi/ids.js';
import type { ThreadHandle } from '../platform.js';
import { FdTable, type OpenFile } from '../fs/file.js';
import { RLIMIT } from '../../abi/rlimit.js';
import { CpuAccount, type Limits } from './limits.js';
import { rootCred, type Cred } from '../../abi/cred.js';
import type { ThreadLease } from './pool.js';
import type { TraceSink } from '../trace.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

export type ProcState = 'running' | 'blocked' | 'zombie';

let lastMemoryId = 0;

export class Process {
  // mechanism
  readonly ctl: Int32Array;
  readonly regs: Float64Array;
  readonly umem: Uint8Array;
  readonly umemView: DataView;
  thread: ThreadHandle | undefined;
  /** The pool's lease on `thread`, given back at exit. */
  lease: ThreadLease | undefined;

  // identity (mirrors of pm's records, except cred: the kernel's, pm keeps the user ids)
  ppid: number;
  pgid: number;
  sid = 0;
  /** Who the process is: set at spawn (inherited, set-user-id), changed by setuid & co. */
  cred: Cred = rootCred();

  // state
  state: ProcState = 'running';
  /** The cwd's canonical path when it was entered (getcwd; the cwd itself is cwdDir). */
  cwd: string;
  /** The cwd as an open directory: relative paths resolve from it (fs/at.ts). */
  cwdDir: OpenFile | undefined;
  readonly fds: FdTable;
  readonly dispositions = new Array<number>(NSIG).fill(SigDisposition.DEFAULT);
  syscalls = 0;
  exitCode = 0;
  exitSignal = 0;
  /** Set once the process is being torn down; blocked syscalls check it. */
  dead = false;
  /** Blocked in a read from a device (the console): a death must cancel it there. */
  inDeviceRead = false;
  /**
   * Job control: the signal that stopped the process (0: it runs). A stopped process's
   * syscalls are not served: a trap waits in its page, and the answer of one that was
   * in flight is held in `heldResult` until SIGCONT.
   */
  stopSignal = 0;
  heldResult: number | undefined;
  /** Set while blocked in a terminal read: a stop gives the terminal up (the read is asked again at SIGCONT). */
  suspendRead: (() => void) | undefined;
  /** The syscall in flight was given up for a stop: answer nothing, the trap is served again. */
  restartSyscall = false;
  /** Dead, but pm never acknowledged the exit: the kernel reaps it itself (wait.ts). */
  exitUnreported = false;
  /** When it was created (performance.now(), the kernel's clock): /proc's start time. */
  readonly startedAt = performance.now();
  /** Resource limits (getrlimit/setrlimit); inherited at spawn. */
  readonly limits: Limits;
  /** CPU time used, checked against RLIMIT_CPU on the kernel's tick. */
  readonly cpu: CpuAccount;
  /** Where this process's syscalls are traced (kernel/trace.ts); undefined: not traced (the dispatcher's one test). */
  trace: TraceSink | undefined;
  /** Where the children it spawns from now on are traced (the `trace` syscall with pid 0). */
  traceChildren: TraceSink | undefined;

  constructor(
    readonly pid: Pid,
    readonly name: string,
    readonly argv: string[],
    ppid: number,
    pgid: number,
    cwd: string,
    readonly page: SharedArrayBuffer,
    readonly userMemory: SharedArrayBuffer,
    maxFds: number,
    limits: Limits,
  ) {
    this.limits = limits;
    this.cpu = new CpuAccount(performance.now());
    this.ppid = ppid;
    this.pgid = pgid;
    this.cwd = cwd;
    this.ctl = new Int32Array(page, 0, 4);
    this.regs = new Float64Array(page, TRAP_REGS_OFFSET, 7);
    this.umem = new Uint8Array(userMemory);
    this.umemView = new DataView(userMemory);
    this.fds = new FdTable(Math.min(maxFds, limits.soft(RLIMIT.NOFILE)));
  }

  /** A syscall is waiting in the page. */
  get trapped(): boolean { return Atomics.load(this.ctl, TRAP_STATE) === TrapState.REQUEST; }
  get trapNr(): number { return Atomics.load(this.ctl, TRAP_NR); }

  /** Answers the syscall in the page and wakes the process; true when it was asleep (a wake-up was needed). */
  complete(result: number): boolean {
    this.regs[TRAP_RESULT] = result;
    return answerWord(this.ctl, TRAP_STATE, TRAP_WAITING, TrapState.DONE);
  }

  /** Names this process's user memory when the kernel lends windows of it (grants); never reused. */
  readonly memoryId = ++lastMemoryId;

  /** Set while the process sleeps in an interruptible call (wait): a handled signal ends it with EINTR. */
  interrupt: (() => void) | undefined;

  setSignalPending(sig: number): void {
    Atomics.or(this.ctl, TRAP_SIGNALS, 1 << sig);
    this.interrupt?.();
  }
  takePendingSignals(): number { return Atomics.exchange(this.ctl, TRAP_SIGNALS, 0); }
  /** A handled signal waits for the process's next return from a syscall. */
  get signalPending(): boolean { return Atomics.load(this.ctl, TRAP_SIGNALS) !== 0; }

  // ---- copyin / copyout: the only way the kernel touches user memory ----

  private range(ptr: number, len: number): void {
    if (!Number.isInteger(ptr) || !Number.isInteger(len) || ptr < 0 || len < 0 || ptr + len > this.umem.length) {
      throw new KernelError(Errno.EFAULT, `bad user range [${ptr}, +${len})`);
    }
  }

  copyin(ptr: UserPtr | number, len: number): Uint8Array {
    this.range(ptr, len);
    return this.umem.slice(ptr, ptr + len);
  }

  /**
   * A checked view of user memory, not a copy, for data paths that copy once on their
   * own (a pipe's ring). Caller must use it only while the process is blocked in the
   * syscall that named the range.
   */
  userView(ptr: UserPtr | number, len: number): Uint8Array {
    this.range(ptr, len);
    return this.umem.subarray(ptr, ptr + len);
  }

  copyinString(ptr: UserPtr | number, len: number): string {
    if (len > 4096) throw new KernelError(Errno.ENAMETOOLONG);
    try { return decoder.decode(this.copyin(ptr, len)); } catch (e) {
      if (e instanceof KernelError) throw e;
      throw new KernelError(Errno.EILSEQ, 'string is not valid UTF-8');
    }
  }

  copyout(ptr: UserPtr | number, bytes: Uint8Array): void {
    this.range(ptr, bytes.length);
    this.umem.set(bytes, ptr);
  }

  copyoutInt32(ptr: UserPtr | number, values: number[]): void {
    this.range(ptr, values.length * 4);
    values.forEach((v, i) => this.umemView.setInt32(ptr + i * 4, v, true));
  }

  copyoutFloat64(ptr: UserPtr | number, values: number[]): void {
    this.range(ptr, values.length * 8);
    values.forEach((v, i) => this.umemView.setFloat64(ptr + i * 8, v, true));
  }

  copyinFloat64(ptr: UserPtr | number, count: number): number[] {
    this.range(ptr, count * 8);
    return Array.from({ length: count }, (_, i) => this.umemView.getFloat64(ptr + i * 8, true));
  }

  readInt32(ptr: UserPtr | number): number {
    this.range(ptr, 4);
    return this.umemView.getInt32(ptr, true);
  }
}

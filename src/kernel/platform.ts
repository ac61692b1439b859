// What the kernel needs from its host (Node worker_threads today, a browser later):
// threads to run processes and servers on, a way to yield to the host's event loop,
// and a line to the machine (halt, panic). hosts/ implements it; the kernel never
// touches Node or DOM APIs itself.

/** A thread the kernel started: a process or a user-domain server. */
export interface ThreadHandle {
  readonly id: number;
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  /** Called once when the thread ends: normally, by an uncaught error, or by terminate. */
  onExit(handler: (error: string | undefined) => void): void;
  terminate(): void;
  /** CPU time the thread has used so far (ms), as the host's scheduler counts it; undefined when the host cannot tell. */
  cpuMs?(): number | undefined;
}

export type ThreadKind = 'process' | 'server';

/** Bounds on a thread the host enforces (a process thread's RLIMIT_AS). */
export interface ThreadLimits {
  /** The JavaScript heap may not grow past this (bytes); the host ends the thread when it would. */
  heapBytes?: number;
}

export interface Platform {
  /**
   * A new thread; `ahead`: threads of this kind (without limits) to keep started ahead
   * of need, so the next one is ready at once; `expect`: the component those are likely
   * to run (a server's name), whose code they may load while they wait.
   */
  createThread(kind: ThreadKind, limits?: ThreadLimits, ahead?: number, expect?: string): ThreadHandle;
  yieldMacrotask(): Promise<void>;
  /** Tells the machine the system halted with `status` (after output is flushed). */
  halt(status: number, leaks: LeakReport): void;
  /** Reports a kernel panic to the machine, bypassing every driver. */
  panic(text: string): void;
  /** Writes a boot-log line to the machine (only shown with --verbose). */
  bootLog(line: string): void;
  /** Writes a trace line (kernel/trace.ts) to the machine's trace stream, apart from the console; optional. */
  trace?(line: string): void;
  /** Heartbeat word the machine's watchdog reads. */
  readonly heartbeat: Int32Array;
  /** Reads the kernel-domain source sizes (TCB); optional. */
  readonly machine: { cpu: string; cores: number; host: string };
}

/** What was still held at halt (processes other than the one that ended, open vfs handles, calls in flight). */
export interface LeakReport {
  processes: number;
  /** -1 when vfs could not answer. */
  openFiles: number;
  ipcInFlight: number;
}

// Tunables, one line and one comment each (xv6 param.h). Presets and the lab
// override them through the boot configuration, never by editing code.

export const defaultParams = {
  /** Kernel loop: keep polling this long after the last request before blocking (µs). */
  kernelSpinUs: 50,
  /** Kernel loop: after answering a process that slept (its answer needed a wake-up),
   *  keep polling at least this long (µs): its next call comes after that wake-up
   *  (30-60 µs here), past kernelSpinUs, and would otherwise find the kernel asleep
   *  too and pay a second one (a stream of 64 KiB reads: two per call). */
  kernelSpinAfterWakeUs: 200,
  /** User-domain server loop: same, for servers (µs). */
  serverSpinUs: 50,
  /** Server loop: kernelSpinAfterWakeUs for a server that answered a process's direct
   *  call (the direct path, proc/direct.ts) whose caller slept (µs). */
  serverSpinAfterWakeUs: 200,
  /** A process in a syscall spins at most this long for the answer before sleeping (µs);
   *  about what a sleep and wake-up costs here (competitive spinning). */
  processSpinUs: 50,
  /** Processes that may spin for an answer at once (cores minus the kernel's loop). */
  spinningProcesses: 1,
  /** A syscall that usually sleeps spins anyway on every this-many-th call, to see
   *  whether its answer got faster (a probe; calls). */
  spinProbeEvery: 16,
  /** A syscall whose ring woke the kernel or a server from sleep sleeps for its answer at
   *  once (1) instead of spinning its budget on a core the woken thread may need
   *  (0). On a loaded host that was 118 -> 21-29 µs per round trip that paid a
   *  wake-up; on an idle one it can cost a second wake-up, the caller's. */
  sleepAfterWaking: 1,
  /** Processes that may call vfs's server directly at once (the direct path, proc/direct.ts); more use the kernel path. */
  directProcesses: 64,
  /** Open files the direct path serves at once; more use the kernel path. */
  directFiles: 1024,
  /** Sockets the direct path to net serves at once (proc/direct-net.ts); more use the kernel path. */
  directSockets: 1024,
  /** Capacity of a pipe's buffer (bytes). */
  pipeBytes: 1 << 20,
  /** Process threads kept started ahead of need (ready or booting). */
  processPoolSize: 3,
  /** Idle process threads kept for reuse at most; more are terminated. */
  processPoolMaxIdle: 8,
  /**
   * A thread whose process exited must report idle this soon to be reused (ms); the
   * parent's wait returns then at the latest. It reports within a macrotask turn
   * unless the program left code running (an endless microtask loop).
   */
  processReuseGraceMs: 1000,
  /** Maximum open files per process. */
  maxFdsPerProcess: 256,
  /** Maximum live processes. */
  maxProcesses: 256,
  /** Process slots only init (pid 1, the shell) may fill, so a runaway program cannot lock it out. */
  processReserve: 4,
  /** Default RLIMIT_AS, soft and hard: a WASI program's linear memory may not grow past it (bytes). */
  rlimitAsBytes: 1 << 30,
  /** Default RLIMIT_NOFILE, soft and hard (at most maxFdsPerProcess). */
  rlimitNofile: 256,
  /** Default RLIMIT_CPU, soft and hard, in seconds of CPU time (Infinity: unlimited). */
  rlimitCpuSeconds: Infinity,
  /** How long the kernel waits for pm to answer an exit before it tries again (ms). */
  pmReplyDeadlineMs: 3000,
  /** Times the kernel tells pm of an exit before it reaps the process itself. */
  pmExitAttempts: 3,
  /** Maximum live processes of one ordinary user (RLIMIT_NPROC; root is exempt): spawn fails with EAGAIN. */
  maxProcessesPerUser: 64,
  /** Size of the kernel arena shared by all kernel-domain components (bytes). */
  kernelArenaBytes: 32 << 20,
  /** Size of each user-domain component's own arena (bytes). */
  userArenaBytes: 32 << 20,
  /** Capacity of each direction of a shared-memory IPC channel (bytes). */
  channelRingBytes: 1 << 20,
  /** A user-domain server whose heartbeat stalls this long is declared hung (ms). */
  heartbeatTimeoutMs: 1000,
  /**
   * A user-domain server whose heartbeat has not moved while its thread used this much
   * CPU time is declared hung at once (ms; 0: off, only heartbeatTimeoutMs judges).
   * Needs a host that reports a thread's CPU time (Node on Linux); must be well above
   * heartbeatPeriodMs, since a busy healthy server burns up to a period between beats.
   */
  hangCpuMs: 0,
  /** How often the supervisor asks each user-domain server to check its own state (ms; 0: never); a damaged one is restarted. */
  selfCheckMs: 500,
  /** A user-domain server's heartbeat period (ms); a tenth of heartbeatTimeoutMs or less keeps a descheduled server from looking hung. */
  heartbeatPeriodMs: 50,
  /** The kernel looks at the servers' heartbeats (and its deadlines) this often (ms). */
  supervisorTickMs: 100,
  /** Server threads started ahead of need, so a restart (or a load) takes a started one instead of paying a thread's start. */
  serverSpareThreads: 1,
  /** A user-domain server that has not beaten once this long after its thread was made is declared hung: starting a Worker on a loaded machine takes seconds (ms). */
  serverStartTimeoutMs: 10000,
  /** How far past its buffer a wild write reaches (bytes). */
  wildWriteBytes: 64 << 10,
  /** Host descriptors cache: unpinned nodes the hostfs device keeps open per share. */
  hostfsOpenNodes: 256,
  /** Fuel a sandbox-domain instance gets per call from the kernel (and for its start function): function entries plus loop iterations; run out, it traps (a hang). */
  sandboxFuel: 1_000_000,
  /** The largest WebAssembly module the sandbox domain loads (bytes). */
  sandboxModuleBytes: 1 << 20,
  /** The most 64 KiB pages a sandbox-domain instance's memory may have or grow to. */
  sandboxPages: 64,
  /** Restarts after which the supervisor gives up on a component. */
  maxRestarts: 1000,
  /** Trace lines a trace file may have waiting to be written; more are dropped and counted (kernel/trace.ts). */
  traceQueuedLines: 65536,
  /** How long an exiting traced process waits for its last trace lines to be written before its parent is told (ms). */
  traceFlushMs: 3000,
  /** Bytes all eBPF maps may take together. */
  bpfMapBytes: 16 << 20,
  /** eBPF programs loaded at once. */
  bpfPrograms: 64,
  /** Run eBPF programs with the JIT (1) or the interpreter (0). */
  bpfJit: 1,
  /** A process waiting for the kernel this long under an eBPF scheduler disables it (ms; sched_ext's watchdog, 30 s in Linux). */
  schedStallMs: 3000,
} as const;

export type Params = { -readonly [K in keyof typeof defaultParams]: number };

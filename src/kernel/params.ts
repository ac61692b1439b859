// Tunables, one line and one comment each (xv6 param.h). Presets and the lab
// override them through the boot configuration, never by editing code.

export const defaultParams = {
  /** Kernel loop: keep polling this long after the last request before blocking (µs). */
  kernelSpinUs: 50,
  /** User-domain server loop: same, for servers (µs). */
  serverSpinUs: 50,
  /** A process in a syscall spins at most this long for the answer before sleeping (µs);
   *  about what a sleep and wake-up costs here (competitive spinning). */
  processSpinUs: 50,
  /** Processes that may spin for an answer at once (cores minus the kernel's loop). */
  spinningProcesses: 1,
  /** A syscall that usually sleeps spins anyway on every this-many-th call, to see
   *  whether its answer got faster (a probe; calls). */
  spinProbeEvery: 16,
  /** Capacity of a pipe's buffer (bytes). */
  pipeBytes: 1 << 20,
  /** Fresh process workers kept started ahead of need. */
  processPoolSize: 3,
  /** Maximum open files per process. */
  maxFdsPerProcess: 256,
  /** Maximum live processes. */
  maxProcesses: 256,
  /** Size of the kernel arena shared by all kernel-domain components (bytes). */
  kernelArenaBytes: 32 << 20,
  /** Size of each user-domain component's own arena (bytes). */
  userArenaBytes: 32 << 20,
  /** Capacity of each direction of a shared-memory IPC channel (bytes). */
  channelRingBytes: 1 << 20,
  /** A user-domain server whose heartbeat stalls this long is declared hung (ms). */
  heartbeatTimeoutMs: 1000,
  /** How far past its buffer a wild write reaches (bytes). */
  wildWriteBytes: 64 << 10,
  /** Restarts after which the supervisor gives up on a component. */
  maxRestarts: 1000,
} as const;

export type Params = { -readonly [K in keyof typeof defaultParams]: number };

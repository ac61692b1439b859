// Tunables, one line and one comment each (xv6 param.h). Presets and the lab
// override them through the boot configuration, never by editing code.

export const defaultParams = {
  /** Kernel loop: keep polling this long after the last request before blocking (µs). */
  kernelSpinUs: 50,
  /** User-domain server loop: same, for servers (µs). */
  serverSpinUs: 50,
  /** A process in a syscall spins this long for the answer before sleeping (µs). */
  processSpinUs: 20,
  /** Fresh process workers kept started ahead of need. */
  processPoolSize: 3,
  /** Maximum open files per process. */
  maxFdsPerProcess: 256,
  /** Maximum live processes. */
  maxProcesses: 256,
  /** Capacity of a pipe's buffer (bytes). */
  pipeBytes: 65536,
  /** Size of the kernel arena shared by all kernel-domain components (bytes). */
  kernelArenaBytes: 32 << 20,
  /** Size of each user-domain component's own arena (bytes). */
  userArenaBytes: 32 << 20,
  /** Capacity of each direction of a shared-memory IPC channel (bytes). */
  channelRingBytes: 1 << 20,
  /** A user-domain server whose heartbeat stalls this long is declared hung (ms). */
  heartbeatTimeoutMs: 1000,
  /** A user-domain server that has not beaten once this long after its thread was made is declared hung: starting a Worker on a loaded machine takes seconds (ms). */
  serverStartTimeoutMs: 10000,
  /** How far past its buffer a wild write reaches (bytes). */
  wildWriteBytes: 64 << 10,
  /** Restarts after which the supervisor gives up on a component. */
  maxRestarts: 1000,
} as const;

export type Params = { -readonly [K in keyof typeof defaultParams]: number };

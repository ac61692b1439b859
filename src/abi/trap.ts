// The syscall page: the shared memory a process and the kernel use to trap.
//
//   Int32  [0] state     IDLE -> REQUEST (process) -> DONE (kernel) -> IDLE (process)
//   Int32  [1] nr        syscall number
//   Int32  [2] signals   bitmask of pending handled signals (kernel sets, process reads)
//   Int32  [3] waiting   1 while the process sleeps for the answer (the kernel notifies only then)
//   Float64 at byte 16: [0..5] arguments, [6] result
//
// User memory is a second shared buffer of USER_MEMORY_BYTES: the only memory the
// kernel reads from or writes to on a process's behalf (copyin/copyout check bounds).

import type { DirectStart } from './direct.js';

export const TrapState = { IDLE: 0, REQUEST: 1, DONE: 2 } as const;
export const TRAP_STATE = 0;
export const TRAP_NR = 1;
export const TRAP_SIGNALS = 2;
export const TRAP_WAITING = 3;
export const TRAP_REGS_OFFSET = 16;
export const TRAP_RESULT = 6;
export const TRAP_PAGE_BYTES = 16 + 8 * 8;
export const USER_MEMORY_BYTES = (1 << 20) + 65536;

// The kernel's doorbell memory, shared with every process and server:
//   Int32 [0]                 the doorbell (every producer rings it: lib/poller.ts ringBell)
//   Int32 [1..SPIN_LEASES]    spin leases: a process about to spin for an answer takes
//                             a free lease (0, or one older than SPIN_LEASE_STALE_MS: its
//                             owner died mid-spin) by writing the time; it clears it after.
//                             A process that finds none free sleeps at once, so no more
//                             processes spin than the kernel allows (ProcessStart.spinners).
export const KERNEL_BELL_BYTES = 64;
export const SPIN_LEASE_FIRST = 1;
export const SPIN_LEASES = 15;
export const SPIN_LEASE_STALE_MS = 4;

/** What a process thread is told when it is handed a program. */
export interface ProcessStart {
  type: 'start';
  pid: number;
  argv: string[];
  env: string[];
  program: Uint8Array;
  page: SharedArrayBuffer;
  userMemory: SharedArrayBuffer;
  kernelBell: SharedArrayBuffer;
  /** Longest a syscall spins for its answer before sleeping (µs). */
  spinUs: number;
  /** How many processes may spin at once (leases in kernelBell). */
  spinners: number;
  /** A call that usually sleeps spins anyway every this many calls (a probe). */
  spinProbeEvery: number;
  /** Sleep at once for an answer whose request woke a sleeping thread (params.ts sleepAfterWaking). */
  sleepAfterWaking: boolean;
  /** The direct page to vfs's server (abi/direct.ts), when the process may use the direct path. */
  direct?: DirectStart | undefined;
  /** The direct page to net's server (abi/direct.ts, socket calls), when net runs in the user domain under shm. */
  net?: { page: SharedArrayBuffer; serverBell: SharedArrayBuffer } | undefined;
}

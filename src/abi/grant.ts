// Grants: a window of a caller's memory lent to the callee for one call, so bulk data
// is copied once, straight between the caller's memory and the callee's own (MINIX 3's
// safecopies, seL4's shared frames). The kernel lends windows of a process's user
// memory; a component sees a grant only as the interface below — bounded, usable only
// while the call lasts — never the memory around it.
//
// In the kernel domain a grant is a direct reference to the caller's memory. In the
// user domain the message carries the GrantRef (memory id, offset, length, rights) and
// the server runtime builds the grant over the memory the kernel mapped into that
// server; a write outside the window is a fault that ends the server (kernel/ipc/grant.ts).

import type { Shape } from './shape.js';

/** What a message carries for a grant: which lent memory, the window, and whether the callee may write it. */
export interface GrantRef {
  readonly grant: number;
  readonly offset: number;
  readonly length: number;
  readonly writable: boolean;
}

/** The callee's view of a grant. */
export interface Grant {
  readonly length: number;
  /** Copies `bytes` into the window at `at`; anything outside the window (or a read-only grant) faults. */
  write(at: number, bytes: Uint8Array): void;
  /** A copy of `length` bytes of the window from `at`. */
  read(at: number, length: number): Uint8Array;
  /** Copies `dst.length` bytes of the window from `at` into `dst` (the callee's own memory): one copy, no array made. */
  copyTo(at: number, dst: Uint8Array): void;
}

/** A grant argument in the service list: its reference travels in four fixed slots. */
export const GRANT: Shape = { record: { grant: 'int', offset: 'num', length: 'int', writable: 'bool' } };

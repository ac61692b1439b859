// Signal handlers in user space: the kernel marks a handled signal pending in the
// syscall page; the trap runs the handler when the syscall returns (as Unix delivers
// signals on the way back from the kernel).

import { SYS } from '../../abi/syscalls.js';
import { SigDisposition } from '../../abi/signal.js';
import { syscall } from './trap.js';

// Shared through a global: the runtime's copy of this module runs the handlers that
// the program's bundled copy registered.
const KEY = Symbol.for('kernelkit.signal-handlers');
const slot = globalThis as Record<symbol, Map<number, (sig: number) => void> | undefined>;
const handlers = slot[KEY] ?? (slot[KEY] = new Map<number, (sig: number) => void>());

/** Sets a handler (a function), or 'default' / 'ignore'. */
export function signal(sig: number, handler: ((sig: number) => void) | 'default' | 'ignore'): void {
  const disposition = handler === 'default' ? SigDisposition.DEFAULT : handler === 'ignore' ? SigDisposition.IGNORE : SigDisposition.HANDLE;
  const r = syscall(SYS.sigaction, sig, disposition);
  if (r < 0) throw new RangeError(`signal: bad signal ${sig}`);
  if (typeof handler === 'function') handlers.set(sig, handler); else handlers.delete(sig);
}

/** Runs the handlers for a mask of pending signals (called by the trap). */
export function runHandlers(mask: number): void {
  for (let sig = 1; sig < 32; sig++) if ((mask & (1 << sig)) !== 0) handlers.get(sig)?.(sig);
}

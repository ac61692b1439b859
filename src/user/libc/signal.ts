// Signal handlers in user space: the kernel marks a handled signal pending in the
// syscall page; the trap runs the handler when the syscall returns (as Unix delivers
// signals on the way back from the kernel). The program's copy of libc keeps its
// handlers here and gives the runtime `runHandlers` the first time it sets one.

import { SYS } from '../../abi/syscalls.js';
import { SigDisposition } from '../../abi/signal.js';
import { syscall, setSignalRunner } from './trap.js';

const handlers = new Map<number, (sig: number) => void>();
let registered = false;

/** Sets a handler (a function), or 'default' / 'ignore'. */
export function signal(sig: number, handler: ((sig: number) => void) | 'default' | 'ignore'): void {
  const disposition = handler === 'default' ? SigDisposition.DEFAULT : handler === 'ignore' ? SigDisposition.IGNORE : SigDisposition.HANDLE;
  const r = syscall(SYS.sigaction, sig, disposition);
  if (r < 0) throw new RangeError(`signal: bad signal ${sig}`);
  if (typeof handler === 'function') {
    if (!registered) registered = setSignalRunner(runHandlers);
    handlers.set(sig, handler);
  } else {
    handlers.delete(sig);
  }
}

/** Runs the handlers for a mask of pending signals (called by the trap). */
export function runHandlers(mask: number): void {
  for (let sig = 1; sig < 32; sig++) if ((mask & (1 << sig)) !== 0) handlers.get(sig)?.(sig);
}

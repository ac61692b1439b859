// The cases of usertests (bin/usertests.ts): each throws to fail.

import * as libc from '../libc/index.js';
import { O, Errno, SysError } from '../libc/index.js';

export const TESTS: Record<string, () => void> = {};

function expectErrno(errno: number, fn: () => unknown, what: string): void {
  try { fn(); } catch (e) {
    if (e instanceof SysError && e.errno === errno) return;
    throw new Error(`${what}: expected ${libc.errnoName(errno)}, got ${e instanceof SysError ? e.code : String(e)}`);
  }
  throw new Error(`${what}: expected ${libc.errnoName(errno)}, but it succeeded`);
}

function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

TESTS.nullcall = () => { check(libc.nullSyscall() === 0, 'null syscall returns 0'); };

TESTS.getpid = () => {
  const pid = libc.getpid();
  check(pid > 1 && libc.getpid() === pid, 'getpid is stable and not init');
  check(libc.getppid() > 0, 'has a parent');
};

// Helpers shared by syscall handlers: argument checks and the stat record layout.

import { KernelError, Errno } from '../../abi/errno.js';
import { STAT_FIELDS, type Stat } from '../../abi/fs.js';
import type { Process } from '../proc/process.js';
import { capable, type Capability } from '../../abi/cred.js';

/** Checks that [ptr, ptr+len) is user memory, before a call that would block. */
export function checkRange(p: Process, ptr: number, len: number): void {
  if (!Number.isInteger(len) || len < 0) throw new KernelError(Errno.EINVAL);
  p.copyout(ptr, new Uint8Array(0));
  if (ptr + len > p.umem.length) throw new KernelError(Errno.EFAULT);
}

/** Writes `st` in the STAT_FIELDS layout. (Replies from vfs are checked where they arrive: abi/services.ts checkReply.) */
export function writeStat(p: Process, ptr: number, st: Stat): void {
  p.copyoutFloat64(ptr, STAT_FIELDS.map((f) => st[f]));
}

/** EPERM unless process `p` holds `cap` (root holds every capability). */
export function requireCap(p: Process, cap: Capability, what: string): void {
  if (!capable(p.cred, cap)) throw new KernelError(Errno.EPERM, `${what} needs ${cap} (uid ${p.cred.euid} is not root)`);
}

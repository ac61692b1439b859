// Guest paths: the checks that belong to the guest's string itself. A path_* call
// starts from the directory fd the guest named, always (a program's cwd is its own
// business, docs/wasi.md), and the walk is the kernel's: every path_* call is an *at
// syscall on the directory's kernel fd with RESOLVE_BENEATH, so '..'
// above the directory, an absolute symlink, or a directory swapped for a link on the
// way cannot leave it (EXDEV from the kernel, EPERM to the guest, as wasmtime). No path
// string of a directory is kept or glued to the guest's path.

import { SysError } from '../libc/index.js';
import { E } from './constants.js';
import { WasiError } from './memory.js';

const EXDEV = 18;

/** Checks a guest path before it goes to the kernel: ENOENT empty, EILSEQ NUL, EPERM absolute (as wasmtime). */
export function checkGuestPath(guestPath: string): string {
  if (guestPath.length === 0) throw new WasiError(E.NOENT);
  if (guestPath.includes('\0')) throw new WasiError(E.ILSEQ);
  if (guestPath.startsWith('/')) throw new WasiError(E.PERM);
  return guestPath;
}

/** Whether `e` is the kernel refusing to leave a directory (RESOLVE_BENEATH). */
export function leftDirectory(e: unknown): boolean {
  return e instanceof SysError && e.errno === EXDEV;
}

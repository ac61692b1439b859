// readlinkat: truncates to the buffer, as readlink(2) does.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';

export async function sysReadlinkat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[1]!, a[2]!);
  const beneath = atFlags(a[5]!, AT.RESOLVE_BENEATH) !== 0;
  return readlinkAt(k, p, await pathBase(k, p, a[0]!, path, beneath), path, a[3]!, a[4]!);
}

/** readlink and readlinkat: reads the link and copies out at most `len` bytes. */
export async function readlinkAt(k: Kernel, p: Process, base: Awaited<ReturnType<typeof pathBase>>, path: string, buf: number, len: number): Promise<number> {
  const target = new TextEncoder().encode(String(await k.vfs.readlink(base, path, fsCred(p.cred, p.pid))));
  const n = Math.min(target.length, len);
  p.copyout(buf, target.subarray(0, n));
  return n;
}

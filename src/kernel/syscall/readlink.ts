// readlink: truncates to the buffer, as readlink(2) does.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';

export async function sysReadlink(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const target = new TextEncoder().encode(String(await k.vfs.readlink(await pathBase(k, p, AT.FDCWD, path), path, fsCred(p.cred, p.pid))));
  const n = Math.min(target.length, a[3]!);
  p.copyout(a[2]!, target.subarray(0, n));
  return n;
}

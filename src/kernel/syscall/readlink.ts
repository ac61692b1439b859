// readlink: truncates to the buffer, as readlink(2) does.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';

export async function sysReadlink(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const target = new TextEncoder().encode(String(await k.vfs.readlink(p.cwd, path, fsCred(p.cred))));
  const n = Math.min(target.length, a[3]!);
  p.copyout(a[2]!, target.subarray(0, n));
  return n;
}

// open: openat(AT_FDCWD, ...).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { AT } from '../../abi/fs.js';
import { openAt } from './openat.js';

export async function sysOpen(k: Kernel, p: Process, a: number[]): Promise<number> {
  return openAt(k, p, AT.FDCWD, p.copyinString(a[0]!, a[1]!), a[2]!, a[3]!);
}

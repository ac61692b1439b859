// close: drops a descriptor; the open file goes when its last descriptor does.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { closeFile } from '../fs/io.js';

export async function sysClose(k: Kernel, p: Process, a: number[]): Promise<number> {
  const e = p.fds.remove(a[0]!);
  await closeFile(k, e.file);
  return 0;
}

// write: copies the buffer in and writes at the file offset.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { writeFile } from '../fs/io.js';

export async function sysWrite(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const data = p.copyin(a[1]!, a[2]!);
  p.state = 'blocked';
  try {
    return await writeFile(k, p, file, data);
  } finally {
    if (p.state === 'blocked') p.state = 'running';
  }
}

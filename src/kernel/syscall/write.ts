// write: writes the buffer at the file offset. A pipe copies straight from the
// process's memory into its ring; a file lends the buffer to vfs as a grant (vfs copies
// it once); a device gets its own copy (a component may keep what it is given).
// Decodes and checks the arguments; the work is in fs/io.ts.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { writeFile } from '../fs/io.js';

export async function sysWrite(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  // The process is blocked in this call, so its memory holds still while a pipe waits.
  const data = file.kind === 'dev' ? p.copyin(a[1]!, a[2]!) : p.userView(a[1]!, a[2]!);
  p.state = 'blocked';
  try {
    return await writeFile(k, p, file, data);
  } finally {
    if (p.state === 'blocked') p.state = 'running';
  }
}

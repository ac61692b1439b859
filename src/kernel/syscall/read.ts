// read: checks the buffer first (EFAULT), then reads at the file offset into it.
// Decodes and checks the arguments; the work is done in fs/io.ts (readFileInto).

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { readFileInto } from '../fs/io.js';
import { checkRange } from './util.js';

export async function sysRead(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const [buf, len] = [a[1]!, a[2]!];
  checkRange(p, buf, len);
  // The process is blocked in this call, so nothing else writes this part of its memory.
  const dst = p.userView(buf, len);
  p.state = 'blocked';
  try {
    return await readFileInto(k, p, file, dst);
  } finally {
    if (p.state === 'blocked') p.state = 'running';
  }
}

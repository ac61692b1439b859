// read: checks the buffer first (EFAULT), then reads at the file offset.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { readFile } from '../fs/io.js';
import { checkRange } from './util.js';

export async function sysRead(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const [buf, len] = [a[1]!, a[2]!];
  p.copyout(buf, new Uint8Array(0));
  checkRange(p, buf, len);
  p.state = 'blocked';
  try {
    const data = await readFile(k, p, file, len);
    p.copyout(buf, data.subarray(0, len));
    return Math.min(data.length, len);
  } finally {
    if (p.state === 'blocked') p.state = 'running';
  }
}

// pipe: a kernel pipe and two descriptors.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { makePipe } from '../fs/io.js';

export async function sysPipe(k: Kernel, p: Process, a: number[]): Promise<number> {
  p.copyoutInt32(a[0]!, [0, 0]);
  const [r, w] = makePipe(k);
  const rfd = p.fds.install(r);
  let wfd: number;
  try { wfd = p.fds.install(w); } catch (e) { p.fds.remove(rfd); throw e; }
  p.copyoutInt32(a[0]!, [rfd, wfd]);
  return 0;
}

// setsid: pm starts a session and a group led by the caller; the kernel mirrors both.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export async function sysSetsid(k: Kernel, p: Process): Promise<number> {
  const sid = await k.pm.setsid(p.pid);
  p.sid = sid;
  p.pgid = sid;
  return sid;
}

// getrandom: from the host's CSPRNG.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { checkRange } from './util.js';

export function sysGetrandom(_k: Kernel, p: Process, a: number[]): number {
  const len = a[1]!;
  checkRange(p, a[0]!, len);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(len, i + 65536)));
  p.copyout(a[0]!, out);
  return len;
}

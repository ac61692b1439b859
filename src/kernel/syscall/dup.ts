// dup: a second descriptor for the same open file.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';

export function sysDup(_k: Kernel, p: Process, a: number[]): number {
  const file = p.fds.get(a[0]!).file;
  const fd = p.fds.install(file);
  file.refs++;
  return fd;
}

// dup2: onto a chosen descriptor, closing what was there.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { closeFile } from '../fs/io.js';

export async function sysDup2(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [fd, newfd] = [a[0]!, a[1]!];
  const file = p.fds.get(fd).file;
  if (fd === newfd) return newfd;
  const old = p.fds.replace(newfd, file); // EBADF (out of range) before the file gains a reference
  file.refs++;
  if (old !== undefined) await closeFile(k, old.file);
  return newfd;
}

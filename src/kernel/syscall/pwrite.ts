// pwrite: writes at an offset without moving the file offset.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { writeFile } from '../fs/io.js';

export async function sysPwrite(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  // A file's bytes go by grant (a view of the writer's memory, lent to vfs for the
  // call; the process is blocked in it); a device's are copied in.
  const data = file.kind === 'dev' ? p.copyin(a[1]!, a[2]!) : p.userView(a[1]!, a[2]!);
  const offset = a[3]!;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new KernelError(Errno.EINVAL);
  return writeFile(k, p, file, data, offset);
}

// pread: reads at an offset without moving the file offset.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { readFile, readFileInto } from '../fs/io.js';
import { checkRange } from './util.js';

export async function sysPread(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const [buf, len, offset] = [a[1]!, a[2]!, a[3]!];
  checkRange(p, buf, len);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new KernelError(Errno.EINVAL);
  // A file: vfs copies its bytes straight into the buffer, lent for this call (one copy).
  if (file.kind === 'vfs') return readFileInto(k, p, file, p.userView(buf, len), offset);
  const data = await readFile(k, p, file, len, offset);
  p.copyout(buf, data.subarray(0, len));
  return Math.min(data.length, len);
}

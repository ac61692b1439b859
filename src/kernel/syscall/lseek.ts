// lseek: moves the shared file offset. Offsets are exact integers in [0, OFF_MAX]:
// an argument a float64 cannot hold exactly, or a result past OFF_MAX, is EINVAL.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { SEEK, OFF_MAX } from '../../abi/fs.js';
import { checkGeneration } from '../fs/io.js';

export async function sysLseek(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const [offset, whence] = [a[1]!, a[2]!];
  if (file.kind === 'pipe' || file.kind === 'socket') throw new KernelError(Errno.ESPIPE);
  if (!Number.isSafeInteger(offset)) throw new KernelError(Errno.EINVAL, 'offset is not an integer a float64 holds exactly');
  let base: number;
  switch (whence) {
    case SEEK.SET: base = 0; break;
    case SEEK.CUR: base = file.offset; break;
    case SEEK.END: {
      if (file.kind === 'dev') { base = 0; break; }
      checkGeneration(k, file);
      const st = await k.vfs.fstat(file.target.vfsHandle!);
      base = st.size;
      break;
    }
    default: throw new KernelError(Errno.EINVAL);
  }
  if (!Number.isSafeInteger(base) || base < 0) throw new KernelError(Errno.EIO, 'malformed file size');
  const to = base + offset;
  if (to < 0) throw new KernelError(Errno.EINVAL, 'negative offset');
  if (to > OFF_MAX) throw new KernelError(Errno.EINVAL, `offset past the largest file size (${OFF_MAX})`);
  file.offset = to;
  return file.offset;
}

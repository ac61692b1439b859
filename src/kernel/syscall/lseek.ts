// lseek: moves the shared file offset.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { SEEK } from '../../abi/fs.js';
import { checkGeneration } from '../fs/io.js';

export async function sysLseek(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const [offset, whence] = [a[1]!, a[2]!];
  if (file.kind === 'pipe') throw new KernelError(Errno.ESPIPE);
  if (!Number.isInteger(offset)) throw new KernelError(Errno.EINVAL);
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
  if (base + offset < 0) throw new KernelError(Errno.EINVAL);
  file.offset = base + offset;
  return file.offset;
}

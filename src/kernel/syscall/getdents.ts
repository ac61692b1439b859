// getdents: packs DIRENT records; the file offset counts entries.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { DIRENT_HEADER } from '../../abi/syscalls.js';
import { checkGeneration } from '../fs/io.js';
import { checkRange } from './util.js';

export async function sysGetdents(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  const [buf, len] = [a[1]!, a[2]!];
  checkRange(p, buf, len);
  if (file.target.isDir !== true) throw new KernelError(Errno.ENOTDIR);
  checkGeneration(k, file);
  const entries = await k.vfs.getdents(file.target.vfsHandle!, file.offset, Math.max(1, Math.floor(len / (DIRENT_HEADER + 8))));
  const encoder = new TextEncoder();
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  let pos = 0, count = 0;
  for (const e of entries) {
    const name = encoder.encode(e.name);
    if (pos + DIRENT_HEADER + name.length > len) break;
    view.setUint32(pos, e.ino >>> 0, true);
    view.setUint8(pos + 4, e.type);
    view.setUint16(pos + 6, name.length, true);
    out.set(name, pos + DIRENT_HEADER);
    pos += DIRENT_HEADER + name.length;
    count++;
  }
  if (count === 0 && entries.length > 0) throw new KernelError(Errno.EINVAL, 'buffer too small for one entry');
  file.offset += count;
  p.copyout(buf, out.subarray(0, pos));
  return pos;
}

// fstat: status of an open file (pipes and sockets answered by the kernel).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { S } from '../../abi/fs.js';
import { checkGeneration } from '../fs/io.js';
import { writeStat } from './util.js';

export async function sysFstat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const file = p.fds.get(a[0]!).file;
  if (file.kind === 'pipe') {
    writeStat(p, a[1]!, { dev: 0, ino: 0, mode: S.IFIFO | 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0, size: file.target.pipe!.buffered, blksize: 4096, blocks: 0, atimeNs: 0, mtimeNs: 0, ctimeNs: 0, atimeNsec: 0, mtimeNsec: 0, ctimeNsec: 0 });
    return 0;
  }
  if (file.kind === 'socket') {
    writeStat(p, a[1]!, { dev: 0, ino: file.target.socket!, mode: S.IFSOCK | 0o777, nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 4096, blocks: 0, atimeNs: 0, mtimeNs: 0, ctimeNs: 0, atimeNsec: 0, mtimeNsec: 0, ctimeNsec: 0 });
    return 0;
  }
  checkGeneration(k, file);
  writeStat(p, a[1]!, await k.vfs.fstat(file.target.vfsHandle!));
  return 0;
}

// chdir: vfs opens the directory; the kernel keeps it open as the cwd (fs/at.ts).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { AT } from '../../abi/fs.js';
import { pathBase, openDir, setCwd } from '../fs/at.js';

export async function sysChdir(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const dir = await openDir(k, await pathBase(k, p, AT.FDCWD, path), path);
  await setCwd(k, p, dir, dir.path);
  return 0;
}

// mount: vfs mounts; the target is resolved against the cwd.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { requireCap } from './util.js';
import { Cap, fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase } from '../fs/at.js';
import { mountDiskDriver } from '../fs/disk-driver.js';

export async function sysMount(k: Kernel, p: Process, a: number[]): Promise<number> {
  requireCap(p, Cap.SYS_ADMIN, 'mount');
  const source = p.copyinString(a[0]!, a[1]!);
  const target = p.copyinString(a[2]!, a[3]!);
  const fstype = p.copyinString(a[4]!, a[5]!);
  const dir = await k.vfs.resolveDir(await pathBase(k, p, AT.FDCWD, target), target, fsCred(p.cred, p.pid));
  // A disk that carries its own driver: the kernel loads that driver first.
  if (fstype === 'diskfs') await mountDiskDriver(k, source, String(dir));
  else await k.vfs.mount(source, String(dir), fstype);
  return 0;
}

// rmmod: unloads a component; EBUSY while it is in use: the core services always,
// a driver while a process holds one of its device files open or a filesystem is
// mounted on its device, ext2 (hostfs, proc) while an ext2 filesystem (a host share, /proc) is
// mounted, any component while calls to it are in flight.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Major, majorOf } from '../../abi/fs.js';
import { requireCap } from './util.js';
import { Cap } from '../../abi/cred.js';

const ESSENTIAL = ['vfs', 'pm', 'console'];
const DRIVER_MAJOR: Record<string, number> = { console: Major.TTY, blk: Major.BLK };
/** Components that serve a filesystem type: unloading one under a mount would strand it. */
const FILESYSTEM_OF: Record<string, string> = { ext2: 'ext2', hostfs: 'hostfs', proc: 'proc' };

export async function sysRmmod(k: Kernel, p: Process, a: number[]): Promise<number> {
  requireCap(p, Cap.SYS_MODULE, 'rmmod');
  const name = p.copyinString(a[0]!, a[1]!);
  if (!k.components.has(name)) throw new KernelError(Errno.ENOENT, `${name} is not loaded`);
  if (ESSENTIAL.includes(name)) throw new KernelError(Errno.EBUSY, `${name} is in use by the kernel`);
  const major = DRIVER_MAJOR[name];
  if (major !== undefined) {
    for (const q of k.procs.values()) {
      for (const [, e] of q.fds.list()) {
        if (e.file.kind === 'dev' && e.file.target.rdev !== undefined && majorOf(e.file.target.rdev) === major) {
          throw new KernelError(Errno.EBUSY, `${name} is in use (pid ${q.pid} has ${e.file.path} open)`);
        }
      }
    }
    const mounts = await k.vfs.mounts();
    if (Array.isArray(mounts) && mounts.some((m) => m.source === '/dev/blk0') && name === 'blk') {
      throw new KernelError(Errno.EBUSY, `${name} is in use (a filesystem is mounted on /dev/blk0)`);
    }
  }
  // A filesystem's server (ext2) or driver (hostfs) with a mounted filesystem: vfs calls
  // it for every file there.
  const fstype = FILESYSTEM_OF[name];
  if (fstype !== undefined) {
    const mounts = await k.vfs.mounts();
    const mounted = Array.isArray(mounts) ? mounts.find((m) => m.fstype === fstype) : undefined;
    if (mounted !== undefined) throw new KernelError(Errno.EBUSY, `${name} is in use (${mounted.source} is mounted on ${mounted.target})`);
  }
  await k.components.unload(name);
  k.log.log(`rmmod ${name}`);
  return 0;
}

// Mounting: mount(2)/umount(2) on the mount table (mounts.ts), and the filesystems
// vfs knows how to make. 'ramfs' and 'proc' need no source; 'ext2' and 'diskfs' need a
// block device node (e.g. /dev/blk0), whose device number `FsMakers.ext2` maps to the
// ext2 component serving that device, and `FsMakers.diskfs` to the driver the kernel
// loaded from that very disk (kernel/fs/disk-driver.ts does that before it asks vfs).

import type { FileSystem } from '../../abi/fs.js';
import type { RamfsImage } from '../ramfs/index.js';
import { isBlk, isDir } from '../../abi/fs.js';
import { Errno, fail } from '../../abi/errno.js';
import type { VfsCore } from './core.js';
import type { Mount, Vnode } from './mounts.js';
import { top, canonical } from './namei.js';

/** How vfs makes filesystems; index.ts wires these to ramfs, the ext2 peer and the hostfs peer. */
export interface FsMakers {
  ramfs(): FileSystem;
  /** A ramfs restored from an image (services/ramfs/image.ts); absent: the root is always unpacked. */
  ramfsFromImage?(image: RamfsImage): FileSystem;
  /** A host share ('host0', 'host1', ...) through the hostfs driver. */
  hostfs?(source: string): Promise<FileSystem>;
  /** ext2 on block device `rdev`, served by the ext2 component (ENXIO when no such device). */
  ext2(rdev: number): Promise<FileSystem>;
  /** A filesystem whose driver travels on block device `rdev`, served by the diskfs component the kernel loaded from it (kernel/fs/disk-driver.ts). */
  diskfs?(rdev: number): Promise<FileSystem>;
  /** /proc, served by the proc component (ENODEV when it is not loaded). */
  proc?(): Promise<FileSystem>;
}

export const FS_TYPES = ['ramfs', 'ext2', 'hostfs', 'proc', 'diskfs'] as const;

/** Filesystems on a block device: one mount per device. */
const ON_DEVICE: readonly string[] = ['ext2', 'diskfs'];

/** Puts `fs` on the directory at the end of `target` (or at '/' when the table is empty). */
export function attach(core: VfsCore, fs: FileSystem, source: string, fstype: string, dev: number, covered?: { vnode: Vnode; path: string }): Mount {
  const id = core.mounts.newId();
  const mount: Mount = {
    id, fs, source, fstype, dev: dev === 0 ? id : dev,
    target: covered?.path ?? '/',
    ...(covered !== undefined ? { covered: covered.vnode } : {}),
  };
  core.mounts.add(mount);
  return mount;
}

export async function mount(core: VfsCore, makers: FsMakers, source: string, target: string, fstype: string): Promise<void> {
  if (!(FS_TYPES as readonly string[]).includes(fstype)) fail(Errno.ENODEV, `unknown filesystem type '${fstype}'`);
  const walk = await core.namei.resolve('/', target, true);
  if (!isDir(top(walk).mode)) fail(Errno.ENOTDIR);
  let fs: FileSystem;
  let dev = 0;
  if (ON_DEVICE.includes(fstype)) {
    const st = await core.namei.getattr(top(await core.namei.resolve('/', source, true)).vnode);
    if (!isBlk(st.mode)) fail(Errno.ENOTBLK, `${source} is not a block device`);
    dev = st.rdev;
    if (core.mounts.all.some((m) => ON_DEVICE.includes(m.fstype) && m.dev === dev)) fail(Errno.EBUSY, `${source} is already mounted`);
    if (fstype === 'diskfs') {
      if (makers.diskfs === undefined) fail(Errno.ENODEV, 'no diskfs component');
      fs = await makers.diskfs(dev);
    } else {
      fs = await makers.ext2(dev);
    }
    // NOTE: await above: the target may have been mounted on meanwhile; enter() below stacks on it.
  } else if (fstype === 'hostfs') {
    if (makers.hostfs === undefined) fail(Errno.ENODEV, 'no hostfs driver');
    fs = await makers.hostfs(source);
  } else if (fstype === 'proc') {
    if (makers.proc === undefined) fail(Errno.ENODEV, 'no proc component');
    fs = await makers.proc();
  } else {
    fs = makers.ramfs();
  }
  const at = core.namei.enter(top(walk).vnode);
  attach(core, fs, source, fstype, dev, { vnode: at, path: canonical(walk) });
}

export async function umount(core: VfsCore, target: string): Promise<void> {
  const walk = await core.namei.resolve('/', target, true);
  const v = top(walk).vnode;
  if (!core.mounts.isMountRoot(v)) fail(Errno.EINVAL, `${target} is not a mount point`);
  const m = v.mount;
  if (m === core.mounts.root) fail(Errno.EBUSY, 'the root filesystem stays mounted');
  if (core.handles.usesMount(m) || core.mounts.children(m).length > 0) fail(Errno.EBUSY);
  // Detach first, so no new walk reaches it while it flushes.
  core.mounts.remove(m);
  await m.fs.unmount();
}

/** The mount table; `options` is 'ro' for a filesystem that refuses writes (a read-only share, /proc, a read-only image), else 'rw'. */
export function mounts(core: VfsCore): { source: string; target: string; fstype: string; options: string }[] {
  return core.mounts.all.map((m) => ({ source: m.source, target: m.target, fstype: m.fstype, options: m.fs.readOnly === true ? 'ro' : 'rw' }));
}

/** Where a filesystem on block device `rdev` is mounted (undefined: nowhere). */
export function mountedOn(core: VfsCore, rdev: number): string | undefined {
  return core.mounts.all.find((m) => ON_DEVICE.includes(m.fstype) && m.dev === rdev)?.target;
}

export async function sync(core: VfsCore): Promise<void> {
  for (const m of core.mounts.all) await m.fs.sync();
}

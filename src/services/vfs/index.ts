// The vfs component: its manifest and factory. vfs owns the mount table, path
// resolution and open files (vfs.ts and its rooms); the filesystems under it are
// ramfs (services/ramfs/, in this component's arena), ext2 (the ext2 component,
// services/ext2/component.ts, reached as its `ext2` peer through remote-fs.ts), host
// shares (services/hostfs/filesystem.ts, over the `hostfs` driver peer), a disk's own
// driver (the diskfs component, through remote-fs.ts as ext2) and /proc (the
// proc component, services/procfs/, through proc-fs.ts).

import type { ComponentContext, ComponentFactory, Manifest } from '../../abi/component.js';
import type { DiskFsService, Ext2Service, HostFsService, ProcService } from '../../abi/services.js';
import type { FileSystem } from '../../abi/fs.js';
import { makedev, Major } from '../../abi/fs.js';
import { Errno, fail } from '../../abi/errno.js';
import { Ramfs } from '../ramfs/index.js';
import { RemoteFs } from './remote-fs.js';
import { ProcFs } from './proc-fs.js';
import type { FsMakers } from './mounting.js';
import { createVfs } from './vfs.js';
import type { VfsInstance } from './vfs.js';

export { createVfs } from './vfs.js';
export { rootImage } from './boot.js';
export type { VfsInstance, VfsOptions } from './vfs.js';
export type { FsMakers } from './mounting.js';

export const manifest: Manifest = {
  name: 'vfs',
  description: 'virtual filesystem: mount table, path resolution, open files; ramfs root from the initramfs, ext2 through the ext2 component',
  uses: ['ext2', 'hostfs', 'proc', 'diskfs'],
};

/** The filesystems a vfs in component context `ctx` makes: ramfs in its arena, ext2 and host shares through their peers. */
export function defaultMakers(ctx: ComponentContext): FsMakers {
  return {
    ramfs: (): FileSystem => new Ramfs({ arena: ctx.arena, owner: ctx.name }),
    ramfsFromImage: (image): FileSystem => Ramfs.fromImage({ arena: ctx.arena, owner: ctx.name }, image),
    ext2: async (rdev: number): Promise<FileSystem> => {
      // One block device, one ext2 server for it.
      if (rdev !== makedev(Major.BLK, 0)) fail(Errno.ENXIO, `no block device ${rdev >> 8},${rdev & 255}`);
      return RemoteFs.attach(ctx.peer<Ext2Service>('ext2'), 'ext2', (m) => ctx.log(m), ctx.lends === true);
    },
    diskfs: async (rdev: number): Promise<FileSystem> => {
      if (rdev !== makedev(Major.BLK, 0)) fail(Errno.ENXIO, `no block device ${rdev >> 8},${rdev & 255}`);
      return RemoteFs.attach(ctx.peer<DiskFsService>('diskfs'), 'diskfs', (m) => ctx.log(m), ctx.lends === true);
    },
    hostfs: async (source: string): Promise<FileSystem> => {
      const m = /^host(\d+)$/.exec(source);
      if (m === null) fail(Errno.ENODEV, `hostfs source must be hostN, not '${source}'`);
      const driver = ctx.peer<HostFsService>('hostfs');
      const share = (await driver.shares()).find((s) => s.index === Number(m[1]));
      if (share === undefined) fail(Errno.ENODEV, `no host share ${source}`);
      const { HostFs } = await import('../hostfs/filesystem.js');
      return HostFs.mount(driver, share.index, share.readOnly);
    },
    proc: (): Promise<FileSystem> => ProcFs.attach(ctx.peer<ProcService>('proc')),
  };
}

export const create: ComponentFactory = (ctx: ComponentContext): VfsInstance =>
  createVfs({ makers: defaultMakers(ctx), config: ctx.config, log: (m) => ctx.log(m) });

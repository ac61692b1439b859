// The ext2 component: the filesystem on the block device as a server of its own
// (Ext2Service in abi/services.ts), placed like any other component: in the kernel
// domain it shares the kernel arena and is called directly; in a user domain it is its
// own server, as MINIX 3 runs MFS beside VFS. It reaches the disk through its `blk`
// peer and keeps the buffer cache in its own arena. vfs mounts it through the adapter
// in services/vfs/remote-fs.ts.
//
// Sessions: `attach` starts one (a fresh number each time, from a random start, so a
// restarted server never accepts a number its predecessor handed out); every other
// call names it, and a call of any other session is answered ESTALE before anything is
// done. The client (vfs) learns that way that this server restarted or that another
// client attached; the inodes pinned by open files of the old session are released
// when a new one starts.
//
// With config.rootDisk the image is mounted at init, so a restarted server mounts it
// again at once: what was written back survives, what was only cached is gone (as at
// a power cut). Otherwise the first attach mounts it (mount(2) of /dev/blk0).

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { BlkService, Ext2Service } from '../../abi/services.js';
import type { FileSystem } from '../../abi/fs.js';
import { asIno } from '../../abi/ids.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { mountExt2 } from './index.js';

export const manifest: Manifest = {
  name: 'ext2',
  description: 'ext2 filesystem on the block device (buffer cache in its own arena)',
  uses: ['blk'],
};

export function create(ctx: ComponentContext): ComponentInstance & Ext2Service {
  const blk = ctx.peer<BlkService>('blk');
  let fs: FileSystem | undefined;
  let mounting: Promise<FileSystem> | undefined;
  let session = 0;
  let nextSession = 1 + Math.floor(Math.random() * 2 ** 30);
  // Opens by the current session, per inode: released when another session starts.
  const pinned = new Map<number, number>();

  function mount(): Promise<FileSystem> {
    if (fs !== undefined) return Promise.resolve(fs);
    mounting ??= mountExt2(blk, { arena: ctx.arena, owner: ctx.name, log: (m) => ctx.log(m) })
      .then((f) => { fs = f; return f; })
      .finally(() => { mounting = undefined; });
    return mounting;
  }

  /** The mounted filesystem, if `s` is the current session; ESTALE otherwise. */
  function current(s: number): FileSystem {
    if (fs === undefined || session === 0 || s !== session) throw new KernelError(Errno.ESTALE, `ext2: session ${s} is not the current one (the server restarted, or another client attached)`);
    return fs;
  }

  return {
    async init(): Promise<void> {
      if (ctx.config['rootDisk'] === true) await mount();
    },
    async shutdown(): Promise<void> {
      const f = fs;
      fs = undefined;
      session = 0;
      await f?.unmount();
    },
    busy: () => fs !== undefined,
    selfCheck: () => fs?.selfCheck?.(),

    async attach() {
      const f = await mount();
      // A new client: the inodes the previous one held open are let go (an unlinked
      // file open only there is freed now).
      const held = [...pinned];
      pinned.clear();
      session = 0;
      for (const [ino, n] of held) for (let i = 0; i < n; i++) await f.release(asIno(ino));
      session = nextSession++;
      return { session, root: f.root(), readOnly: f.readOnly === true };
    },
    async detach(s) {
      const f = current(s);
      fs = undefined;
      session = 0;
      pinned.clear();
      await f.unmount();
    },
    lookup: async (s, dir, name) => current(s).lookup(asIno(dir), name),
    getattr: async (s, ino) => current(s).getattr(asIno(ino)),
    setattr: async (s, ino, attr) => current(s).setattr(asIno(ino), attr),
    create: async (s, dir, name, mode, rdev) => current(s).create(asIno(dir), name, mode, rdev),
    mkdir: async (s, dir, name, mode) => current(s).mkdir(asIno(dir), name, mode),
    symlink: async (s, dir, name, target) => current(s).symlink(asIno(dir), name, target),
    readlink: async (s, ino) => current(s).readlink(asIno(ino)),
    link: async (s, dir, name, target) => current(s).link(asIno(dir), name, asIno(target)),
    unlink: async (s, dir, name) => current(s).unlink(asIno(dir), name),
    rmdir: async (s, dir, name) => current(s).rmdir(asIno(dir), name),
    rename: async (s, srcDir, srcName, dstDir, dstName) => current(s).rename(asIno(srcDir), srcName, asIno(dstDir), dstName),
    read: async (s, ino, offset, length) => current(s).read(asIno(ino), offset, length),
    readInto: async (s, ino, offset, dst) => {
      const f = current(s);
      if (f.readInto !== undefined) return f.readInto(asIno(ino), offset, dst);
      const data = await f.read(asIno(ino), offset, dst.length);
      dst.write(0, data);
      return data.length;
    },
    write: async (s, ino, offset, data) => current(s).write(asIno(ino), offset, data),
    readdir: async (s, dir) => current(s).readdir(asIno(dir)),
    async open(s, ino) {
      const f = current(s);
      await f.open(asIno(ino));
      if (s === session) { pinned.set(ino, (pinned.get(ino) ?? 0) + 1); return; }
      // Another session started meanwhile: nobody holds this pin any more.
      await f.release(asIno(ino)).catch(() => undefined);
      current(s);
    },
    async release(s, ino) {
      const f = current(s);
      // Only what this session opened: a stray release must not unpin another's file.
      const n = pinned.get(ino) ?? 0;
      if (n === 0) return;
      if (n === 1) pinned.delete(ino); else pinned.set(ino, n - 1);
      await f.release(asIno(ino));
    },
    fsync: async (s, ino, dataOnly) => current(s).fsync(asIno(ino), dataOnly),
    sync: async (s) => current(s).sync(),
    statfs: async (s) => current(s).statfs(),
  };
}

// The vfs service object: VfsService (abi/services.ts) plus the component life cycle
// (init, shutdown, busy). It only wires calls to the rooms that do the work:
//   namei.ts     path resolution          files.ts     open and handle calls
//   names.ts     path-only calls          mounting.ts  mount table calls
//   boot.ts      root and boot mounts     handles.ts   the open-file table
// The result is a plain object of methods (no prototype chain), so the component
// wrapper and the IPC server see exactly the interface and nothing else.

import type { VfsService } from '../../abi/services.js';
import type { ComponentInstance } from '../../abi/component.js';
import type { Value } from '../../lib/codec.js';
import type { VfsCore } from './core.js';
import { MountTable } from './mounts.js';
import { Namei } from './namei.js';
import { HandleTable, KeyedLock } from './handles.js';
import type { FsMakers } from './mounting.js';
import * as mounting from './mounting.js';
import * as files from './files.js';
import * as names from './names.js';
import { bootMounts } from './boot.js';

export type VfsInstance = VfsService & ComponentInstance & { init(): Promise<void>; shutdown(): Promise<void>; busy(): boolean };

export interface VfsOptions {
  readonly makers: FsMakers;
  readonly config: Readonly<Record<string, Value>>;
  readonly log: (message: string) => void;
}

export function createVfs(options: VfsOptions): VfsInstance {
  const { makers, config, log } = options;
  const mounts = new MountTable();
  const core: VfsCore = { mounts, namei: new Namei(mounts), handles: new HandleTable(), appendLock: new KeyedLock() };

  return {
    async init() {
      await bootMounts(core, makers, config, log);
      log(`mounted ${mounts.all.map((m) => `${m.fstype} on ${m.target}`).join(', ')}`);
    },

    async shutdown() {
      // Close what callers left open, then unmount innermost first so every
      // filesystem flushes (ext2 writes back its cache on unmount).
      for (const h of core.handles.all()) await files.close(core, h.id).catch((e: unknown) => log(`shutdown: closing handle ${h.id}: ${String(e)}`));
      for (const m of [...mounts.all].reverse()) {
        mounts.remove(m);
        await m.fs.unmount().catch((e: unknown) => log(`shutdown: unmounting ${m.target}: ${String(e)}`));
      }
    },

    busy: () => core.handles.size > 0,

    open: (cwd, path, flags, mode, cred) => files.open(core, cwd, path, flags, mode, cred),
    read: (handle, offset, length) => files.read(core, handle, offset, length),
    write: (handle, offset, data) => files.write(core, handle, offset, data),
    close: (handle) => files.close(core, handle),
    getdents: (handle, index, max) => files.getdents(core, handle, index, max),
    fstat: (handle) => files.fstat(core, handle),
    ftruncate: (handle, size) => files.ftruncate(core, handle, size),
    fsync: (handle, dataOnly) => files.fsync(core, handle, dataOnly === true),
    fsetattr: (handle, attr, cred) => files.fsetattr(core, handle, attr, cred),
    readExecutable: (cwd, path, cred) => files.readExecutable(core, cwd, path, cred),

    stat: (cwd, path, follow, cred) => names.stat(core, cwd, path, follow, cred),
    setattr: (cwd, path, attr, follow, cred) => names.setattr(core, cwd, path, attr, follow, cred),
    mkdir: (cwd, path, mode, cred) => names.mkdir(core, cwd, path, mode, cred),
    rmdir: (cwd, path, cred) => names.rmdir(core, cwd, path, cred),
    unlink: (cwd, path, cred) => names.unlink(core, cwd, path, cred),
    rename: (cwd, from, to, cred) => names.rename(core, cwd, from, to, cred),
    link: (cwd, target, path, cred) => names.link(core, cwd, target, path, cred),
    symlink: (cwd, target, path, cred) => names.symlink(core, cwd, target, path, cred),
    readlink: (cwd, path, cred) => names.readlink(core, cwd, path, cred),
    resolveDir: (cwd, path, cred) => names.resolveDir(core, cwd, path, cred),
    statfs: (cwd, path, cred) => names.statfs(core, cwd, path, cred),

    sync: () => mounting.sync(core),
    mount: (source, target, fstype) => mounting.mount(core, makers, source, target, fstype),
    umount: (target) => mounting.umount(core, target),
    mounts: async () => mounting.mounts(core),
    mountedOn: async (rdev) => mounting.mountedOn(core, rdev) ?? '',
    openCount: async () => core.handles.size,
  };
}

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
  const handles = new HandleTable();
  const core: VfsCore = { mounts, namei: new Namei(mounts, (id) => handles.dirWalk(id)), handles, appendLock: new KeyedLock() };

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
    // The filesystems vfs holds in its own memory (ramfs) check theirs.
    selfCheck: () => {
      for (const m of mounts.all) {
        const damage = m.fs.selfCheck?.();
        if (damage !== undefined) return `${m.target}: ${damage}`;
      }
      return undefined;
    },

    open: (base, path, flags, mode, cred) => files.open(core, base, path, flags, mode, cred),
    read: (handle, offset, length) => files.read(core, handle, offset, length),
    write: (handle, offset, data) => files.write(core, handle, offset, data),
    close: (handle) => files.close(core, handle),
    getdents: (handle, index, max) => files.getdents(core, handle, index, max),
    readInto: (handle, offset, dst) => files.readInto(core, handle, offset, dst),
    writeFrom: (handle, offset, src) => files.writeFrom(core, handle, offset, src),
    fstat: (handle) => files.fstat(core, handle),
    ftruncate: (handle, size) => files.ftruncate(core, handle, size),
    fsync: (handle, dataOnly) => files.fsync(core, handle, dataOnly === true),
    fsetattr: (handle, attr, cred) => files.fsetattr(core, handle, attr, cred),
    readExecutable: (base, path, cred) => files.readExecutable(core, base, path, cred),

    stat: (base, path, follow, cred) => names.stat(core, base, path, follow, cred),
    setattr: (base, path, attr, follow, cred) => names.setattr(core, base, path, attr, follow, cred),
    mkdir: (base, path, mode, cred) => names.mkdir(core, base, path, mode, cred),
    rmdir: (base, path, cred) => names.rmdir(core, base, path, cred),
    unlink: (base, path, cred) => names.unlink(core, base, path, cred),
    rename: (base, from, to, toBase, cred) => names.rename(core, base, from, to, toBase ?? base, cred),
    link: (base, target, path, pathBase, follow, cred) => names.link(core, base, target, path, pathBase ?? base, follow === true, cred),
    symlink: (base, target, path, cred) => names.symlink(core, base, target, path, cred),
    readlink: (base, path, cred) => names.readlink(core, base, path, cred),
    resolveDir: (base, path, cred) => names.resolveDir(core, base, path, cred),
    statfs: (base, path, cred) => names.statfs(core, base, path, cred),

    sync: () => mounting.sync(core),
    mount: (source, target, fstype) => mounting.mount(core, makers, source, target, fstype),
    umount: (target) => mounting.umount(core, target),
    mounts: async () => mounting.mounts(core),
    mountedOn: async (rdev) => mounting.mountedOn(core, rdev) ?? '',
    openCount: async () => core.handles.size,
  };
}

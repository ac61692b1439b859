// ext2's library entry points: mount an image on a block device as a FileSystem, make
// a fresh one (mkfs), check one (fsck). The component (component.ts: manifest, create)
// serves a mounted image to vfs; the host tools (cli/fs-tools.ts) and tests use these
// directly. The rooms:
// layout.ts (superblock, descriptors, features), volume.ts (mounted state, allocation),
// cache.ts (buffer cache in the arena), inode.ts, bmap.ts (block pointers), dir.ts
// (directory entries), file.ts (contents), filesystem.ts (the FileSystem contract),
// mkfs.ts, fsck.ts. docs/ext2.md describes the design and what was measured.

import type { BlockDevice } from '../../abi/blk.js';
import type { FileSystem } from '../../abi/fs.js';
import type { Arena } from '../../lib/arena.js';
import { Ext2FileSystem } from './filesystem.js';
import { fsck } from './fsck.js';
import { mkfs } from './mkfs.js';
import { Volume } from './volume.js';

export interface Ext2Options {
  arena: Arena;
  owner?: string;
  readOnly?: boolean;
  log?: (m: string) => void;
  /** Bytes of buffer cache to take from the arena (default 4 MiB; less if the arena is small). */
  cacheBytes?: number;
  /** In-core inodes kept before unused ones are dropped (default 8192). */
  inodeCache?: number;
  /** The clock in nanoseconds since the epoch (default: Date.now()). */
  now?: () => number;
  /** st_dev reported by getattr. */
  dev?: number;
}

/**
 * Mounts the ext2 image on `device`. Refuses unsupported or corrupt images with
 * KernelError(EINVAL or EUCLEAN) and a message naming the feature or problem; images
 * with unknown read-only-compatible features mount read-only.
 */
export async function mountExt2(device: BlockDevice, options: Ext2Options): Promise<FileSystem> {
  const vol = await Volume.open(device, {
    arena: options.arena,
    owner: options.owner ?? 'ext2',
    readOnly: options.readOnly ?? false,
    log: options.log ?? (() => undefined),
    cacheBytes: options.cacheBytes ?? 4 << 20,
    ...(options.inodeCache === undefined ? {} : { inodeCache: options.inodeCache }),
    now: options.now ?? (() => Date.now() * 1e6),
  });
  return new Ext2FileSystem(vol, options.dev ?? 0);
}

/** Writes a fresh ext2 revision 1 filesystem over the whole device. */
export async function mkfsExt2(device: BlockDevice, options: { blockSize?: 1024 | 4096; inodes?: number; label?: string } = {}): Promise<void> {
  await mkfs(device, options);
}

/** Checks (and with `repair`, fixes bitmaps, counts and link counts of) the image on `device`. */
export async function fsckExt2(device: BlockDevice, options: { repair?: boolean } = {}): Promise<{ clean: boolean; errors: string[] }> {
  const { clean, errors } = await fsck(device, options);
  return { clean, errors };
}

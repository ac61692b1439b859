// Boot-time mounts: the root filesystem and what sits on it before any process runs.
//
//   initramfs root (default)   a ramfs at '/' filled from config.initramfs (cpio newc)
//   disk root (rootDisk=true)  ext2 on /dev/blk0 at '/', and ramfs instances filled
//                              from the matching initramfs directories at /dev (device
//                              nodes), /bin (the programs that belong to this kernel
//                              build) and /tmp (empty, mode 1777). Missing mount-point
//                              directories are created on the disk, and written back
//                              at once.
// A disk root that lacks the user database gets it from the initramfs (SEEDED below,
// only what is missing, logged): su, login and `ls -l` need /etc/passwd.
// Then config.mounts (an array of {source, target, fstype}) are mounted in order.
//
// An initramfs root comes from config.rootImage when the host made one (rootImage()
// below, once per host process: services/ramfs/image.ts): the ramfs frozen after an
// unpack, copied into this instance's arena. A restarted vfs so skips the unpack; an
// image that fails its check is logged and the cpio unpacked as before.

import type { FileSystem, SetAttr } from '../../abi/fs.js';
import { S, isDir, isReg, isLnk, isChr, isBlk, makedev, Major } from '../../abi/fs.js';
import type { Ino } from '../../abi/ids.js';
import { Errno, fail, isKernelError } from '../../abi/errno.js';
import type { Value } from '../../lib/codec.js';
import type { CpioEntry } from '../../lib/cpio.js';
import { readCpio } from '../../lib/cpio.js';
import { Arena } from '../../lib/arena.js';
import { Ramfs, checkImage, type RamfsImage } from '../ramfs/index.js';
import type { VfsCore } from './core.js';
import type { FsMakers } from './mounting.js';
import { attach, mount } from './mounting.js';
import { top } from './namei.js';
import { mkdir } from './names.js';

const decoder = new TextDecoder();

/** What a disk root without them gets from the initramfs: the users and their homes. */
const SEEDED = ['etc', 'etc/passwd', 'etc/group', 'root', 'home', 'home/user'];

/** Directories that become ramfs mounts over a disk root, and their mode if the initramfs does not say. */
const DISK_OVERLAYS: readonly { dir: string; mode: number }[] = [
  { dir: 'dev', mode: 0o755 },
  { dir: 'bin', mode: 0o755 },
  { dir: 'tmp', mode: 0o1777 },
];

export async function bootMounts(core: VfsCore, makers: FsMakers, config: Readonly<Record<string, Value>>, log: (m: string) => void): Promise<void> {
  const image = config['initramfs'];
  const frozen = config['rootDisk'] !== true && makers.ramfsFromImage !== undefined && config['rootImage'] !== undefined ? checkImage(config['rootImage']) : undefined;
  if (typeof frozen === 'string') log(`root image refused (${frozen}); unpacking the initramfs`);
  const entries = typeof frozen === 'object' || !(image instanceof Uint8Array) || image.length === 0 ? [] : readCpio(image);
  if (typeof frozen === 'object') {
    attach(core, makers.ramfsFromImage!(frozen), 'initramfs', 'ramfs', 0);
    log(`root restored from the image (${frozen.inodes.length} inodes, ${frozen.bytes.length >> 10} KiB)`);
  } else if (config['rootDisk'] === true) {
    const dev = makedev(Major.BLK, 0);
    const root = await makers.ext2(dev);
    attach(core, root, '/dev/blk0', 'ext2', dev);
    for (const { dir, mode } of DISK_OVERLAYS) {
      const own = entries.find((e) => e.name === dir && isDir(e.mode));
      const dirMode = own !== undefined ? own.mode & 0o7777 : mode;
      if (!(await ensureDir(root, dir, dirMode, log))) continue;
      const fs = makers.ramfs();
      await fs.setattr(fs.root(), { mode: dirMode });
      await populate(fs, entries.filter((e) => e.name.startsWith(dir + '/')).map((e) => ({ ...e, name: e.name.slice(dir.length + 1) })), log);
      const walk = await core.namei.resolve('/', '/' + dir, true);
      attach(core, fs, dir === 'tmp' ? 'tmpfs' : 'initramfs', 'ramfs', 0, { vnode: top(walk).vnode, path: '/' + dir });
    }
    const missing: CpioEntry[] = [];
    const seed = entries.some((e) => e.name === 'etc/passwd') && !(await existsOn(root, 'etc/passwd'));
    for (const name of seed ? SEEDED : []) {
      const e = entries.find((x) => x.name === name);
      if (e !== undefined && !(await existsOn(root, name))) missing.push(e);
    }
    if (missing.length > 0 && !root.readOnly) {
      await populate(root, missing, log);
      log(`seeded the root disk from the initramfs: ${missing.map((e) => '/' + e.name).join(' ')}`);
    }
    // The mount points and the seed on disk now: a filesystem server that restarts
    // mounts what was written back, and the ramfs overlays must still have their place.
    if (!root.readOnly) await root.sync();
  } else {
    const fs = makers.ramfs();
    await populate(fs, entries, log);
    attach(core, fs, 'initramfs', 'ramfs', 0);
  }
  const extra = config['mounts'];
  if (Array.isArray(extra)) {
    for (const m of extra) {
      if (m === null || typeof m !== 'object' || Array.isArray(m) || m instanceof Uint8Array) continue;
      const { source, target, fstype } = m;
      if (typeof target !== 'string' || typeof fstype !== 'string') continue;
      // Boot mounts (host shares) may name a directory the image lacks: make it, like mkdir -p.
      try {
        let at = '';
        for (const part of target.split('/').filter((p) => p.length > 0)) {
          at += '/' + part;
          try { await mkdir(core, '/', at, 0o755); } catch (e) { if (!isKernelError(e) || e.errno !== Errno.EEXIST) throw e; }
        }
        await mount(core, makers, typeof source === 'string' ? source : fstype, target, fstype);
      } catch (e) {
        // A system without /proc still boots (the proc component unloaded or failed).
        if (fstype !== 'proc' || !isKernelError(e)) throw e;
        log(`/proc not mounted: ${e.message}`);
        continue;
      }
      log(`mounted ${fstype} ${typeof source === 'string' ? source : ''} on ${target}`);
    }
    // The mount points made on a disk root now (see above).
    const root = core.mounts.root.fs;
    if (config['rootDisk'] === true && !root.readOnly) await root.sync();
  }
}

// Makes sure `name` is a directory in the root of `fs`; false (logged) when it cannot be.
async function ensureDir(fs: FileSystem, name: string, mode: number, log: (m: string) => void): Promise<boolean> {
  try {
    const ino = await fs.lookup(fs.root(), name);
    if (isDir((await fs.getattr(ino)).mode)) return true;
    log(`/${name} on the root disk is not a directory; not mounting a ramfs there`);
    return false;
  } catch (e) {
    if (!isKernelError(e) || e.errno !== Errno.ENOENT) throw e;
  }
  try {
    await fs.mkdir(fs.root(), name, mode);
    log(`created /${name} on the root disk as a mount point`);
    return true;
  } catch (e) {
    if (!isKernelError(e)) throw e;
    log(`cannot create /${name} on the root disk (${e.message}); not mounting a ramfs there`);
    return false;
  }
}

/**
 * The initramfs root unpacked once into a scratch arena and frozen (services/ramfs/
 * image.ts): what config.rootImage carries. The host makes it once per image.
 */
export async function rootImage(initramfs: Uint8Array): Promise<RamfsImage> {
  const arena = new Arena('initramfs', new ArrayBuffer(Math.ceil((initramfs.length * 2 + (1 << 20)) / 4096) * 4096));
  const fs = new Ramfs({ arena, owner: 'vfs' });
  await populate(fs, readCpio(initramfs), () => {});
  return fs.toImage();
}

/** Fills `fs` from cpio entries (paths relative to its root); later entries replace earlier ones. */
export async function populate(fs: FileSystem, entries: readonly CpioEntry[], log: (m: string) => void): Promise<void> {
  // Directory times are set last, as Linux's initramfs unpacker does: adding the
  // entries inside a directory would move its mtime to now.
  const dirTimes: { ino: Ino; attr: SetAttr }[] = [];
  for (const e of entries) {
    const parts = e.name.split('/').filter((p) => p.length > 0 && p !== '.');
    const times: SetAttr = e.mtime !== undefined ? { mtimeNs: e.mtime * 1e9, atimeNs: e.mtime * 1e9 } : {};
    const owner: SetAttr = { uid: e.uid ?? 0, gid: e.gid ?? 0 };
    if (parts.length === 0) {
      if (isDir(e.mode)) {
        await fs.setattr(fs.root(), { ...owner, mode: e.mode & 0o7777 });
        dirTimes.push({ ino: fs.root(), attr: times });
      }
      continue;
    }
    if (parts.includes('..')) { log(`initramfs: skipping '${e.name}' (contains '..')`); continue; }
    let dir = fs.root();
    for (const p of parts.slice(0, -1)) dir = await mkdirs(fs, dir, p);
    const name = parts[parts.length - 1]!;
    const existing = await lookupMaybe(fs, dir, name);
    if (existing !== undefined) {
      const old = await fs.getattr(existing);
      if (isDir(old.mode) && isDir(e.mode)) {
        await fs.setattr(existing, { ...owner, mode: e.mode & 0o7777 });
        dirTimes.push({ ino: existing, attr: times });
        continue;
      }
      if (isDir(old.mode)) { log(`initramfs: '${e.name}' is already a directory; skipped`); continue; }
      await fs.unlink(dir, name);
    }
    let ino: Ino;
    if (isDir(e.mode)) ino = await fs.mkdir(dir, name, e.mode & 0o7777);
    else if (isLnk(e.mode)) ino = await fs.symlink(dir, name, decoder.decode(e.data));
    else if (isChr(e.mode) || isBlk(e.mode)) ino = await fs.create(dir, name, e.mode, makedev(e.rdevMajor ?? 0, e.rdevMinor ?? 0));
    else if (isReg(e.mode) || (e.mode & S.IFMT) === 0) {
      ino = await fs.create(dir, name, S.IFREG | (e.mode & 0o7777));
      for (let at = 0; at < e.data.length;) {
        const n = await fs.write(ino, at, e.data.subarray(at));
        if (n === 0) fail(Errno.ENOSPC, `initramfs: no room for '${e.name}'`);
        at += n;
      }
    } else { log(`initramfs: '${e.name}' has an unsupported type ${(e.mode & S.IFMT).toString(8)}; skipped`); continue; }
    if (isDir(e.mode)) {
      await fs.setattr(ino, owner);
      dirTimes.push({ ino, attr: times });
    } else {
      await fs.setattr(ino, { ...owner, ...times });
    }
  }
  for (const { ino, attr } of dirTimes) if (attr.mtimeNs !== undefined) await fs.setattr(ino, attr);
}

async function existsOn(fs: FileSystem, path: string): Promise<boolean> {
  let ino = fs.root();
  for (const part of path.split('/')) {
    const next = await lookupMaybe(fs, ino, part);
    if (next === undefined) return false;
    ino = next;
  }
  return true;
}

async function lookupMaybe(fs: FileSystem, dir: Ino, name: string): Promise<Ino | undefined> {
  try {
    return await fs.lookup(dir, name);
  } catch (e) {
    if (isKernelError(e) && e.errno === Errno.ENOENT) return undefined;
    throw e;
  }
}

async function mkdirs(fs: FileSystem, dir: Ino, name: string): Promise<Ino> {
  return (await lookupMaybe(fs, dir, name)) ?? fs.mkdir(dir, name, 0o755);
}

// Open files: open(2) with its flag semantics, and the calls that work on a handle
// (read, write, getdents, fstat, ftruncate, fsync, fsetattr, close), plus the whole-
// file read exec uses. Path-only calls are in names.ts; the walk is in namei.ts.
//
// Errors follow Linux's order of checks, since programs (and the differential tests)
// compare errno values: e.g. O_CREAT on "dir/" is EISDIR before anything is looked
// up, O_EXCL on an existing symlink is EEXIST without following it.

import type { Grant } from '../../abi/grant.js';
import { O, S, isDir, isReg, isLnk, isChr, isBlk, DT } from '../../abi/fs.js';
import type { DirEntry, SetAttr, Stat } from '../../abi/fs.js';
import type { VfsOpenResult, PathBase } from '../../abi/services.js';
import { Errno, fail, isKernelError } from '../../abi/errno.js';
import type { VfsCore } from './core.js';
import { readable, writable } from './handles.js';
import type { Handle } from './handles.js';
import type { Walk, LinkBudget, ParentWalk, Step } from './namei.js';
import { top, stepOf, canonical } from './namei.js';
import { MAX_SYMLINKS } from './path.js';
import { checkAttr, giveOwner } from './names.js';
import { MAY, ROOT_FS_CRED, type FsCred } from '../../abi/cred.js';
import { checkSetattr, openWants, requireAccess, requireDirWrite } from './access.js';

/** Biggest read vfs serves in one call: bigger requests are short reads, as Linux caps at ~2 GiB. */
const MAX_IO = 1 << 26;
/** Times open(O_CREAT) looks again after losing a create race before it gives up. */
const MAX_RACES = 8;

export async function open(core: VfsCore, base: PathBase, path: string, flags: number, mode: number, cred: FsCred = ROOT_FS_CRED): Promise<VfsOpenResult> {
  const access = flags & O.ACCMODE;
  if (access === O.ACCMODE) fail(Errno.EINVAL, 'open: access mode 3 is not supported');
  let step: Step;
  let walk: Walk | undefined;
  let created = false;
  if ((flags & O.CREAT) !== 0) {
    // One symlink budget for the whole open, the directories and the last component.
    const budget: LinkBudget = { links: 0, cred };
    const made = await openCreate(core, await core.namei.resolveParent(base, path, budget), flags, mode, budget);
    step = made.step;
    created = made.created;
  } else {
    walk = await core.namei.resolve(base, path, (flags & O.NOFOLLOW) === 0, cred);
    step = top(walk);
  }
  const wantsWrite = access !== O.RDONLY || (flags & O.TRUNC) !== 0;
  if (isDir(step.mode)) {
    if ((flags & O.CREAT) !== 0 || wantsWrite) fail(Errno.EISDIR);
  } else if ((flags & O.DIRECTORY) !== 0) {
    fail(Errno.ENOTDIR);
  }
  // Only O_NOFOLLOW leaves a symlink at the end of the walk.
  if (isLnk(step.mode)) fail(Errno.ELOOP);
  // A read-only filesystem refuses a regular file opened for writing before any permission check (Linux's inode_permission).
  if (wantsWrite && isReg(step.mode) && step.vnode.mount.fs.readOnly === true) fail(Errno.EROFS);
  // A file this open created may be used as asked whatever its mode (open(2)).
  if (!created) requireAccess(cred, step, openWants(access, (flags & O.TRUNC) !== 0));
  const kind = isDir(step.mode) ? 'dir' : isReg(step.mode) ? 'file' : isChr(step.mode) || isBlk(step.mode) ? 'dev' : undefined;
  // NOTE: fifos and sockets have no server behind them in vfs.
  if (kind === undefined) fail(Errno.ENXIO);
  const { fs } = step.vnode.mount;
  if (kind === 'file' && (flags & O.TRUNC) !== 0 && !created) await fs.setattr(step.vnode.ino, { size: 0 });
  const st = await core.namei.getattr(step.vnode);
  const epoch = fs.epoch ?? 0;
  await fs.open(step.vnode.ino);
  // NOTE: O_CREAT/O_EXCL/O_TRUNC only matter at open; the handle keeps what read/write need.
  // A directory keeps the walk that reached it: paths relative to it start there.
  const dirWalk = kind === 'dir' ? walk : undefined;
  const handle = core.handles.add({
    vnode: step.vnode, flags: flags & (O.ACCMODE | O.APPEND | O.NONBLOCK | O.SYNC | O.DSYNC), kind, mode: st.mode, rdev: st.rdev, epoch,
    ...(dirWalk !== undefined ? { walk: dirWalk } : {}),
  });
  return { handle: handle.id, kind, mode: st.mode, rdev: kind === 'dev' ? st.rdev : 0, ...(dirWalk !== undefined ? { path: canonical(dirWalk) } : {}) };
}

// The O_CREAT half of open: find or make the last component, following a symlink
// there (and creating its target if missing, as Linux does) unless O_EXCL/O_NOFOLLOW.
async function openCreate(core: VfsCore, parent: ParentWalk, flags: number, mode: number, budget: LinkBudget): Promise<{ step: Step; created: boolean }> {
  let races = 0;
  for (;;) {
    // '.', '..' and '/' exist (O_EXCL: EEXIST) and are directories; "name/" is EISDIR at once.
    if (parent.kind !== 'normal') fail((flags & O.EXCL) !== 0 ? Errno.EEXIST : Errno.EISDIR);
    if (parent.trailingSlash) fail(Errno.EISDIR);
    const dir = top(parent.walk);
    const found = await core.namei.lookupMaybe(dir.vnode, parent.name);
    if (found === undefined) {
      requireDirWrite(budget.cred, dir);
      try {
        const ino = await dir.vnode.mount.fs.create(dir.vnode.ino, parent.name, S.IFREG | (mode & 0o7777));
        const vnode = { mount: dir.vnode.mount, ino };
        await giveOwner(vnode, budget.cred, dir);
        return { step: stepOf(vnode, parent.name, await core.namei.getattr(vnode)), created: true };
      } catch (e) {
        // NOTE: another caller created the name between our lookup and create (the
        // await interleaves). Without O_EXCL that is an ordinary open of its file.
        if (!isKernelError(e) || e.errno !== Errno.EEXIST || (flags & O.EXCL) !== 0 || ++races > MAX_RACES) throw e;
        continue;
      }
    }
    if ((flags & O.EXCL) !== 0) fail(Errno.EEXIST);
    const vnode = core.namei.enter(found);
    const st = await core.namei.getattr(vnode);
    if (!isLnk(st.mode)) return { step: stepOf(vnode, parent.name, st), created: false };
    if ((flags & O.NOFOLLOW) !== 0) fail(Errno.ELOOP);
    if (++budget.links > MAX_SYMLINKS) fail(Errno.ELOOP);
    const target = await vnode.mount.fs.readlink(vnode.ino, budget.cred);
    parent = await core.namei.walkParent(parent.walk, target, budget);
  }
}

export async function close(core: VfsCore, id: number): Promise<void> {
  const h = core.handles.remove(id);
  const { fs } = h.vnode.mount;
  // A restarted server never held this handle's pin (and the inode may name another file now).
  if (h.epoch === (fs.epoch ?? 0)) await fs.release(h.vnode.ino);
}

export async function read(core: VfsCore, id: number, offset: number, length: number): Promise<Uint8Array> {
  const h = core.handles.live(id);
  if (!readable(h)) fail(Errno.EBADF);
  if (h.kind === 'dir') fail(Errno.EISDIR);
  if (h.kind === 'dev') fail(Errno.ENXIO, 'device I/O is routed by the kernel');
  checkRange(offset, length);
  if (length === 0) return new Uint8Array(0);
  return h.vnode.mount.fs.read(h.vnode.ino, offset, Math.min(length, MAX_IO));
}

/** read() into the caller's grant: the file's bytes are copied once, into the caller's memory. */
export async function readInto(core: VfsCore, id: number, offset: number, dst: Grant): Promise<number> {
  const h = core.handles.live(id);
  const { fs } = h.vnode.mount;
  // A filesystem that copies from its own memory straight into the window (ext2's
  // cache, ramfs's pages); the checks are read()'s.
  if (fs.readInto !== undefined && dst.length <= MAX_IO && readable(h) && h.kind === 'file') {
    checkRange(offset, dst.length);
    return dst.length === 0 ? 0 : fs.readInto(h.vnode.ino, offset, dst);
  }
  const data = await read(core, id, offset, dst.length);
  dst.write(0, data);
  return data.length;
}

/** write() from the caller's grant: its bytes are copied out of the caller's memory once. */
export function writeFrom(core: VfsCore, id: number, offset: number, src: Grant): Promise<{ written: number; end: number }> {
  return write(core, id, offset, src.read(0, src.length));
}

export async function write(core: VfsCore, id: number, offset: number, data: Uint8Array): Promise<{ written: number; end: number }> {
  const h = core.handles.live(id);
  if (!writable(h)) fail(Errno.EBADF);
  if (h.kind === 'dev') fail(Errno.ENXIO, 'device I/O is routed by the kernel');
  const { fs } = h.vnode.mount;
  const ino = h.vnode.ino;
  if (offset === -1 || (h.flags & O.APPEND) !== 0) {
    // Appends from several handles must each land at the end, never on top of each other.
    return core.appendLock.run(`${h.vnode.mount.id}:${ino}`, async () => {
      const end = (await fs.getattr(ino)).size;
      const written = data.length === 0 ? 0 : await fs.write(ino, end, data);
      return { written, end: end + written };
    });
  }
  checkRange(offset, data.length);
  const written = data.length === 0 ? 0 : await fs.write(ino, offset, data);
  return { written, end: offset + written };
}

export async function getdents(core: VfsCore, id: number, index: number, max: number): Promise<DirEntry[]> {
  const h = core.handles.live(id);
  if (h.kind !== 'dir') fail(Errno.ENOTDIR);
  if (!Number.isInteger(index) || index < 0 || !Number.isInteger(max) || max < 0) fail(Errno.EINVAL);
  if (index === 0 || h.listing === undefined) h.listing = await listing(h);
  return h.listing.slice(index, index + max);
}

// '.' and '..' first, whatever order (or presence) the filesystem gives them in.
async function listing(h: Handle): Promise<DirEntry[]> {
  const entries = await h.vnode.mount.fs.readdir(h.vnode.ino);
  const dotdot = entries.find((e) => e.name === '..');
  return [
    { name: '.', ino: h.vnode.ino, type: DT.DIR },
    { name: '..', ino: dotdot?.ino ?? h.vnode.ino, type: DT.DIR },
    ...entries.filter((e) => e.name !== '.' && e.name !== '..'),
  ];
}

export async function fstat(core: VfsCore, id: number): Promise<Stat> {
  return core.namei.getattr(core.handles.live(id).vnode);
}

export async function ftruncate(core: VfsCore, id: number, size: number): Promise<void> {
  await fsetattr(core, id, { size });
}

export async function fsync(core: VfsCore, id: number, dataOnly = false): Promise<void> {
  const h = core.handles.live(id);
  if (h.kind === 'dev') fail(Errno.EINVAL);
  await h.vnode.mount.fs.fsync(h.vnode.ino, dataOnly);
}

export async function fsetattr(core: VfsCore, id: number, attr: SetAttr, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  const h = core.handles.live(id);
  let clean = checkAttr(attr);
  // ftruncate(2): only a regular file open for writing (EINVAL otherwise, not EISDIR).
  if (clean.size !== undefined && (h.kind !== 'file' || !writable(h))) fail(Errno.EINVAL);
  // The open descriptor is the permission to truncate; the rest is the owner's.
  const { size, ...rest } = clean;
  if (Object.keys(rest).length > 0) clean = { ...checkSetattr(cred, await core.namei.getattr(h.vnode), rest), ...(size !== undefined ? { size } : {}) };
  await h.vnode.mount.fs.setattr(h.vnode.ino, clean);
}

/**
 * Reads a whole regular file for exec: EISDIR for directories, EACCES unless the
 * caller may execute it. The mode and owner come with the bytes, read while the file
 * is held open, so a set-user-id check sees the very file that runs.
 */
export async function readExecutable(core: VfsCore, base: PathBase, path: string, cred: FsCred = ROOT_FS_CRED): Promise<{ program: Uint8Array; mode: number; uid: number; gid: number }> {
  const walk: Walk = await core.namei.resolve(base, path, true, cred);
  const { vnode, mode } = top(walk);
  if (isDir(mode)) fail(Errno.EISDIR);
  if (!isReg(mode)) fail(Errno.EACCES);
  requireAccess(cred, top(walk), MAY.EXEC);
  const { fs } = vnode.mount;
  const epoch = fs.epoch ?? 0;
  await fs.open(vnode.ino);
  try {
    const st = await fs.getattr(vnode.ino);
    const size = st.size;
    const owner = { mode: st.mode, uid: st.uid, gid: st.gid };
    const out = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const chunk = await fs.read(vnode.ino, done, Math.min(size - done, MAX_IO));
      if (chunk.length === 0) break; // the file shrank under us
      out.set(chunk, done);
      done += chunk.length;
    }
    return { program: done === size ? out : out.slice(0, done), ...owner };
  } finally {
    if (epoch === (fs.epoch ?? 0)) await fs.release(vnode.ino);
  }
}

function checkRange(offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0) fail(Errno.EINVAL);
}

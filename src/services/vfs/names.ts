// The calls that work on names rather than open files: stat, setattr, mkdir, rmdir,
// unlink, rename, link, symlink, readlink, resolveDir, statfs. Each resolves its
// path(s) with namei.ts, applies the checks that belong to the namespace as a whole
// (mount points are EBUSY, links and renames do not cross filesystems: EXDEV, a
// directory cannot move into itself: EINVAL) and leaves the rest to the filesystem.
//
// Check order follows Linux (fs/namei.c), so every errno is the one Linux gives.

import { isDir, isReg, isLnk } from '../../abi/fs.js';
import type { SetAttr, Stat, StatFs } from '../../abi/fs.js';
import { Errno, fail } from '../../abi/errno.js';
import type { VfsCore } from './core.js';
import type { PathBase } from '../../abi/services.js';
import { sameVnode } from './mounts.js';
import type { Vnode } from './mounts.js';
import type { ParentWalk } from './namei.js';
import { top, canonical } from './namei.js';
import { PATH_MAX } from './path.js';
import { ROOT_FS_CRED, type FsCred } from '../../abi/cred.js';
import type { Step } from './namei.js';
import { checkSetattr, newOwner, requireDirWrite, requireRemove, requireSearch, requireAccess } from './access.js';
import { MAY } from '../../abi/cred.js';

const encoder = new TextEncoder();

/** Validates a SetAttr from a caller and keeps only the fields it may set. */
export function checkAttr(attr: SetAttr): SetAttr {
  const out: SetAttr = {};
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (attr.size !== undefined) {
    if (!num(attr.size) || !Number.isInteger(attr.size) || attr.size < 0) fail(Errno.EINVAL);
    out.size = attr.size;
  }
  if (attr.mode !== undefined) {
    if (!num(attr.mode)) fail(Errno.EINVAL);
    out.mode = attr.mode & 0o7777;
  }
  for (const k of ['uid', 'gid'] as const) {
    const v = attr[k];
    if (v === undefined) continue;
    if (!num(v) || !Number.isInteger(v) || v < 0 || v > 0xffffffff) fail(Errno.EINVAL);
    out[k] = v;
  }
  for (const k of ['atimeNs', 'mtimeNs'] as const) {
    const v = attr[k];
    if (v === undefined) continue;
    if (!num(v)) fail(Errno.EINVAL);
    out[k] = v;
    const nsecKey = k === 'atimeNs' ? 'atimeNsec' : 'mtimeNsec';
    const nsec = attr[nsecKey];
    if (nsec === undefined) continue;
    if (!num(nsec) || !Number.isInteger(nsec) || nsec < 0 || nsec > 999_999_999) fail(Errno.EINVAL);
    out[nsecKey] = nsec;
  }
  return out;
}

/** Makes `cred` (with `dir`'s group if set-group-id) the owner of a file just created in `dir`. */
export async function giveOwner(vnode: Vnode, cred: FsCred, dir: Step): Promise<void> {
  const { fs } = vnode.mount;
  if (fs.fixedOwner === true) return;
  const owner = newOwner(cred, dir);
  const st = await fs.getattr(vnode.ino);
  if (st.uid !== owner.uid || st.gid !== owner.gid) await fs.setattr(vnode.ino, owner);
}

export async function stat(core: VfsCore, base: PathBase, path: string, follow: boolean, cred: FsCred = ROOT_FS_CRED): Promise<Stat> {
  return core.namei.getattr(top(await core.namei.resolve(base, path, follow, cred)).vnode);
}

export async function setattr(core: VfsCore, base: PathBase, path: string, attr: SetAttr, follow: boolean, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  let clean = checkAttr(attr);
  const { vnode, mode } = top(await core.namei.resolve(base, path, follow, cred));
  // truncate(2): EISDIR for a directory, EINVAL for other non-regular files.
  if (clean.size !== undefined && isDir(mode)) fail(Errno.EISDIR);
  if (clean.size !== undefined && !isReg(mode)) fail(Errno.EINVAL);
  clean = checkSetattr(cred, await core.namei.getattr(vnode), clean);
  await vnode.mount.fs.setattr(vnode.ino, clean);
}

export async function mkdir(core: VfsCore, base: PathBase, path: string, mode: number, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  const p = await core.namei.resolveParent(base, path, { links: 0, cred });
  if (p.kind !== 'normal') fail(Errno.EEXIST);
  const parent = top(p.walk);
  const dir = parent.vnode;
  if (await core.namei.lookupMaybe(dir, p.name) !== undefined) fail(Errno.EEXIST);
  requireDirWrite(cred, parent);
  // A directory made in a set-group-id directory is set-group-id too.
  const ino = await dir.mount.fs.mkdir(dir.ino, p.name, (mode & 0o7777) | (parent.mode & 0o2000));
  await giveOwner({ mount: dir.mount, ino }, cred, parent);
}

export async function rmdir(core: VfsCore, base: PathBase, path: string, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  const p = await core.namei.resolveParent(base, path, { links: 0, cred });
  if (p.kind === 'dot') fail(Errno.EINVAL);
  if (p.kind === 'dotdot') fail(Errno.ENOTEMPTY);
  if (p.kind === 'root') fail(Errno.EBUSY);
  const dir = top(p.walk).vnode;
  const child = await core.namei.lookupRaw(dir, p.name);
  const st = await core.namei.getattr(child);
  if (!isDir(st.mode)) fail(Errno.ENOTDIR);
  requireRemove(cred, top(p.walk), st);
  if (core.mounts.isCovered(child)) fail(Errno.EBUSY);
  await dir.mount.fs.rmdir(dir.ino, p.name);
}

export async function unlink(core: VfsCore, base: PathBase, path: string, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  const p = await core.namei.resolveParent(base, path, { links: 0, cred });
  if (p.kind !== 'normal') fail(Errno.EISDIR);
  const dir = top(p.walk).vnode;
  const child = await core.namei.lookupRaw(dir, p.name);
  const st = await core.namei.getattr(child);
  if (isDir(st.mode)) fail(Errno.EISDIR);
  if (p.trailingSlash) fail(Errno.ENOTDIR);
  requireRemove(cred, top(p.walk), st);
  await dir.mount.fs.unlink(dir.ino, p.name);
}

export async function rename(core: VfsCore, base: PathBase, from: string, to: string, toBase: PathBase = base, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  const src = await core.namei.resolveParent(base, from, { links: 0, cred });
  const dst = await core.namei.resolveParent(toBase, to, { links: 0, cred });
  const srcDir = top(src.walk).vnode;
  const dstDir = top(dst.walk).vnode;
  if (srcDir.mount !== dstDir.mount) fail(Errno.EXDEV);
  if (src.kind !== 'normal' || dst.kind !== 'normal') fail(Errno.EBUSY);
  const moving = await core.namei.lookupRaw(srcDir, src.name);
  const movingSt = await core.namei.getattr(moving);
  const movingIsDir = isDir(movingSt.mode);
  if (!movingIsDir && (src.trailingSlash || dst.trailingSlash)) fail(Errno.ENOTDIR);
  requireRemove(cred, top(src.walk), movingSt);
  requireDirWrite(cred, top(dst.walk));
  // A directory that changes parent rewrites its '..': the mover must be able to write it.
  if (movingIsDir && !sameVnode(srcDir, dstDir)) requireAccess(cred, movingSt, MAY.WRITE);
  // The destination's directory lies inside the directory that moves.
  if (onWalk(dst, moving)) fail(Errno.EINVAL);
  const replaced = await core.namei.lookupMaybe(dstDir, dst.name);
  if (replaced !== undefined) {
    // The directory being replaced is an ancestor of the source (so not empty).
    if (onWalk(src, replaced)) fail(Errno.ENOTEMPTY);
    if (sameVnode(replaced, moving)) return;
    const replacedSt = await core.namei.getattr(replaced);
    requireRemove(cred, top(dst.walk), replacedSt);
    const replacedIsDir = isDir(replacedSt.mode);
    if (movingIsDir && !replacedIsDir) fail(Errno.ENOTDIR);
    if (!movingIsDir && replacedIsDir) fail(Errno.EISDIR);
    if (core.mounts.isCovered(replaced)) fail(Errno.EBUSY);
  }
  if (core.mounts.isCovered(moving)) fail(Errno.EBUSY);
  await srcDir.mount.fs.rename(srcDir.ino, src.name, dstDir.ino, dst.name);
}

// Whether `v` is one of the directories a parent walk went through (its ancestry).
function onWalk(p: ParentWalk, v: Vnode): boolean {
  return p.walk.some((s) => sameVnode(s.vnode, v));
}

export async function link(core: VfsCore, base: PathBase, target: string, path: string, pathBase: PathBase = base, follow = false, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  const old = top(await core.namei.resolve(base, target, follow, cred));
  const p = await core.namei.resolveParent(pathBase, path, { links: 0, cred });
  const dir = await createSlot(core, p, cred);
  if (old.vnode.mount !== dir.mount) fail(Errno.EXDEV);
  if (isDir(old.mode)) fail(Errno.EPERM);
  await dir.mount.fs.link(dir.ino, p.name, old.vnode.ino);
}

export async function symlink(core: VfsCore, base: PathBase, target: string, path: string, cred: FsCred = ROOT_FS_CRED): Promise<void> {
  if (target.length === 0) fail(Errno.ENOENT);
  if (encoder.encode(target).length >= PATH_MAX) fail(Errno.ENAMETOOLONG);
  const p = await core.namei.resolveParent(base, path, { links: 0, cred });
  const dir = await createSlot(core, p, cred);
  const ino = await dir.mount.fs.symlink(dir.ino, p.name, target);
  await giveOwner({ mount: dir.mount, ino }, cred, top(p.walk));
}

// The directory a new non-directory name goes in (filename_create in Linux): EEXIST
// when the name is taken or is '.', '..', '/'; ENOENT for "name/" that does not exist.
async function createSlot(core: VfsCore, p: ParentWalk, cred: FsCred): Promise<Vnode> {
  if (p.kind !== 'normal') fail(Errno.EEXIST);
  const dir = top(p.walk).vnode;
  if (await core.namei.lookupMaybe(dir, p.name) !== undefined) fail(Errno.EEXIST);
  if (p.trailingSlash) fail(Errno.ENOENT);
  requireDirWrite(cred, top(p.walk));
  return dir;
}

export async function readlink(core: VfsCore, base: PathBase, path: string, cred: FsCred = ROOT_FS_CRED): Promise<string> {
  const { vnode, mode } = top(await core.namei.resolve(base, path, false, cred));
  if (!isLnk(mode)) fail(Errno.EINVAL);
  return vnode.mount.fs.readlink(vnode.ino, cred);
}

export async function resolveDir(core: VfsCore, base: PathBase, path: string, cred: FsCred = ROOT_FS_CRED): Promise<string> {
  const walk = await core.namei.resolve(base, path, true, cred);
  if (!isDir(top(walk).mode)) fail(Errno.ENOTDIR);
  // chdir(2) needs search permission on the directory itself.
  requireSearch(cred, top(walk));
  return canonical(walk);
}

export async function statfs(core: VfsCore, base: PathBase, path: string, cred: FsCred = ROOT_FS_CRED): Promise<StatFs> {
  const { vnode } = top(await core.namei.resolve(base, path, true, cred));
  return vnode.mount.fs.statfs();
}

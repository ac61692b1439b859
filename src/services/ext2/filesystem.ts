// The ext2 FileSystem: the inode-level contract of abi/fs.ts over a mounted Volume.
// Every call runs under one lock (a simple filesystem's big lock), so an operation
// never sees another half-done; the awaits inside are device I/O only. Namespace
// operations are here; file contents are in file.ts, directory entries in dir.ts.
// Unexpected exceptions become EIO with "internal error" in the message, so a bug
// never takes the kernel down (ARCHITECTURE.md rule 6) but still shows in tests. The
// one exception is MemoryCorruption (a wild write found in the cache, cache.ts): it
// goes through, so the component fails and the disk keeps its last good state.

import { Errno, fail, isKernelError, KernelError } from '../../abi/errno.js';
import type { DirEntry, FileSystem, SetAttr, Stat, StatFs } from '../../abi/fs.js';
import { isDir, isLnk, isReg, S } from '../../abi/fs.js';
import { asIno, type Ino } from '../../abi/ids.js';
import type { Grant } from '../../abi/grant.js';
import { mapBlock, mapOrAllocate } from './bmap.js';
import { MemoryCorruption } from './cache.js';
import * as dir from './dir.js';
import { destroyInode, readData, readDataInto, touchAccess, truncateData, writeData } from './file.js';
import { InodeFlag, type Inode } from './inode.js';
import { LINK_MAX, NAME_MAX, ROOT_INO } from './layout.js';
import type { Volume } from './volume.js';

const DOTDOT = dir.encodeName('..');
const decoder = new TextDecoder();

/**
 * Serializes async operations: each waits for the previous one to settle. One that
 * finds nothing in flight starts at once, in the caller's turn, instead of a turn of
 * the microtask queue later (most calls: a lookup or getattr between two others).
 */
class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  // Operations started or waiting, not settled yet.
  private held = 0;
  private readonly release = (): void => { this.held--; };
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.held === 0 ? fn() : this.tail.then(fn, fn);
    this.held++;
    this.tail = result.then(this.release, this.release);
    return result;
  }
}

export class Ext2FileSystem implements FileSystem {
  readonly fsType = 'ext2';
  private readonly lock = new Lock();

  constructor(private readonly vol: Volume, private readonly dev = 0) {}

  /** Mounted read-only (asked for, or an image with read-only-compatible features we lack). */
  get readOnly(): boolean { return this.vol.readOnly; }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      if (this.vol.isClosed) fail(Errno.EIO, 'ext2: filesystem is unmounted');
      this.vol.beginOperation();
      try {
        this.vol.checkIntact();
        return await fn();
      } catch (e) {
        if (isKernelError(e)) throw e;
        // A wild write was found: the component must fail, not answer an errno.
        if (e instanceof MemoryCorruption) { this.vol.options.log(e.message); throw e; }
        const message = e instanceof Error ? e.message : String(e);
        this.vol.options.log(`ext2: internal error: ${message}`);
        throw new KernelError(Errno.EIO, `ext2: internal error: ${message}`);
      }
    });
  }

  // ---- helpers (caller holds the lock) ----

  private checkName(name: string): Uint8Array {
    if (name.length === 0) fail(Errno.ENOENT);
    if (name.includes('/') || name.includes('\0')) fail(Errno.EINVAL, `ext2: bad name ${JSON.stringify(name)}`);
    const bytes = dir.encodeName(name);
    if (bytes.length > NAME_MAX) fail(Errno.ENAMETOOLONG);
    return bytes;
  }

  /** A live inode (in use, linked or still open), with flags we can handle. */
  private async live(ino: number): Promise<Inode> {
    if (!this.vol.validIno(ino)) fail(Errno.ENOENT, `ext2: no inode ${ino}`);
    const inode = await this.vol.getInode(ino);
    if (inode.mode === 0 || (inode.linksCount === 0 && inode.opens === 0)) fail(Errno.ENOENT, `ext2: inode ${ino} is not in use`);
    if (inode.flags & (InodeFlag.EXTENTS | InodeFlag.INLINE_DATA)) this.vol.corrupt(`inode ${ino} uses extents or inline data, which this ext2 filesystem does not have`);
    return inode;
  }

  private async directory(ino: number): Promise<Inode> {
    const inode = await this.live(ino);
    if (!isDir(inode.mode)) fail(Errno.ENOTDIR);
    return inode;
  }

  /** The inode a directory entry names; an entry naming a free inode is corruption. */
  private async target(slot: dir.Slot, parent: number): Promise<Inode> {
    const inode = await this.vol.getInode(slot.ino);
    if (inode.mode === 0 || (inode.linksCount === 0 && inode.opens === 0)) this.vol.corrupt(`directory inode ${parent} names inode ${slot.ino}, which is not in use`);
    return inode;
  }

  private async writableDirectory(ino: number): Promise<Inode> {
    this.vol.requireWritable();
    const d = await this.directory(ino);
    if (d.linksCount === 0) fail(Errno.ENOENT, 'ext2: directory was removed');
    return d;
  }

  private async newInode(parent: Inode, mode: number): Promise<Inode> {
    const ino = await this.vol.allocInode(parent.ino, isDir(mode));
    const inode = await this.vol.getInode(ino);
    inode.initialize(mode, this.vol.now(), this.vol.nextGeneration());
    return inode;
  }

  /**
   * Runs the steps that give a freshly allocated inode its blocks and its name; if one
   * fails (ENOSPC, EIO, EUCLEAN), everything the inode got is given back, so no
   * allocated but unattached inode or block is left behind.
   */
  private async attachNew<T>(inode: Inode, steps: () => Promise<T>): Promise<T> {
    try {
      return await steps();
    } catch (e) {
      if (isKernelError(e)) {
        inode.linksCount = 0;
        try { await destroyInode(this.vol, inode); } catch (again) { if (!isKernelError(again)) throw again; }
      }
      throw e;
    }
  }

  private async dropLink(inode: Inode): Promise<void> {
    inode.linksCount = Math.max(0, inode.linksCount - 1);
    inode.ctimeNs = this.vol.now();
    if (inode.linksCount === 0 && inode.opens === 0) await destroyInode(this.vol, inode);
  }

  /** Whether `ancestor` is `ino` or one of its ancestors (walking '..'; bounded against loops). */
  private async isAncestor(ancestor: number, ino: number): Promise<boolean> {
    let cur = ino;
    for (let depth = 0; depth < 65536; depth++) {
      if (cur === ancestor) return true;
      if (cur === ROOT_INO) return false;
      const slot = await dir.find(this.vol, await this.directory(cur), DOTDOT);
      if (!slot) this.vol.corrupt(`directory inode ${cur} has no '..'`);
      cur = slot.ino;
    }
    this.vol.corrupt(`directory inode ${ino}: '..' chain does not reach the root`);
  }

  // ---- FileSystem ----

  root(): Ino { return asIno(ROOT_INO); }

  lookup(dirIno: Ino, name: string): Promise<Ino> {
    return this.run(async () => {
      const d = await this.directory(dirIno);
      const bytes = this.checkName(name);
      if (name === '.') return dirIno;
      const slot = await dir.find(this.vol, d, bytes);
      if (!slot) fail(Errno.ENOENT);
      await this.target(slot, d.ino);
      return asIno(slot.ino);
    });
  }

  getattr(ino: Ino): Promise<Stat> {
    return this.run(async () => {
      const i = await this.live(ino);
      const special = (i.mode & S.IFMT) === S.IFCHR || (i.mode & S.IFMT) === S.IFBLK;
      return {
        dev: this.dev, ino: i.ino, mode: i.mode, nlink: i.linksCount, uid: i.uid, gid: i.gid,
        rdev: special ? i.rdev : 0, size: i.size, blksize: this.vol.blockSize, blocks: i.blocks512,
        atimeNs: i.atimeNs, mtimeNs: i.mtimeNs, ctimeNs: i.ctimeNs,
        atimeNsec: i.atimeNsec, mtimeNsec: i.mtimeNsec, ctimeNsec: i.ctimeNsec,
      };
    });
  }

  setattr(ino: Ino, attr: SetAttr): Promise<void> {
    return this.run(async () => {
      this.vol.requireWritable();
      const i = await this.live(ino);
      if (attr.size !== undefined) {
        if (isDir(i.mode)) fail(Errno.EISDIR);
        if (!isReg(i.mode)) fail(Errno.EINVAL);
        if (!Number.isInteger(attr.size)) fail(Errno.EINVAL);
        await truncateData(this.vol, i, attr.size);
        i.mtimeNs = this.vol.now();
      }
      if (attr.mode !== undefined) i.mode = (i.mode & S.IFMT) | (attr.mode & 0o7777);
      if (attr.uid !== undefined) i.uid = attr.uid;
      if (attr.gid !== undefined) i.gid = attr.gid;
      if (attr.atimeNs !== undefined) i.setAtime(attr.atimeNs, attr.atimeNsec);
      if (attr.mtimeNs !== undefined) i.setMtime(attr.mtimeNs, attr.mtimeNsec);
      i.ctimeNs = this.vol.now();
    });
  }

  create(dirIno: Ino, name: string, mode: number, rdev = 0): Promise<Ino> {
    return this.run(async () => {
      const d = await this.writableDirectory(dirIno);
      const bytes = this.checkName(name);
      if (name === '.' || name === '..' || await dir.find(this.vol, d, bytes)) fail(Errno.EEXIST);
      let type = mode & S.IFMT;
      if (type === 0) type = S.IFREG;
      if (type === S.IFDIR || type === S.IFLNK) fail(Errno.EINVAL, 'ext2: create makes files, devices and fifos; use mkdir/symlink');
      const inode = await this.newInode(d, type | (mode & 0o7777));
      if (type === S.IFCHR || type === S.IFBLK) inode.rdev = rdev;
      await this.attachNew(inode, () => dir.add(this.vol, d, bytes, inode.ino, dir.fileTypeOf(inode.mode)));
      this.vol.noteName(inode.ino, d.ino);
      return asIno(inode.ino);
    });
  }

  mkdir(dirIno: Ino, name: string, mode: number): Promise<Ino> {
    return this.run(async () => {
      const d = await this.writableDirectory(dirIno);
      const bytes = this.checkName(name);
      if (name === '.' || name === '..' || await dir.find(this.vol, d, bytes)) fail(Errno.EEXIST);
      if (d.linksCount >= LINK_MAX) fail(Errno.EMLINK);
      const inode = await this.newInode(d, S.IFDIR | (mode & 0o7777));
      inode.linksCount = 2;
      await this.attachNew(inode, async () => {
        await dir.initialize(this.vol, inode, d.ino);
        await dir.add(this.vol, d, bytes, inode.ino, 2);
      });
      d.linksCount = d.linksCount + 1;
      this.vol.noteName(inode.ino, d.ino);
      return asIno(inode.ino);
    });
  }

  symlink(dirIno: Ino, name: string, target: string): Promise<Ino> {
    return this.run(async () => {
      const d = await this.writableDirectory(dirIno);
      const bytes = this.checkName(name);
      if (name === '.' || name === '..' || await dir.find(this.vol, d, bytes)) fail(Errno.EEXIST);
      const content = dir.encodeName(target);
      if (content.length === 0) fail(Errno.ENOENT);
      if (content.length >= this.vol.blockSize) fail(Errno.ENAMETOOLONG);
      const inode = await this.newInode(d, S.IFLNK | 0o777);
      await this.attachNew(inode, async () => {
        if (content.length < 60) inode.blockArea.set(content);
        else {
          const { block } = await mapOrAllocate(this.vol, inode, 0, 0, 'meta');
          const buf = await this.vol.cache.get(block, 'meta');
          buf.data.set(content);
          this.vol.cache.markDirty(buf);
        }
        inode.size = content.length;
        await dir.add(this.vol, d, bytes, inode.ino, 7);
      });
      this.vol.noteName(inode.ino, d.ino);
      return asIno(inode.ino);
    });
  }

  readlink(ino: Ino): Promise<string> {
    return this.run(async () => {
      const i = await this.live(ino);
      if (!isLnk(i.mode)) fail(Errno.EINVAL);
      const size = i.size;
      if (i.isFastSymlink(this.vol.blockSize)) return decoder.decode(i.blockArea.subarray(0, size));
      if (size >= this.vol.blockSize || size === 0) this.vol.corrupt(`symlink inode ${i.ino} has size ${size}`);
      const b = await mapBlock(this.vol, i, 0);
      if (b === 0) this.vol.corrupt(`symlink inode ${i.ino} has no block`);
      const buf = await this.vol.cache.get(b, 'meta');
      return decoder.decode(buf.data.subarray(0, size));
    });
  }

  link(dirIno: Ino, name: string, targetIno: Ino): Promise<void> {
    return this.run(async () => {
      const d = await this.writableDirectory(dirIno);
      const bytes = this.checkName(name);
      const t = await this.live(targetIno);
      // Linux's order: the new name is looked up (EEXIST) before the target is judged.
      if (name === '.' || name === '..' || await dir.find(this.vol, d, bytes)) fail(Errno.EEXIST);
      if (isDir(t.mode)) fail(Errno.EPERM);
      if (t.linksCount === 0) fail(Errno.ENOENT);
      if (t.linksCount >= LINK_MAX) fail(Errno.EMLINK);
      await dir.add(this.vol, d, bytes, t.ino, dir.fileTypeOf(t.mode));
      t.linksCount = t.linksCount + 1;
      this.vol.noteName(t.ino, d.ino);
      t.ctimeNs = this.vol.now();
    });
  }

  unlink(dirIno: Ino, name: string): Promise<void> {
    return this.run(async () => {
      const d = await this.writableDirectory(dirIno);
      const bytes = this.checkName(name);
      if (name === '.' || name === '..') fail(Errno.EISDIR);
      const slot = await dir.find(this.vol, d, bytes);
      if (!slot) fail(Errno.ENOENT);
      const t = await this.target(slot, d.ino);
      if (isDir(t.mode)) fail(Errno.EISDIR);
      await dir.remove(this.vol, d, bytes);
      await this.dropLink(t);
    });
  }

  rmdir(dirIno: Ino, name: string): Promise<void> {
    return this.run(async () => {
      const d = await this.writableDirectory(dirIno);
      const bytes = this.checkName(name);
      if (name === '.') fail(Errno.EINVAL);
      if (name === '..') fail(Errno.ENOTEMPTY);
      const slot = await dir.find(this.vol, d, bytes);
      if (!slot) fail(Errno.ENOENT);
      const t = await this.target(slot, d.ino);
      if (!isDir(t.mode)) fail(Errno.ENOTDIR);
      if (!await dir.isEmpty(this.vol, t)) fail(Errno.ENOTEMPTY);
      await dir.remove(this.vol, d, bytes);
      d.linksCount = Math.max(2, d.linksCount - 1);
      await this.removeDirectoryInode(t);
    });
  }

  private async removeDirectoryInode(t: Inode): Promise<void> {
    t.linksCount = 0;
    t.ctimeNs = this.vol.now();
    if (t.opens === 0) await destroyInode(this.vol, t);
  }

  rename(srcDirIno: Ino, srcName: string, dstDirIno: Ino, dstName: string): Promise<void> {
    return this.run(async () => {
      const sd = await this.writableDirectory(srcDirIno);
      const dd = await this.writableDirectory(dstDirIno);
      const srcBytes = this.checkName(srcName);
      const dstBytes = this.checkName(dstName);
      if (srcName === '.' || srcName === '..' || dstName === '.' || dstName === '..') fail(Errno.EINVAL);
      const srcSlot = await dir.find(this.vol, sd, srcBytes);
      if (!srcSlot) fail(Errno.ENOENT);
      const src = await this.target(srcSlot, sd.ino);
      const dstSlot = await dir.find(this.vol, dd, dstBytes);
      if (dstSlot && dstSlot.ino === src.ino) return;
      const dst = dstSlot ? await this.target(dstSlot, dd.ino) : undefined;
      const srcIsDir = isDir(src.mode);
      // Linux's order: moving a directory under itself (EINVAL) is caught before types.
      if (srcIsDir && sd.ino !== dd.ino && await this.isAncestor(src.ino, dd.ino)) fail(Errno.EINVAL);
      // ... and replacing an ancestor of the source is "not empty", whatever the types.
      if (dst && isDir(dst.mode) && await this.isAncestor(dst.ino, sd.ino)) fail(Errno.ENOTEMPTY);
      if (srcIsDir) {
        if (dst && !isDir(dst.mode)) fail(Errno.ENOTDIR);
        if (dst && !await dir.isEmpty(this.vol, dst)) fail(Errno.ENOTEMPTY);
        if (!dst && sd.ino !== dd.ino && dd.linksCount >= LINK_MAX) fail(Errno.EMLINK);
      } else if (dst && isDir(dst.mode)) fail(Errno.EISDIR);
      // Order: the new name first, then the old one goes, so a crash in between leaves
      // both names (e2fsck fixes the link count) rather than neither.
      if (dst) {
        await dir.repoint(this.vol, dd, dstBytes, src.ino, dir.fileTypeOf(src.mode));
        if (isDir(dst.mode)) {
          dd.linksCount = Math.max(2, dd.linksCount - 1);
          await this.removeDirectoryInode(dst);
        } else await this.dropLink(dst);
      } else await dir.add(this.vol, dd, dstBytes, src.ino, dir.fileTypeOf(src.mode));
      await dir.remove(this.vol, sd, srcBytes);
      if (srcIsDir && sd.ino !== dd.ino) {
        await dir.repoint(this.vol, src, DOTDOT, dd.ino, 2);
        sd.linksCount = Math.max(2, sd.linksCount - 1);
        dd.linksCount = dd.linksCount + 1;
      }
      src.ctimeNs = this.vol.now();
      this.vol.noteName(src.ino, dd.ino);
    });
  }

  read(ino: Ino, offset: number, length: number): Promise<Uint8Array> {
    return this.run(async () => {
      const i = await this.live(ino);
      if (isDir(i.mode)) fail(Errno.EISDIR);
      if (!isReg(i.mode)) fail(Errno.EINVAL);
      if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0) fail(Errno.EINVAL);
      const out = await readData(this.vol, i, offset, length);
      touchAccess(this.vol, i);
      return out;
    });
  }

  readInto(ino: Ino, offset: number, dst: Grant): Promise<number> {
    return this.run(async () => {
      const i = await this.live(ino);
      if (isDir(i.mode)) fail(Errno.EISDIR);
      if (!isReg(i.mode)) fail(Errno.EINVAL);
      if (!Number.isInteger(offset) || offset < 0) fail(Errno.EINVAL);
      const n = await readDataInto(this.vol, i, offset, dst.length, (at, bytes) => dst.write(at, bytes));
      touchAccess(this.vol, i);
      return n;
    });
  }

  write(ino: Ino, offset: number, data: Uint8Array): Promise<number> {
    return this.run(async () => {
      this.vol.requireWritable();
      const i = await this.live(ino);
      if (isDir(i.mode)) fail(Errno.EISDIR);
      if (!isReg(i.mode)) fail(Errno.EINVAL);
      if (!Number.isInteger(offset) || offset < 0) fail(Errno.EINVAL);
      return writeData(this.vol, i, offset, data);
    });
  }

  readdir(dirIno: Ino): Promise<DirEntry[]> {
    return this.run(async () => {
      const d = await this.directory(dirIno);
      const entries = await dir.list(this.vol, d);
      touchAccess(this.vol, d);
      return entries;
    });
  }

  open(ino: Ino): Promise<void> {
    return this.run(async () => {
      const i = await this.live(ino);
      i.opens++;
    });
  }

  release(ino: Ino): Promise<void> {
    return this.run(async () => {
      if (!this.vol.validIno(ino)) fail(Errno.EINVAL);
      const i = await this.vol.getInode(ino);
      if (i.opens > 0) i.opens--;
      if (i.opens === 0 && i.linksCount === 0 && i.mode !== 0 && !this.vol.readOnly) await destroyInode(this.vol, i);
    });
  }

  fsync(ino: Ino, dataOnly = false): Promise<void> {
    return this.run(async () => {
      await this.live(ino);
      // This file only (volume.ts syncFile): fsync includes the new directory entries
      // that name it, so its name is as durable as its bytes; fdatasync leaves them.
      await this.vol.syncFile(ino, !dataOnly);
    });
  }

  sync(): Promise<void> {
    return this.run(() => this.vol.sync());
  }

  /** The self-check: the superblock and descriptors as ext2 left them, and no wild write found in the cache so far (volume.ts checkIntact). */
  selfCheck(): string | undefined {
    try { this.vol.checkIntact(); } catch (e) {
      if (e instanceof MemoryCorruption) return e.message;
      throw e;
    }
    return undefined;
  }

  statfs(): Promise<StatFs> {
    return this.run(async () => {
      const sb = this.vol.sb;
      return {
        blockSize: this.vol.blockSize, blocks: sb.blocksCount, freeBlocks: sb.freeBlocksCount,
        inodes: sb.inodesCount, freeInodes: sb.freeInodesCount, fsType: 'ext2',
      };
    });
  }

  unmount(): Promise<void> {
    return this.run(async () => {
      // Whatever is still open goes now: nobody can reach it after the unmount.
      if (!this.vol.readOnly) for (const orphan of this.vol.orphans()) { orphan.opens = 0; await destroyInode(this.vol, orphan); }
      await this.vol.close();
    });
  }
}

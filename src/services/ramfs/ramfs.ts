// ramfs: a filesystem that lives in memory, implementing the inode-level FileSystem
// contract (abi/fs.ts) that vfs (services/vfs/) walks paths on top of. It serves as
// the root filesystem filled from the initramfs, and as /tmp and /dev when the root is
// on disk (ext2, services/ext2/).
//
// Inodes are JavaScript objects holding metadata; the bytes of regular files live in
// 4 KiB pages of the component's arena (pages.ts, page-pool.ts). An inode is freed, pages and all,
// when its last link is gone and no open file refers to it (vfs brackets every open
// file with open/release), exactly as an unlinked-but-open file lives on in Linux.

import type { Arena } from '../../lib/arena.js';
import type { FileSystem, Stat, SetAttr, StatFs, DirEntry } from '../../abi/fs.js';
import type { Grant } from '../../abi/grant.js';
import { S, isDir, isReg, isLnk, dtFromMode, exactNs, splitNs } from '../../abi/fs.js';
import type { Ino } from '../../abi/ids.js';
import { asIno } from '../../abi/ids.js';
import { Errno, fail } from '../../abi/errno.js';
import { PageStore, PAGE_SIZE } from './pages.js';
import { PagePool } from './page-pool.js';
import type { Chunk } from './page-pool.js';
import { packImage, type InodeImage, type RamfsImage } from './image.js';

/** Bytes of pages one self-check verifies (0.15-0.3 ms of checksumming here); the next goes on from there. */
const SELF_CHECK_BYTES = 1 << 20;

export interface RamfsOptions {
  readonly arena: Arena;
  /** The arena owner the pages are charged to (the component's name). */
  readonly owner: string;
  /** Inode limit reported by statfs and enforced by create (default 1 Mi). */
  readonly maxInodes?: number;
}

/** Largest file ramfs accepts (8 TiB): offsets stay exact float64 integers. */
export const MAX_FILE_SIZE = 2 ** 43;
const NAME_MAX = 255;
const ROOT = 1;
// Linux's tmpfs charges each directory entry this many bytes of st_size.
const BOGO_DIRENT_SIZE = 20;

interface Inode {
  readonly ino: number;
  mode: number;
  uid: number;
  gid: number;
  readonly rdev: number;
  nlink: number;
  size: number;
  /** Times in ns since the epoch, exact (a float64 would keep only ~256 ns in 2026). */
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  /** Open files referring to this inode (vfs open/release). */
  opens: number;
  /** Regular files: the data. */
  readonly data?: PageStore;
  /** Directories: name -> ino, in creation order; and the parent ('..'). */
  readonly entries?: Map<string, number>;
  parent: number;
  /** Symbolic links: the target. */
  readonly target?: string;
}

const encoder = new TextEncoder();

/** The time now in nanoseconds since the epoch, at microsecond resolution. */
export function nowNs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) * 1000;
}

const now = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;

/** The exact time a SetAttr asks for (its float64 ns and, when given, the exact nanoseconds within the second). */
const attrTime = (ns: number, nsec: number | undefined): bigint => (nsec === undefined ? BigInt(Math.round(ns)) : exactNs(ns, nsec));

// Checks a name a caller wants to create or look up. Caller must pass one component.
function checkName(name: string): void {
  if (name.length === 0) fail(Errno.ENOENT);
  if (name.includes('/') || name.includes('\0')) fail(Errno.EINVAL, `bad file name '${name}'`);
  // UTF-8 is at most 3 bytes per UTF-16 unit: only long names need encoding to measure.
  if (name.length * 3 > NAME_MAX && encoder.encode(name).length > NAME_MAX) fail(Errno.ENAMETOOLONG);
}

export class Ramfs implements FileSystem {
  readonly fsType = 'ramfs';
  private readonly inodes = new Map<number, Inode>();
  private nextIno = ROOT;
  private mounted = true;
  private readonly maxInodes: number;
  private readonly pool: PagePool;

  constructor(private readonly options: RamfsOptions) {
    this.maxInodes = options.maxInodes ?? 1 << 20;
    this.pool = new PagePool(options.arena, options.owner);
    const root = this.allocate(S.IFDIR | 0o755, 0);
    root.parent = root.ino;
    root.nlink = 2;
  }

  root(): Ino { return asIno(ROOT); }

  /** This filesystem frozen into an image (image.ts); nothing may be open. */
  toImage(): RamfsImage {
    const chunks = this.pool.chunkList();
    const index = new Map<Chunk, number>(chunks.map((c, i) => [c, i]));
    const inodes: InodeImage[] = [...this.inodes.values()].map((i) => ({
      ino: i.ino, mode: i.mode, uid: i.uid, gid: i.gid, rdev: i.rdev, nlink: i.nlink, size: i.size, parent: i.parent,
      atime: String(i.atime), mtime: String(i.mtime),
      ...(i.entries !== undefined ? { names: [...i.entries.keys()], inos: [...i.entries.values()] } : {}),
      ...(i.data !== undefined ? { pages: [...i.data.entries()].flatMap(([n, p]) => [n, index.get(p.chunk)!, p.index]) } : {}),
      ...(i.target !== undefined ? { target: i.target } : {}),
    }));
    return packImage(chunks.map((c) => ({ bytes: c.region.bytes, free: c.free, touched: c.touched })), inodes, this.nextIno);
  }

  /**
   * A fresh ramfs holding what `image` holds (a checked image: image.ts checkImage), its
   * pages copied into `options.arena`; ENOSPC when they do not fit. Change times are now,
   * as an unpack now would set them.
   */
  static fromImage(options: RamfsOptions, image: RamfsImage): Ramfs {
    const fs = new Ramfs(options);
    fs.inodes.clear();
    const chunks: Chunk[] = [];
    let at = 0;
    for (const [n, [pages, touched, ...free]] of image.chunks.entries()) {
      const length = pages! * PAGE_SIZE;
      const chunk = fs.pool.adopt(image.bytes.subarray(at, at + length), free, touched!, image.sums[n]!);
      if (chunk === undefined) { fs.pool.release(); fail(Errno.ENOSPC, 'ramfs image does not fit the arena'); }
      chunks.push(chunk);
      at += length;
    }
    const t = now();
    for (const r of image.inodes) {
      const i: Inode = {
        ino: r.ino, mode: r.mode, uid: r.uid, gid: r.gid, rdev: r.rdev, nlink: r.nlink, size: r.size, parent: r.parent,
        atime: BigInt(r.atime), mtime: BigInt(r.mtime), ctime: t, opens: 0,
        ...(isReg(r.mode) ? { data: new PageStore(fs.pool) } : {}),
        ...(isDir(r.mode) ? { entries: new Map<string, number>((r.names ?? []).map((name, k) => [name, r.inos![k]!])) } : {}),
        ...(r.target !== undefined ? { target: r.target } : {}),
      };
      const pages = r.pages ?? [];
      for (let k = 0; k + 2 < pages.length; k += 3) i.data!.adopt(pages[k]!, fs.pool.pageAt(chunks[pages[k + 1]!]!, pages[k + 2]!));
      fs.inodes.set(i.ino, i);
    }
    fs.nextIno = image.nextIno;
    return fs;
  }

  async lookup(dir: Ino, name: string): Promise<Ino> {
    const d = this.dir(dir);
    if (name === '.') return dir;
    if (name === '..') return asIno(d.parent);
    checkName(name);
    const ino = d.entries!.get(name);
    if (ino === undefined) fail(Errno.ENOENT);
    return asIno(ino);
  }

  async getattr(ino: Ino): Promise<Stat> {
    const i = this.inode(ino);
    const pages = i.data?.pageCount ?? 0;
    return {
      dev: 0, ino: i.ino, mode: i.mode, nlink: i.nlink, uid: i.uid, gid: i.gid, rdev: i.rdev,
      size: i.size, blksize: PAGE_SIZE, blocks: pages * (PAGE_SIZE / 512),
      atimeNs: Number(i.atime), mtimeNs: Number(i.mtime), ctimeNs: Number(i.ctime),
      atimeNsec: splitNs(i.atime)[1], mtimeNsec: splitNs(i.mtime)[1], ctimeNsec: splitNs(i.ctime)[1],
    };
  }

  async setattr(ino: Ino, attr: SetAttr): Promise<void> {
    const i = this.inode(ino);
    if (attr.size !== undefined) {
      if (isDir(i.mode)) fail(Errno.EISDIR);
      if (!isReg(i.mode)) fail(Errno.EINVAL);
      if (!Number.isInteger(attr.size) || attr.size < 0) fail(Errno.EINVAL);
      if (attr.size > MAX_FILE_SIZE) fail(Errno.EFBIG);
      this.resize(i, attr.size);
    }
    if (attr.mode !== undefined) i.mode = (i.mode & S.IFMT) | (attr.mode & 0o7777);
    if (attr.uid !== undefined) i.uid = attr.uid;
    if (attr.gid !== undefined) i.gid = attr.gid;
    if (attr.atimeNs !== undefined) i.atime = attrTime(attr.atimeNs, attr.atimeNsec);
    if (attr.mtimeNs !== undefined) i.mtime = attrTime(attr.mtimeNs, attr.mtimeNsec);
    i.ctime = now();
  }

  async create(dir: Ino, name: string, mode: number, rdev = 0): Promise<Ino> {
    const d = this.prepareEntry(dir, name);
    const type = (mode & S.IFMT) === 0 ? S.IFREG : mode & S.IFMT;
    if (type === S.IFDIR || type === S.IFLNK) fail(Errno.EINVAL, 'create makes files, devices and fifos');
    const i = this.allocate(type | (mode & 0o7777), type === S.IFCHR || type === S.IFBLK ? rdev : 0);
    this.addEntry(d, name, i);
    return asIno(i.ino);
  }

  async mkdir(dir: Ino, name: string, mode: number): Promise<Ino> {
    const d = this.prepareEntry(dir, name);
    const i = this.allocate(S.IFDIR | (mode & 0o7777), 0);
    i.parent = d.ino;
    i.nlink = 2;
    d.nlink++; // the new directory's '..'
    this.addEntry(d, name, i);
    return asIno(i.ino);
  }

  async symlink(dir: Ino, name: string, target: string): Promise<Ino> {
    const d = this.prepareEntry(dir, name);
    if (target.length === 0) fail(Errno.ENOENT);
    const i = this.allocate(S.IFLNK | 0o777, 0, target);
    i.size = encoder.encode(target).length;
    this.addEntry(d, name, i);
    return asIno(i.ino);
  }

  async readlink(ino: Ino): Promise<string> {
    const i = this.inode(ino);
    if (!isLnk(i.mode)) fail(Errno.EINVAL);
    return i.target!;
  }

  async link(dir: Ino, name: string, target: Ino): Promise<void> {
    const t = this.inode(target);
    if (isDir(t.mode)) fail(Errno.EPERM, 'hard links to directories are not allowed');
    const d = this.prepareEntry(dir, name);
    // NOTE: an open, fully unlinked inode cannot be linked back (Linux: ENOENT).
    if (t.nlink === 0) fail(Errno.ENOENT);
    t.nlink++;
    t.ctime = now();
    this.addEntry(d, name, t);
  }

  async unlink(dir: Ino, name: string): Promise<void> {
    const d = this.dir(dir);
    const i = this.child(d, name);
    if (isDir(i.mode)) fail(Errno.EISDIR);
    this.removeEntry(d, name);
    this.dropLink(i);
  }

  async rmdir(dir: Ino, name: string): Promise<void> {
    if (name === '.') fail(Errno.EINVAL);
    if (name === '..') fail(Errno.ENOTEMPTY);
    const d = this.dir(dir);
    const i = this.child(d, name);
    if (!isDir(i.mode)) fail(Errno.ENOTDIR);
    if (i.entries!.size > 0) fail(Errno.ENOTEMPTY);
    this.removeEntry(d, name);
    d.nlink--;
    i.nlink = 0;
    this.maybeFree(i);
  }

  async rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string): Promise<void> {
    const sd = this.dir(srcDir);
    const dd = this.dir(dstDir);
    if (srcName === '.' || srcName === '..' || dstName === '.' || dstName === '..') fail(Errno.EBUSY);
    const src = this.child(sd, srcName);
    checkName(dstName);
    const dstIno = dd.entries!.get(dstName);
    const dst = dstIno === undefined ? undefined : this.inode(asIno(dstIno));
    if (isDir(src.mode)) {
      // A directory cannot move into its own subtree (rename(2): EINVAL).
      for (let at = dd; ; at = this.inode(asIno(at.parent))) {
        if (at.ino === src.ino) fail(Errno.EINVAL);
        if (at.ino === ROOT) break;
      }
    }
    if (dst !== undefined) {
      if (dst.ino === src.ino) return; // two links to one inode: rename does nothing
      if (isDir(src.mode) && !isDir(dst.mode)) fail(Errno.ENOTDIR);
      if (!isDir(src.mode) && isDir(dst.mode)) fail(Errno.EISDIR);
      if (isDir(dst.mode) && dst.entries!.size > 0) fail(Errno.ENOTEMPTY);
    }
    const t = now();
    if (dst !== undefined) {
      this.removeEntry(dd, dstName);
      if (isDir(dst.mode)) { dd.nlink--; dst.nlink = 0; this.maybeFree(dst); } else this.dropLink(dst);
    }
    this.removeEntry(sd, srcName);
    dd.entries!.set(dstName, src.ino);
    dd.size += BOGO_DIRENT_SIZE;
    dd.mtime = dd.ctime = t;
    if (isDir(src.mode) && sd !== dd) {
      sd.nlink--;
      dd.nlink++;
      src.parent = dd.ino;
    }
    src.ctime = t;
  }

  async read(ino: Ino, offset: number, length: number): Promise<Uint8Array> {
    const i = this.inode(ino);
    if (isDir(i.mode)) fail(Errno.EISDIR);
    if (!isReg(i.mode)) fail(Errno.EINVAL);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0) fail(Errno.EINVAL);
    const n = Math.max(0, Math.min(length, i.size - offset));
    // relatime, as Linux mounts by default: atime moves only when it is older than the
    // last change, so reads do not dirty the inode every time.
    if (i.atime <= i.mtime || i.atime <= i.ctime) i.atime = now();
    return n === 0 ? new Uint8Array(0) : i.data!.read(offset, n);
  }

  async readInto(ino: Ino, offset: number, dst: Grant): Promise<number> {
    const i = this.inode(ino);
    if (isDir(i.mode)) fail(Errno.EISDIR);
    if (!isReg(i.mode)) fail(Errno.EINVAL);
    if (!Number.isInteger(offset) || offset < 0) fail(Errno.EINVAL);
    const n = Math.max(0, Math.min(dst.length, i.size - offset));
    if (i.atime <= i.mtime || i.atime <= i.ctime) i.atime = now();
    if (n > 0) i.data!.readInto(offset, n, (at, bytes) => dst.write(at, bytes));
    return n;
  }

  async write(ino: Ino, offset: number, data: Uint8Array): Promise<number> {
    const i = this.inode(ino);
    if (isDir(i.mode)) fail(Errno.EISDIR);
    if (!isReg(i.mode)) fail(Errno.EINVAL);
    if (!Number.isInteger(offset) || offset < 0) fail(Errno.EINVAL);
    if (data.length === 0) return 0;
    if (offset + data.length > MAX_FILE_SIZE) fail(Errno.EFBIG);
    const written = i.data!.write(offset, data);
    i.size = Math.max(i.size, offset + written);
    i.mtime = i.ctime = now();
    return written;
  }

  async readdir(dir: Ino): Promise<DirEntry[]> {
    const d = this.dir(dir);
    const out: DirEntry[] = [
      { name: '.', ino: d.ino, type: dtFromMode(d.mode) },
      { name: '..', ino: d.parent, type: dtFromMode(S.IFDIR) },
    ];
    for (const [name, ino] of d.entries!) out.push({ name, ino, type: dtFromMode(this.inode(asIno(ino)).mode) });
    return out;
  }

  async open(ino: Ino): Promise<void> { this.inode(ino).opens++; }

  async release(ino: Ino): Promise<void> {
    const i = this.inodes.get(ino);
    if (i === undefined || i.opens === 0) fail(Errno.EINVAL, `release of inode ${ino} that is not open`);
    i.opens--;
    this.maybeFree(i);
  }

  async fsync(ino: Ino): Promise<void> { this.inode(ino); }
  async sync(): Promise<void> { this.check(); }

  async statfs(): Promise<StatFs> {
    this.check();
    const arena = this.options.arena;
    return {
      blockSize: PAGE_SIZE,
      blocks: Math.floor(arena.size / PAGE_SIZE),
      freeBlocks: Math.floor((arena.size - arena.bytesInUse()) / PAGE_SIZE) + this.pool.spare,
      inodes: this.maxInodes,
      freeInodes: this.maxInodes - this.inodes.size,
      fsType: this.fsType,
    };
  }

  async unmount(): Promise<void> {
    this.check();
    this.inodes.clear();
    this.pool.release();
    this.mounted = false;
  }

  /** Inodes in use (tests check that unlinked files are freed). */
  get inodeCount(): number { return this.inodes.size; }

  /** File pages in use (tests check that freed files give their pages back). */
  get pagesInUse(): number { return this.pool.inUse; }

  /** The self-check (page-pool.ts): up to SELF_CHECK_BYTES of pages per call. */
  selfCheck(): string | undefined { if (!this.mounted) return undefined; return this.pool.check(SELF_CHECK_BYTES); }

  // ---- inside ----

  private check(): void {
    if (!this.mounted) fail(Errno.EIO, 'ramfs is unmounted');
  }

  private inode(ino: Ino): Inode {
    this.check();
    const i = this.inodes.get(ino);
    if (i === undefined) fail(Errno.ENOENT, `no inode ${ino}`);
    return i;
  }

  private dir(ino: Ino): Inode {
    const i = this.inode(ino);
    if (!isDir(i.mode)) fail(Errno.ENOTDIR);
    // A removed directory stays usable as an open handle or cwd but holds nothing.
    return i;
  }

  private child(d: Inode, name: string): Inode {
    if (name === '.' || name === '..') fail(Errno.EINVAL);
    checkName(name);
    const ino = d.entries!.get(name);
    if (ino === undefined) fail(Errno.ENOENT);
    return this.inode(asIno(ino));
  }

  // Checks that `name` may be added to directory `dir`. Returns the directory.
  private prepareEntry(dir: Ino, name: string): Inode {
    const d = this.dir(dir);
    if (name === '.' || name === '..') fail(Errno.EEXIST);
    checkName(name);
    if (d.nlink === 0) fail(Errno.ENOENT, 'directory was removed');
    if (d.entries!.has(name)) fail(Errno.EEXIST);
    return d;
  }

  private allocate(mode: number, rdev: number, target?: string): Inode {
    if (this.inodes.size >= this.maxInodes) fail(Errno.ENOSPC, 'ramfs inode limit reached');
    const t = now();
    const ino = this.nextIno++;
    const i: Inode = {
      ino, mode, uid: 0, gid: 0, rdev, nlink: 1, size: 0, atime: t, mtime: t, ctime: t, opens: 0, parent: 0,
      ...(isReg(mode) ? { data: new PageStore(this.pool) } : {}),
      ...(isDir(mode) ? { entries: new Map<string, number>() } : {}),
      ...(target !== undefined ? { target } : {}),
    };
    this.inodes.set(ino, i);
    return i;
  }

  private addEntry(d: Inode, name: string, i: Inode): void {
    d.entries!.set(name, i.ino);
    d.size += BOGO_DIRENT_SIZE;
    d.mtime = d.ctime = now();
  }

  private removeEntry(d: Inode, name: string): void {
    d.entries!.delete(name);
    d.size -= BOGO_DIRENT_SIZE;
    d.mtime = d.ctime = now();
  }

  private dropLink(i: Inode): void {
    i.nlink--;
    i.ctime = now();
    this.maybeFree(i);
  }

  private maybeFree(i: Inode): void {
    if (i.nlink > 0 || i.opens > 0) return;
    i.data?.free();
    this.inodes.delete(i.ino);
  }

  private resize(i: Inode, size: number): void {
    if (size < i.size) i.data!.truncate(size);
    i.size = size;
    i.mtime = now();
  }
}

/** Makes a ramfs whose file pages come from `arena`, charged to `owner`. */
export function createRamfs(options: RamfsOptions): Ramfs {
  return new Ramfs(options);
}

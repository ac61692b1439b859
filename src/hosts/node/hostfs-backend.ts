// The host side of the hostfs device: the shared host directories, reached only
// through open host file descriptors, never through remembered paths.
//
// Every file the guest knows is a *node*: an O_PATH descriptor of that very inode,
// opened one component at a time beneath its parent's descriptor with O_NOFOLLOW
// (a request names a parent node and one plain name, never a path), so a symlink is
// never followed on the host (links are the guest's to resolve, in its own
// namespace) and nothing can lead out of the share: Linux openat2(RESOLVE_BENEATH)
// semantics. Node has no openat, so "beneath the parent" is spelled
// /proc/self/fd/PARENT/NAME: the kernel jumps through the magic link to the open
// directory itself (wherever it has moved) and looks up NAME there.
//
// An fd keeps its file, not its name: reads, writes, truncate, chmod and utimes go to
// the node's inode (through a data descriptor reopened from /proc/self/fd/N), so a
// name swapped for a symlink after lookup changes nothing. Operations that must not
// follow a symlink node (utimes with AT_SYMLINK_NOFOLLOW, readlink, link) use its
// parent descriptor and name, never a path.
//
// Nodes are keyed by the inode number the guest sees. Open ones (the guest's open
// files) are pinned; the others sit in an LRU of at most `maxNodes`, and a node
// evicted from it answers ESTALE: the guest looks it up again from its parent
// (services/hostfs/filesystem.ts). So host descriptors stay bounded: at most two per
// node (O_PATH + data), nodes = pinned + maxNodes.

import fs from 'node:fs';
import { KernelError, Errno } from '../../abi/errno.js';
import type { HostFsBackend } from '../../hw/hostfs-device.js';
import { exactNs, type Stat } from '../../abi/fs.js';

export interface Share { host: string; guest: string; readOnly: boolean }

/** O_PATH on Linux (not in Node's fs.constants). */
const O_PATH = 0o10000000;
const { O_NOFOLLOW, O_DIRECTORY, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY } = fs.constants;

const WRITES = new Set(['write', 'create', 'mkdir', 'symlink', 'link', 'unlink', 'rmdir', 'rename', 'truncate', 'chmod', 'utimes']);

function errnoOf(e: unknown): KernelError {
  const code = (e as NodeJS.ErrnoException).code;
  const n = code !== undefined ? (Errno as Record<string, number>)[code] : undefined;
  return new KernelError(n ?? Errno.EIO, e instanceof Error ? e.message : String(e));
}

function toStat(st: fs.BigIntStats): Stat {
  return {
    dev: Number(st.dev), ino: guestIno(st), mode: Number(st.mode), nlink: Number(st.nlink), uid: Number(st.uid), gid: Number(st.gid),
    rdev: Number(st.rdev), size: Number(st.size), blksize: Number(st.blksize), blocks: Number(st.blocks),
    atimeNs: Number(st.atimeNs), mtimeNs: Number(st.mtimeNs), ctimeNs: Number(st.ctimeNs),
    atimeNsec: Number(st.atimeNs % NS), mtimeNsec: Number(st.mtimeNs % NS), ctimeNsec: Number(st.ctimeNs % NS),
  };
}

const NS = 1_000_000_000n;

/**
 * A time (float64 ns and its exact nanoseconds within the second) as the seconds
 * fs.utimes takes. libuv keeps only microseconds of it (it drops the rest on purpose),
 * so the value aims at the middle of the right microsecond: the host then holds the
 * time truncated to the microsecond, never one microsecond off.
 */
function hostSeconds(ns: unknown, nsec: unknown): number {
  if (typeof ns !== 'number' || typeof nsec !== 'number' || !Number.isFinite(ns) || !Number.isInteger(nsec) || nsec < 0 || nsec > 999_999_999) {
    throw new KernelError(Errno.EINVAL, 'hostfs: bad time');
  }
  const t = exactNs(ns, nsec);
  const s = t / NS - (t < 0n && t % NS !== 0n ? 1n : 0n);
  return Number(s) + (Math.floor(nsec / 1000) + 0.5) / 1e6;
}
const guestIno = (st: fs.BigIntStats): number => Number(st.ino & 0xffffffffn);
const S_IFMT = 0o170000n, S_IFLNK = 0o120000n, S_IFDIR = 0o040000n;

interface Node {
  readonly key: number;
  readonly dev: bigint;
  readonly ino: bigint;
  /** O_PATH descriptor of the inode itself. */
  readonly fd: number;
  readonly symlink: boolean;
  readonly dir: boolean;
  /** Data descriptor (reopened from /proc/self/fd/fd), made on first I/O. */
  io?: { fd: number; writable: boolean };
  /** The directory and name it was last reached by (for link and symlink operations). */
  parent?: Node;
  name?: string;
  /** Guest opens (pins) and nodes whose `parent` this is. */
  pins: number;
  children: number;
}

/** A plain name: one component, not '.', '..' or empty. */
function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new KernelError(Errno.EINVAL, 'hostfs: not a plain name');
  }
  return name;
}

const procFd = (fd: number): string => `/proc/self/fd/${fd}`;

class ShareNodes {
  private readonly nodes = new Map<number, Node>(); // insertion order = LRU order
  private root: Node;

  constructor(private readonly share: Share, private readonly maxNodes: number) {
    this.root = this.openRoot();
  }

  private openRoot(): Node {
    let fd: number;
    try { fd = fs.openSync(fs.realpathSync(this.share.host), O_PATH | O_DIRECTORY); } catch (e) { throw errnoOf(e); }
    const st = fs.fstatSync(fd, { bigint: true });
    const root: Node = { key: guestIno(st), dev: st.dev, ino: st.ino, fd, symlink: false, dir: true, pins: 1, children: 0 };
    this.nodes.set(root.key, root);
    return root;
  }

  /** Drops every node but the root (a new vfs mounted the share, or it was unmounted). */
  reset(): Stat {
    for (const n of [...this.nodes.values()]) if (n !== this.root) this.close(n);
    return this.stat(this.root);
  }

  get size(): number { return this.nodes.size; }

  /** Closes every node, the root too (the machine is done with the share). */
  closeAll(): void {
    for (const n of [...this.nodes.values()]) this.close(n);
  }

  node(key: unknown): Node {
    const n = typeof key === 'number' ? this.nodes.get(key) : undefined;
    if (n === undefined) throw new KernelError(Errno.ESTALE, 'hostfs: node not open (evicted or never looked up)');
    this.nodes.delete(n.key);
    this.nodes.set(n.key, n);
    return n;
  }

  dirNode(key: unknown): Node {
    const n = this.node(key);
    if (!n.dir) throw new KernelError(Errno.ENOTDIR);
    return n;
  }

  stat(n: Node): Stat { return toStat(fs.fstatSync(n.fd, { bigint: true })); }

  /** Path of `name` beneath open directory `dir`; the last component is never followed by the callers. */
  beneath(dir: Node, name: unknown): string { return `${procFd(dir.fd)}/${checkName(name)}`; }

  /** Looks `name` up in `dir` without following it, as a node. */
  lookup(dir: Node, name: unknown): Node {
    return this.adopt(fs.openSync(this.beneath(dir, name), O_PATH | O_NOFOLLOW), dir, String(name));
  }

  /** Makes `fd` (an O_PATH descriptor of the inode; taken over) a node, or returns the node it already is. */
  adopt(fd: number, parent: Node, name: string): Node {
    let st: fs.BigIntStats;
    try { st = fs.fstatSync(fd, { bigint: true }); } catch (e) { fs.closeSync(fd); throw errnoOf(e); }
    const key = guestIno(st);
    const old = this.nodes.get(key);
    if (old !== undefined && old.dev === st.dev && old.ino === st.ino) {
      fs.closeSync(fd);
      this.node(key);
      if (old !== this.root) this.setParent(old, parent, name);
      return old;
    }
    if (old !== undefined) {
      // Two host inodes with the same low 32 bits (another filesystem inside the share).
      if (old.pins > 0 || old.children > 0) { fs.closeSync(fd); throw new KernelError(Errno.EIO, 'hostfs: inode number collision in the share'); }
      this.close(old);
    }
    const type = st.mode & S_IFMT;
    const n: Node = { key, dev: st.dev, ino: st.ino, fd, symlink: type === S_IFLNK, dir: type === S_IFDIR, pins: 0, children: 0 };
    this.setParent(n, parent, name);
    this.nodes.set(key, n);
    this.evict();
    return n;
  }

  private setParent(n: Node, parent: Node, name: string): void {
    if (n.parent === parent) { n.name = name; return; }
    if (n.parent !== undefined) n.parent.children--;
    // Only symlinks and files need their directory (readlink, lutimes, link by name).
    if (n.dir) return;
    n.parent = parent;
    n.name = name;
    parent.children++;
  }

  /** Closes least recently used nodes that nobody pins until at most maxNodes are open. */
  private evict(): void {
    if (this.nodes.size <= this.maxNodes) return;
    for (const n of this.nodes.values()) {
      if (this.nodes.size <= this.maxNodes) break;
      if (n.pins === 0 && n.children === 0) this.close(n);
    }
  }

  private close(n: Node): void {
    this.nodes.delete(n.key);
    if (n.parent !== undefined) { n.parent.children--; n.parent = undefined; }
    if (n.io !== undefined) fs.closeSync(n.io.fd);
    fs.closeSync(n.fd);
  }

  pin(n: Node): void { n.pins++; }
  unpin(n: Node): void { if (n.pins > 0 && n !== this.root) n.pins--; this.evict(); }

  /** A data descriptor of the node's inode (reopened through its O_PATH fd, so the same file). */
  io(n: Node, write: boolean): number {
    if (n.symlink) throw new KernelError(Errno.ELOOP);
    if (n.dir) throw new KernelError(Errno.EISDIR);
    if (n.io !== undefined && (n.io.writable || !write)) return n.io.fd;
    let fd: number, writable = true;
    try {
      fd = fs.openSync(procFd(n.fd), this.share.readOnly ? O_RDONLY : O_RDWR);
      writable = !this.share.readOnly;
    } catch (e) {
      if (write) throw errnoOf(e);
      fd = fs.openSync(procFd(n.fd), O_RDONLY);
      writable = false;
    }
    if (write && !writable) { fs.closeSync(fd); throw new KernelError(Errno.EROFS); }
    if (n.io !== undefined) fs.closeSync(n.io.fd);
    n.io = { fd, writable };
    return fd;
  }

  /** The node's name in its directory, checked to still be this inode (symlinks, link). */
  byName(n: Node): string {
    if (n.parent === undefined || n.name === undefined) throw new KernelError(Errno.ESTALE, 'hostfs: no directory known for node');
    const p = this.beneath(n.parent, n.name);
    const st = fs.lstatSync(p, { bigint: true });
    if (st.dev !== n.dev || st.ino !== n.ino) throw new KernelError(Errno.ENOENT, 'hostfs: the name now names another file');
    return p;
  }

  /** A rename moved (dir, name) to (to, toName): nodes reached by the old name follow. */
  renamed(dir: Node, name: string, to: Node, toName: string): void {
    for (const n of this.nodes.values()) {
      if (n.parent === dir && n.name === name) this.setParent(n, to, toName);
    }
  }

  statfs(): fs.StatsFs { return fs.statfsSync(procFd(this.root.fd)); }
}

export interface HostFsBackendOptions {
  /** Unpinned nodes kept open per share (each holds one or two host descriptors). */
  maxNodes: number;
}

/** The back end, plus what the machine needs: host descriptors in use, and closing them all at the end. */
export type HostFsHost = HostFsBackend & { openNodes(): number; close(): void };

export function hostFsBackend(shares: Share[], options: HostFsBackendOptions = { maxNodes: 256 }): HostFsHost {
  if (shares.length > 0 && !fs.existsSync('/proc/self/fd')) throw new Error('hostfs: sharing host directories needs Linux /proc/self/fd');
  const tables = shares.map((s) => new ShareNodes(s, Math.max(8, options.maxNodes)));

  let closed = false;
  const backend = (op: string, mount: number, a: Record<string, unknown>): unknown => {
    const share = shares[mount];
    const t = tables[mount];
    if (share === undefined || t === undefined || closed) throw new KernelError(Errno.ENODEV);
    if (share.readOnly && WRITES.has(op)) throw new KernelError(Errno.EROFS);
    try {
      switch (op) {
        case 'attach': return t.reset();
        case 'lookup': return t.stat(t.lookup(t.dirNode(a.node), a.name));
        case 'getattr': return t.stat(t.node(a.node));
        case 'open': t.pin(t.node(a.node)); return null;
        case 'release': t.unpin(t.node(a.node)); return null;
        case 'readdir': {
          const dir = t.dirNode(a.node);
          const at = procFd(dir.fd);
          return fs.readdirSync(at, { withFileTypes: true }).map((d) => ({
            name: d.name, ino: guestIno(fs.lstatSync(`${at}/${d.name}`, { bigint: true })),
            type: d.isDirectory() ? 4 : d.isSymbolicLink() ? 10 : d.isFile() ? 8 : 0,
          }));
        }
        case 'read': {
          const fd = t.io(t.node(a.node), false);
          const out = new Uint8Array(Math.max(0, Math.min(Number(a.length), 1 << 20)));
          const n = fs.readSync(fd, out, 0, out.length, Number(a.offset));
          return out.subarray(0, n);
        }
        case 'write': {
          const data = a.data;
          if (!(data instanceof Uint8Array)) throw new KernelError(Errno.EINVAL);
          return fs.writeSync(t.io(t.node(a.node), true), data, 0, data.length, Number(a.offset));
        }
        case 'truncate': fs.ftruncateSync(t.io(t.node(a.node), true), Number(a.size)); return null;
        case 'fsync': {
          const n = t.node(a.node);
          if (n.io !== undefined) fs.fsyncSync(n.io.fd);
          return null;
        }
        case 'chmod': {
          const n = t.node(a.node);
          // Linux cannot change a symlink's mode (fchmodat AT_SYMLINK_NOFOLLOW).
          if (n.symlink) throw new KernelError(Errno.ENOTSUP);
          fs.chmodSync(procFd(n.fd), Number(a.mode) & 0o7777);
          return null;
        }
        case 'utimes': {
          const n = t.node(a.node);
          const at = hostSeconds(a.atimeNs, a.atimeNsec), mt = hostSeconds(a.mtimeNs, a.mtimeNsec);
          // A symlink node: its own times (AT_SYMLINK_NOFOLLOW), through its directory.
          if (n.symlink) fs.lutimesSync(t.byName(n), at, mt);
          else fs.utimesSync(procFd(n.fd), at, mt);
          return null;
        }
        case 'readlink': {
          const n = t.node(a.node);
          if (!n.symlink) throw new KernelError(Errno.EINVAL);
          return fs.readlinkSync(t.byName(n));
        }
        case 'create': {
          const dir = t.dirNode(a.node);
          const created = fs.openSync(t.beneath(dir, a.name), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, Number(a.mode) & 0o7777);
          // The node is the inode just created, whatever its name names by now.
          let fd: number;
          try { fd = fs.openSync(procFd(created), O_PATH); } finally { fs.closeSync(created); }
          return t.stat(t.adopt(fd, dir, String(a.name)));
        }
        case 'mkdir': {
          const dir = t.dirNode(a.node);
          fs.mkdirSync(t.beneath(dir, a.name), Number(a.mode) & 0o7777);
          return t.stat(t.lookup(dir, a.name));
        }
        case 'symlink': {
          const dir = t.dirNode(a.node);
          if (typeof a.target !== 'string' || a.target.includes('\0')) throw new KernelError(Errno.EINVAL);
          fs.symlinkSync(a.target, t.beneath(dir, a.name));
          return t.stat(t.lookup(dir, a.name));
        }
        case 'link': {
          const n = t.node(a.node);
          if (n.dir) throw new KernelError(Errno.EPERM);
          // link(2) does not follow its source; the name is checked to be this inode.
          fs.linkSync(t.byName(n), t.beneath(t.dirNode(a.dir), a.name));
          return null;
        }
        case 'unlink': fs.unlinkSync(t.beneath(t.dirNode(a.node), a.name)); return null;
        case 'rmdir': fs.rmdirSync(t.beneath(t.dirNode(a.node), a.name)); return null;
        case 'rename': {
          const from = t.dirNode(a.node), to = t.dirNode(a.to);
          fs.renameSync(t.beneath(from, a.name), t.beneath(to, a.toName));
          t.renamed(from, String(a.name), to, String(a.toName));
          return null;
        }
        case 'statfs': {
          const st = t.statfs();
          return { blockSize: st.bsize, blocks: st.blocks, freeBlocks: st.bavail, inodes: st.files, freeInodes: st.ffree, fsType: 'hostfs' };
        }
        default: throw new KernelError(Errno.ENOSYS, `hostfs: no operation ${op}`);
      }
    } catch (e) {
      if (e instanceof KernelError) throw e;
      throw errnoOf(e);
    }
  };
  return Object.assign(backend, {
    openNodes: () => tables.reduce((s, t) => s + t.size, 0),
    close: () => { if (!closed) { closed = true; for (const t of tables) t.closeAll(); } },
  });
}

// The browser's stand-in for `--mount`: a directory tree held in the page's memory,
// served to the guest through the hostfs device (hw/hostfs-device.ts) and mounted by
// vfs at /mnt/upload. Files the person drops on the page are added here by the page
// (add); the guest reads, writes, renames and removes them with ordinary syscalls, as
// it would a shared host directory (hosts/node/hostfs-backend.ts is the Node sibling).
//
// The device speaks in nodes and plain names, never paths: a request names a
// directory node and one component, so nothing — not a dropped file's name, not a
// guest's request — can reach outside this tree. A dropped file's name must itself be
// one plain component (no '/', no NUL, not '.' or '..'): anything else is refused with
// the reason, never rewritten into something the person did not name. What the tree
// holds is bounded (`maxBytes`, `maxNodes`): a file too large is refused before it is
// read, and the guest's writes past the bound get ENOSPC.

import { KernelError, Errno } from '../../abi/errno.js';
import type { HostFsBackend } from '../../hw/hostfs-device.js';
import type { Stat } from '../../abi/fs.js';
import { nsecOf } from '../../abi/fs.js';

/** Where the guest sees the share. */
export const UPLOAD_MOUNT = '/mnt/upload';
/** What the tree may hold in all (uploads and the guest's own writes): it lives in the page's memory. */
export const UPLOAD_MAX_BYTES = 64 << 20;
const NAME_MAX = 255;
/** Files and directories the share holds at most (empty ones cost the page memory too). */
export const UPLOAD_MAX_NODES = 65536;
const S_IFDIR = 0o040000, S_IFREG = 0o100000;

interface MemNode {
  readonly ino: number;
  readonly dir: boolean;
  mode: number;
  data: Uint8Array;
  size: number;
  readonly children: Map<string, MemNode> | undefined;
  parent: MemNode | undefined;
  atimeNs: number;
  mtimeNs: number;
  ctimeNs: number;
}

const nowNs = (): number => Date.now() * 1e6;
const enc = new TextEncoder();

/** Why `name` cannot name a file in the share, or undefined when it can (one plain component). */
export function badName(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  if (name === '.' || name === '..') return `'${name}' is not a file name`;
  if (name.includes('/')) return 'a name with a \'/\' (only a plain file name lands in the share)';
  if (name.includes('\0')) return 'a name with a NUL byte';
  if (enc.encode(name).length > NAME_MAX) return `a name longer than ${NAME_MAX} bytes`;
  return undefined;
}

export class UploadShare {
  private readonly nodes = new Map<number, MemNode>();
  private readonly root: MemNode;
  private nextIno = 2;
  private used = 0;

  constructor(readonly maxBytes = UPLOAD_MAX_BYTES, readonly maxNodes = UPLOAD_MAX_NODES) {
    this.root = this.make(true, 0o777, undefined);
  }

  /** Bytes the share holds now. */
  get bytes(): number { return this.used; }

  /** The names in the share's top directory (what the page lists). */
  names(): string[] { return [...this.root.children!.keys()].sort(); }

  /** Why a file `name` of `size` bytes cannot be added, or undefined when it can (checked before the file is read). */
  refusal(name: string, size: number): string | undefined {
    const bad = badName(name);
    if (bad !== undefined) return `${bad}`;
    const old = this.root.children!.get(name);
    if (old?.dir === true) return 'a directory of that name is in the share';
    if (old === undefined && this.nodes.size >= this.maxNodes) return `the share holds at most ${this.maxNodes} files`;
    const room = this.maxBytes - this.used + (old?.size ?? 0);
    if (size > room) return `too large (${size} bytes; the share holds at most ${this.maxBytes >> 20} MiB in all, ${Math.max(0, room)} bytes free)`;
    return undefined;
  }

  /** Puts `data` in the share's top directory as `name` (replacing a file of that name); throws with the reason when refused. */
  add(name: string, data: Uint8Array): void {
    const why = this.refusal(name, data.length);
    if (why !== undefined) throw new Error(why);
    let n = this.root.children!.get(name);
    if (n === undefined) { n = this.make(false, 0o644, this.root); this.root.children!.set(name, n); }
    this.resize(n, 0);
    this.resize(n, data.length);
    n.data.set(data);
    n.mtimeNs = n.ctimeNs = nowNs();
  }

  /** The device back end: one request on one node (see the file's opening comment). */
  readonly backend: HostFsBackend = (op, mount, a) => {
    if (mount !== 0) throw new KernelError(Errno.ENODEV);
    switch (op) {
      case 'attach': return this.stat(this.root);
      case 'lookup': {
        const n = this.dir(a.node).children!.get(this.name(a.name));
        if (n === undefined) throw new KernelError(Errno.ENOENT);
        return this.stat(n);
      }
      case 'getattr': return this.stat(this.node(a.node));
      case 'open': case 'release': case 'fsync': this.node(a.node); return null;
      case 'readdir': return [...this.dir(a.node).children!].map(([name, n]) => ({ name, ino: n.ino, type: n.dir ? 4 : 8 }));
      case 'read': {
        const n = this.file(a.node);
        const offset = this.count(a.offset), length = Math.min(this.count(a.length), 1 << 20);
        n.atimeNs = nowNs();
        return n.data.slice(Math.min(offset, n.size), Math.min(n.size, offset + length));
      }
      case 'write': {
        const n = this.file(a.node);
        if (!(a.data instanceof Uint8Array)) throw new KernelError(Errno.EINVAL);
        const offset = this.count(a.offset);
        if (offset + a.data.length > n.size) this.resize(n, offset + a.data.length);
        n.data.set(a.data, offset);
        n.mtimeNs = n.ctimeNs = nowNs();
        return a.data.length;
      }
      case 'truncate': { const n = this.file(a.node); this.resize(n, this.count(a.size)); n.mtimeNs = n.ctimeNs = nowNs(); return null; }
      case 'chmod': { const n = this.node(a.node); n.mode = Number(a.mode) & 0o7777; n.ctimeNs = nowNs(); return null; }
      case 'utimes': { const n = this.node(a.node); n.atimeNs = Number(a.atimeNs); n.mtimeNs = Number(a.mtimeNs); n.ctimeNs = nowNs(); return null; }
      case 'create': case 'mkdir': {
        const dir = this.dir(a.node), name = this.name(a.name);
        if (dir.children!.has(name)) throw new KernelError(Errno.EEXIST);
        const n = this.make(op === 'mkdir', Number(a.mode) & 0o7777, dir);
        dir.children!.set(name, n);
        dir.mtimeNs = dir.ctimeNs = nowNs();
        return this.stat(n);
      }
      case 'unlink': case 'rmdir': {
        const dir = this.dir(a.node), name = this.name(a.name);
        const n = dir.children!.get(name);
        if (n === undefined) throw new KernelError(Errno.ENOENT);
        if (op === 'unlink' && n.dir) throw new KernelError(Errno.EISDIR);
        if (op === 'rmdir' && !n.dir) throw new KernelError(Errno.ENOTDIR);
        if (n.dir && n.children!.size > 0) throw new KernelError(Errno.ENOTEMPTY);
        dir.children!.delete(name);
        this.drop(n);
        dir.mtimeNs = dir.ctimeNs = nowNs();
        return null;
      }
      case 'rename': return this.rename(this.dir(a.node), this.name(a.name), this.dir(a.to), this.name(a.toName));
      case 'readlink': this.node(a.node); throw new KernelError(Errno.EINVAL);
      case 'symlink': throw new KernelError(Errno.ENOTSUP, 'the upload share holds files and directories only');
      case 'link': throw new KernelError(Errno.EPERM, 'the upload share holds no hard links');
      case 'statfs': return { blockSize: 4096, blocks: Math.floor(this.maxBytes / 4096), freeBlocks: Math.floor((this.maxBytes - this.used) / 4096), inodes: this.maxNodes, freeInodes: this.maxNodes - this.nodes.size, fsType: 'hostfs' };
      default: throw new KernelError(Errno.ENOSYS, `upload share: no operation ${op}`);
    }
  };

  private rename(from: MemNode, name: string, to: MemNode, toName: string): null {
    const n = from.children!.get(name);
    if (n === undefined) throw new KernelError(Errno.ENOENT);
    // A directory cannot move beneath itself.
    for (let d: MemNode | undefined = to; d !== undefined; d = d.parent) if (d === n) throw new KernelError(Errno.EINVAL);
    const old = to.children!.get(toName);
    if (old === n) return null;
    if (old !== undefined) {
      if (old.dir && !n.dir) throw new KernelError(Errno.EISDIR);
      if (!old.dir && n.dir) throw new KernelError(Errno.ENOTDIR);
      if (old.dir && old.children!.size > 0) throw new KernelError(Errno.ENOTEMPTY);
      this.drop(old);
    }
    from.children!.delete(name);
    to.children!.set(toName, n);
    n.parent = to;
    from.mtimeNs = to.mtimeNs = n.ctimeNs = nowNs();
    return null;
  }

  private make(dir: boolean, mode: number, parent: MemNode | undefined): MemNode {
    if (this.nodes.size >= this.maxNodes) throw new KernelError(Errno.ENOSPC, 'the upload share holds no more files');
    const t = nowNs();
    const n: MemNode = { ino: this.nextIno++, dir, mode, data: new Uint8Array(0), size: 0, children: dir ? new Map() : undefined, parent, atimeNs: t, mtimeNs: t, ctimeNs: t };
    this.nodes.set(n.ino, n);
    return n;
  }

  private drop(n: MemNode): void {
    this.used -= n.size;
    this.nodes.delete(n.ino);
  }

  // Caller must have checked n is a file. Grows by doubling (writes append in 256 KiB pieces), within the share's bound.
  private resize(n: MemNode, size: number): void {
    if (size > n.size && this.used + (size - n.size) > this.maxBytes) throw new KernelError(Errno.ENOSPC, 'the upload share is full');
    if (size > n.data.length) {
      const grown = new Uint8Array(Math.min(Math.max(size, n.data.length * 2), Math.max(size, this.maxBytes)));
      grown.set(n.data.subarray(0, n.size));
      n.data = grown;
    } else if (size < n.size) n.data.fill(0, size, n.size);
    this.used += size - n.size;
    n.size = size;
  }

  private node(key: unknown): MemNode {
    const n = typeof key === 'number' ? this.nodes.get(key) : undefined;
    if (n === undefined) throw new KernelError(Errno.ESTALE, 'upload share: no such node');
    return n;
  }

  private dir(key: unknown): MemNode {
    const n = this.node(key);
    if (!n.dir) throw new KernelError(Errno.ENOTDIR);
    return n;
  }

  private file(key: unknown): MemNode {
    const n = this.node(key);
    if (n.dir) throw new KernelError(Errno.EISDIR);
    return n;
  }

  private name(name: unknown): string {
    if (typeof name !== 'string' || badName(name) !== undefined) throw new KernelError(Errno.EINVAL, 'upload share: not a plain name');
    return name;
  }

  private count(x: unknown): number {
    const n = Number(x);
    if (!Number.isSafeInteger(n) || n < 0) throw new KernelError(Errno.EINVAL);
    return n;
  }

  private stat(n: MemNode): Stat {
    return {
      dev: 0x5550, ino: n.ino, mode: (n.dir ? S_IFDIR : S_IFREG) | n.mode, nlink: n.dir ? 2 + [...n.children!.values()].filter((c) => c.dir).length : 1,
      uid: 0, gid: 0, rdev: 0, size: n.dir ? 4096 : n.size, blksize: 4096, blocks: Math.ceil(n.size / 512),
      atimeNs: n.atimeNs, mtimeNs: n.mtimeNs, ctimeNs: n.ctimeNs,
      atimeNsec: nsecOf(n.atimeNs), mtimeNsec: nsecOf(n.mtimeNs), ctimeNsec: nsecOf(n.ctimeNs),
    };
  }
}

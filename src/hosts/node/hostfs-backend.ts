// The host side of the hostfs device: path operations on the shared host
// directories with Node's fs. Every path is resolved inside its share's root, and a
// path (or a symlink on the way) that would leave it is refused with EACCES.

import fs from 'node:fs';
import path from 'node:path';
import { KernelError, Errno } from '../../abi/errno.js';
import type { HostFsBackend } from '../../hw/hostfs-device.js';
import type { Stat } from '../../abi/fs.js';

export interface Share { host: string; guest: string; readOnly: boolean }

const WRITES = new Set(['write', 'create', 'mkdir', 'symlink', 'link', 'unlink', 'rmdir', 'rename', 'truncate', 'chmod', 'utimes']);

function errnoOf(e: unknown): KernelError {
  const code = (e as NodeJS.ErrnoException).code;
  const n = code !== undefined ? (Errno as Record<string, number>)[code] : undefined;
  return new KernelError(n ?? Errno.EIO, e instanceof Error ? e.message : String(e));
}

function toStat(st: fs.BigIntStats): Stat {
  return {
    dev: Number(st.dev), ino: Number(st.ino & 0xffffffffn), mode: Number(st.mode), nlink: Number(st.nlink), uid: Number(st.uid), gid: Number(st.gid),
    rdev: Number(st.rdev), size: Number(st.size), blksize: Number(st.blksize), blocks: Number(st.blocks),
    atimeNs: Number(st.atimeNs), mtimeNs: Number(st.mtimeNs), ctimeNs: Number(st.ctimeNs),
  };
}

export function hostFsBackend(shares: Share[]): HostFsBackend {
  const roots = shares.map((s) => fs.realpathSync(s.host));
  const inside = (root: string, p: string): boolean => p === root || p.startsWith(root + path.sep);

  function resolve(mount: number, rel: unknown): string {
    const root = roots[mount];
    if (root === undefined) throw new KernelError(Errno.ENODEV, `no share ${mount}`);
    if (typeof rel !== 'string' || rel.includes('\0')) throw new KernelError(Errno.EINVAL);
    const p = path.resolve(root, '.' + path.posix.normalize('/' + rel));
    if (!inside(root, p)) throw new KernelError(Errno.EACCES, 'path leaves the share');
    if (p === root) return root;
    // The parent must resolve inside the share too (a symlinked directory could point out).
    let parent: string;
    try { parent = fs.realpathSync(path.dirname(p)); } catch (e) { throw errnoOf(e); }
    if (!inside(root, parent)) throw new KernelError(Errno.EACCES, 'path leaves the share');
    return path.join(parent, path.basename(p) === '' ? '.' : path.basename(p));
  }

  return (op, mount, a) => {
    const share = shares[mount];
    if (share === undefined) throw new KernelError(Errno.ENODEV);
    if (share.readOnly && WRITES.has(op)) throw new KernelError(Errno.EROFS);
    const p = (): string => resolve(mount, a.path);
    try {
      switch (op) {
        case 'lstat': return toStat(fs.lstatSync(p(), { bigint: true }));
        case 'readdir': return fs.readdirSync(p(), { withFileTypes: true }).map((d) => ({ name: d.name, ino: Number(fs.lstatSync(path.join(d.parentPath ?? p(), d.name), { bigint: true }).ino & 0xffffffffn), type: d.isDirectory() ? 4 : d.isSymbolicLink() ? 10 : d.isFile() ? 8 : 0 }));
        case 'read': {
          const fd = fs.openSync(p(), 'r');
          try {
            const out = new Uint8Array(Math.max(0, Math.min(Number(a.length), 1 << 20)));
            const n = fs.readSync(fd, out, 0, out.length, Number(a.offset));
            return out.subarray(0, n);
          } finally { fs.closeSync(fd); }
        }
        case 'write': {
          const data = a.data;
          if (!(data instanceof Uint8Array)) throw new KernelError(Errno.EINVAL);
          const fd = fs.openSync(p(), 'r+');
          try { return fs.writeSync(fd, data, 0, data.length, Number(a.offset)); } finally { fs.closeSync(fd); }
        }
        case 'create': fs.closeSync(fs.openSync(p(), 'wx', Number(a.mode) & 0o7777)); return null;
        case 'mkdir': fs.mkdirSync(p(), Number(a.mode) & 0o7777); return null;
        case 'symlink': fs.symlinkSync(String(a.target), p()); return null;
        case 'readlink': return fs.readlinkSync(p());
        case 'link': fs.linkSync(resolve(mount, a.target), p()); return null;
        case 'unlink': fs.unlinkSync(p()); return null;
        case 'rmdir': fs.rmdirSync(p()); return null;
        case 'rename': fs.renameSync(p(), resolve(mount, a.to)); return null;
        case 'truncate': fs.truncateSync(p(), Number(a.size)); return null;
        case 'chmod': fs.chmodSync(p(), Number(a.mode) & 0o7777); return null;
        case 'utimes': fs.utimesSync(p(), Number(a.atimeNs) / 1e9, Number(a.mtimeNs) / 1e9); return null;
        case 'fsync': return null;
        case 'statfs': {
          const st = fs.statfsSync(roots[mount]!);
          return { blockSize: st.bsize, blocks: st.blocks, freeBlocks: st.bavail, inodes: st.files, freeInodes: st.ffree, fsType: 'hostfs' };
        }
        default: throw new KernelError(Errno.ENOSYS, `hostfs: no operation ${op}`);
      }
    } catch (e) {
      if (e instanceof KernelError) throw e;
      throw errnoOf(e);
    }
  };
}

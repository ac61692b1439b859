// The proc component: /proc as a read-only filesystem served by a component of its
// own (ProcService in abi/services.ts), placed like any other: in the kernel domain a
// direct call from vfs, in a user domain its own server (`--place proc=user`). It asks
// the kernel for what it shows with one kernel call, `procInfo` (kernel/proc/procinfo.ts),
// and keeps nothing itself: a file's text is made when it is read, from the records of
// that moment, and inode numbers say which file they are (inodes.ts), so a restarted
// server answers the same numbers at once.
//
// Permissions are Linux's, set as modes and owners for vfs to check: /proc/PID and its
// files belong to the process's effective user; /proc/PID/fd is 0500, so another
// user's descriptors cannot be listed; the links under it and /proc/PID/cwd may be read
// only by that user or root. A process that has gone makes its directory ENOENT and a
// file of it that is still open ESRCH, as Linux does.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { ProcService } from '../../abi/services.js';
import type { DirEntry, Stat } from '../../abi/fs.js';
import { DT, S, nsecOf } from '../../abi/fs.js';
import type { ProcFd, ProcProcess, ProcSystem } from '../../abi/procfs.js';
import { Errno, KernelError, isKernelError } from '../../abi/errno.js';
import { FD_BASE, MAX_FD, PER_PROCESS, ROOT_INO, TOP, inoOf, nodeOf, parseNumber, type Node } from './inodes.js';
import * as render from './render.js';

export const manifest: Manifest = {
  name: 'proc',
  description: 'the process filesystem at /proc (read-only; made from the kernel\'s tables when read)',
  uses: ['kernel.procInfo'],
};

/** The largest pid /proc looks up (Linux's pid_max ceiling). */
const PID_MAX = 4194304;
const encoder = new TextEncoder();

export function create(ctx: ComponentContext): ComponentInstance & ProcService {
  const kernel = ctx.kernel;

  const processes = async (): Promise<ProcProcess[]> => (await kernel.procInfo('processes', 0)) as ProcProcess[];
  const system = async (): Promise<ProcSystem> => (await kernel.procInfo('system', 0)) as ProcSystem;
  const fds = async (pid: number): Promise<ProcFd[]> => (await kernel.procInfo('fds', pid)) as ProcFd[];

  // One process, or `errno` when it has gone (ENOENT for a name, ESRCH for an open file).
  async function process(pid: number, errno: number): Promise<ProcProcess> {
    try {
      return (await kernel.procInfo('process', pid)) as ProcProcess;
    } catch (e) {
      if (isKernelError(e) && e.errno === Errno.ESRCH) throw new KernelError(errno, `no process ${pid}`);
      throw e;
    }
  }

  function node(ino: number): Node {
    const n = nodeOf(ino);
    if (n === undefined) throw new KernelError(Errno.ENOENT, `no /proc inode ${ino}`);
    return n;
  }

  // Links into a process (its cwd, its descriptors) are its user's and root's only (Linux: a ptrace check).
  async function mayFollow(asker: number, owner: ProcProcess): Promise<void> {
    if (asker === 0) return;
    const who = await process(asker, Errno.ESRCH);
    if (who.euid !== 0 && who.euid !== owner.euid) throw new KernelError(Errno.EACCES, `/proc/${owner.pid}: not yours`);
  }

  async function attr(n: Node): Promise<Stat> {
    const now = Date.now() * 1e6;
    const base = { dev: 0, ino: inoOf(n), nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 1024, blocks: 0, atimeNs: now, mtimeNs: now, ctimeNs: now, atimeNsec: nsecOf(now), mtimeNsec: nsecOf(now), ctimeNsec: nsecOf(now) };
    switch (n.kind) {
      case 'root': return { ...base, mode: S.IFDIR | 0o555, nlink: 2 };
      case 'top': return { ...base, mode: n.file === 'self' ? S.IFLNK | 0o777 : S.IFREG | 0o444 };
      default: {
        const p = await process(n.pid, Errno.ENOENT);
        const owned = { ...base, uid: p.euid, gid: p.egid };
        if (n.kind === 'pid') return { ...owned, mode: S.IFDIR | 0o555, nlink: 3 };
        if (n.kind === 'fd') {
          if (!(await fds(n.pid)).some((f) => f.fd === n.fd)) throw new KernelError(Errno.ENOENT);
          return { ...owned, mode: S.IFLNK | 0o700 };
        }
        if (n.file === 'fd') return { ...owned, mode: S.IFDIR | 0o500, nlink: 2 };
        if (n.file === 'cwd') return { ...owned, mode: S.IFLNK | 0o777 };
        return { ...owned, mode: S.IFREG | 0o444 };
      }
    }
  }

  async function text(n: Node): Promise<string> {
    if (n.kind === 'top') {
      if (n.file === 'self') throw new KernelError(Errno.EINVAL);
      const s = await system();
      switch (n.file) {
        case 'meminfo': return render.meminfo(s, await processes());
        case 'arenas': return render.arenas(s);
        case 'uptime': return render.uptime(s);
        case 'modules': return render.modules(s);
        case 'mounts': return render.mounts(s);
        case 'version': return render.version(s);
        case 'cpuinfo': return render.cpuinfo(s);
      }
    }
    if (n.kind !== 'process' || n.file === 'fd' || n.file === 'cwd') throw new KernelError(n.kind === 'fd' ? Errno.EINVAL : Errno.EISDIR);
    const p = await process(n.pid, Errno.ESRCH);
    switch (n.file) {
      case 'status': return render.status(p);
      case 'stat': return render.stat(p);
      case 'cmdline': return render.cmdline(p);
      case 'maps': return render.maps(p);
    }
  }

  return {
    root: async () => ROOT_INO,

    async lookup(dir, name) {
      const n = node(dir);
      if (n.kind === 'root') {
        const file = TOP.find((f) => f === name);
        if (file !== undefined) return inoOf({ kind: 'top', file });
        const pid = parseNumber(name, PID_MAX);
        if (pid === undefined || pid === 0) throw new KernelError(Errno.ENOENT);
        await process(pid, Errno.ENOENT);
        return inoOf({ kind: 'pid', pid });
      }
      if (n.kind === 'pid') {
        await process(n.pid, Errno.ENOENT);
        const file = PER_PROCESS.find((f) => f === name);
        if (file === undefined) throw new KernelError(Errno.ENOENT);
        return inoOf({ kind: 'process', pid: n.pid, file });
      }
      if (n.kind === 'process' && n.file === 'fd') {
        const fd = parseNumber(name, MAX_FD - 1);
        if (fd === undefined || !(await fds(n.pid)).some((f) => f.fd === fd)) throw new KernelError(Errno.ENOENT);
        return inoOf({ kind: 'fd', pid: n.pid, fd });
      }
      throw new KernelError(Errno.ENOTDIR);
    },

    getattr: async (ino) => attr(node(ino)),

    async readlink(ino, pid) {
      const n = node(ino);
      if (n.kind === 'top' && n.file === 'self') {
        // Not a process asking (the kernel's own walk): there is no self.
        if (pid <= 0) throw new KernelError(Errno.ENOENT, '/proc/self: no calling process');
        return String(pid);
      }
      if (n.kind === 'fd' || (n.kind === 'process' && n.file === 'cwd')) {
        const p = await process(n.pid, Errno.ENOENT);
        await mayFollow(pid, p);
        if (n.kind === 'process') return p.cwd;
        const fd = (await fds(n.pid)).find((f) => f.fd === n.fd);
        if (fd === undefined) throw new KernelError(Errno.ENOENT);
        return render.fdTarget(fd);
      }
      throw new KernelError(Errno.EINVAL);
    },

    async read(ino, offset, length) {
      const bytes = encoder.encode(await text(node(ino)));
      if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0) throw new KernelError(Errno.EINVAL);
      return bytes.slice(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
    },

    async readdir(dir) {
      const n = node(dir);
      if (n.kind === 'root') {
        const out: DirEntry[] = [{ name: '.', ino: ROOT_INO, type: DT.DIR }, { name: '..', ino: ROOT_INO, type: DT.DIR }];
        for (const file of TOP) out.push({ name: file, ino: inoOf({ kind: 'top', file }), type: file === 'self' ? DT.LNK : DT.REG });
        for (const p of (await processes()).sort((a, b) => a.pid - b.pid)) out.push({ name: String(p.pid), ino: inoOf({ kind: 'pid', pid: p.pid }), type: DT.DIR });
        return out;
      }
      if (n.kind === 'pid') {
        await process(n.pid, Errno.ENOENT);
        return [
          { name: '.', ino: dir, type: DT.DIR }, { name: '..', ino: ROOT_INO, type: DT.DIR },
          ...PER_PROCESS.map((file) => ({ name: file, ino: inoOf({ kind: 'process', pid: n.pid, file }), type: file === 'fd' ? DT.DIR : file === 'cwd' ? DT.LNK : DT.REG })),
        ];
      }
      if (n.kind === 'process' && n.file === 'fd') {
        const list = (await fds(n.pid).catch((e: unknown) => {
          if (isKernelError(e) && e.errno === Errno.ESRCH) throw new KernelError(Errno.ENOENT, `no process ${n.pid}`);
          throw e;
        })).filter((f) => f.fd < MAX_FD);
        return [
          { name: '.', ino: dir, type: DT.DIR }, { name: '..', ino: inoOf({ kind: 'pid', pid: n.pid }), type: DT.DIR },
          ...list.map((f) => ({ name: String(f.fd), ino: inoOf({ kind: 'pid', pid: n.pid }) + FD_BASE + f.fd, type: DT.LNK })),
        ];
      }
      throw new KernelError(Errno.ENOTDIR);
    },

    statfs: async () => ({ blockSize: 1024, blocks: 0, freeBlocks: 0, inodes: 0, freeInodes: 0, fsType: 'proc' }),
  };
}

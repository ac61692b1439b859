// The FileSystem (abi/fs.ts) of one host share, on top of the hostfs driver. The
// device speaks in nodes, not paths (hosts/node/hostfs-backend.ts): an inode number
// the host side holds open, plus one plain name for the calls that work in a
// directory. Inode numbers are the host's.
//
// The host may close a node it does not need (its descriptor cache is bounded) and
// answers ESTALE for it; this adapter then looks it up again from the directory and
// name it last reached it by, and only if that still is the same inode retries the
// call. A node whose name has gone (renamed away, unlinked) stays stale: ENOENT. Open
// files are pinned on the host (open/release) and never go stale.

import type { FileSystem, Stat, SetAttr, StatFs, DirEntry } from '../../abi/fs.js';
import { nsecOf } from '../../abi/fs.js';
import type { HostFsService } from '../../abi/services.js';
import { asIno, type Ino } from '../../abi/ids.js';
import { KernelError, Errno, isKernelError } from '../../abi/errno.js';
import { HOSTFS_MAX_IO } from '../../abi/device.js';

/** Where an inode was last reached (for reviving a stale node). */
interface Origin { readonly parent: Ino; readonly name: string }

/** Origins remembered; older ones are dropped (those inodes then cannot be revived). */
const MAX_ORIGINS = 1 << 16;

export class HostFs implements FileSystem {
  readonly fsType = 'hostfs';
  private readonly origins = new Map<number, Origin>();
  private rootIno: Ino = asIno(0);

  readonly fixedOwner = true;

  private constructor(private readonly driver: HostFsService, private readonly mount: number, readonly readOnly: boolean) {}

  static async mount(driver: HostFsService, mount: number, readOnly: boolean): Promise<HostFs> {
    const fs = new HostFs(driver, mount, readOnly);
    // A fresh start on the host side: nodes a previous vfs left pinned are closed.
    const st = await fs.call<Stat>('attach', {});
    fs.rootIno = asIno(st.ino);
    return fs;
  }

  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    return (await this.driver.request(op, this.mount, args)) as T;
  }

  // Calls `op` on node `ino` (args.node), reviving the node once if the host let it go.
  private async on<T>(ino: Ino, op: string, args: Record<string, unknown> = {}): Promise<T> {
    try {
      return await this.call<T>(op, { ...args, node: ino });
    } catch (e) {
      if (!isKernelError(e) || e.errno !== Errno.ESTALE) throw e;
      await this.revive(ino);
      return this.call<T>(op, { ...args, node: ino });
    }
  }

  private async revive(ino: Ino): Promise<void> {
    const o = this.origins.get(ino);
    if (o === undefined || ino === this.rootIno) throw new KernelError(Errno.ENOENT, 'hostfs: inode no longer reachable');
    const st = await this.on<Stat>(o.parent, 'lookup', { name: o.name });
    if (st.ino !== ino) throw new KernelError(Errno.ENOENT, 'hostfs: inode no longer reachable');
  }

  private reached(dir: Ino, name: string, st: Stat): Ino {
    if (typeof st !== 'object' || st === null || typeof st.ino !== 'number') throw new KernelError(Errno.EIO, 'hostfs: malformed reply');
    this.origins.delete(st.ino);
    this.origins.set(st.ino, { parent: dir, name });
    if (this.origins.size > MAX_ORIGINS) this.origins.delete(this.origins.keys().next().value!);
    return asIno(st.ino);
  }

  root(): Ino { return this.rootIno; }
  async lookup(dir: Ino, name: string): Promise<Ino> { return this.reached(dir, name, await this.on<Stat>(dir, 'lookup', { name })); }
  // Host uids mean nothing in the guest: every host file appears owned by root (uid 0,
  // gid 0) with the host's mode bits, which vfs enforces as for any file.
  async getattr(ino: Ino): Promise<Stat> { return { ...(await this.on<Stat>(ino, 'getattr')), uid: 0, gid: 0 }; }

  async setattr(ino: Ino, attr: SetAttr): Promise<void> {
    if (attr.uid !== undefined || attr.gid !== undefined) throw new KernelError(Errno.EPERM, 'hostfs: ownership belongs to the host');
    if (attr.mode !== undefined) await this.on(ino, 'chmod', { mode: attr.mode });
    if (attr.size !== undefined) await this.on(ino, 'truncate', { size: attr.size });
    if (attr.atimeNs !== undefined || attr.mtimeNs !== undefined) {
      const st = await this.getattr(ino);
      const [atimeNs, atimeNsec] = attr.atimeNs !== undefined ? [attr.atimeNs, attr.atimeNsec ?? nsecOf(attr.atimeNs)] : [st.atimeNs, st.atimeNsec];
      const [mtimeNs, mtimeNsec] = attr.mtimeNs !== undefined ? [attr.mtimeNs, attr.mtimeNsec ?? nsecOf(attr.mtimeNs)] : [st.mtimeNs, st.mtimeNsec];
      await this.on(ino, 'utimes', { atimeNs, atimeNsec, mtimeNs, mtimeNsec });
    }
  }

  async create(dir: Ino, name: string, mode: number): Promise<Ino> {
    if ((mode & 0o170000) !== 0 && (mode & 0o170000) !== 0o100000) throw new KernelError(Errno.EPERM, 'hostfs: only regular files');
    return this.reached(dir, name, await this.on<Stat>(dir, 'create', { name, mode }));
  }

  async mkdir(dir: Ino, name: string, mode: number): Promise<Ino> {
    return this.reached(dir, name, await this.on<Stat>(dir, 'mkdir', { name, mode }));
  }

  async symlink(dir: Ino, name: string, target: string): Promise<Ino> {
    return this.reached(dir, name, await this.on<Stat>(dir, 'symlink', { name, target }));
  }

  async readlink(ino: Ino): Promise<string> { return String(await this.on(ino, 'readlink')); }

  async link(dir: Ino, name: string, target: Ino): Promise<void> {
    // The directory may be stale as well as the target: revive it first.
    await this.getattr(dir);
    await this.on(target, 'link', { dir, name });
  }

  async unlink(dir: Ino, name: string): Promise<void> { await this.on(dir, 'unlink', { name }); }
  async rmdir(dir: Ino, name: string): Promise<void> { await this.on(dir, 'rmdir', { name }); }

  async rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string): Promise<void> {
    await this.getattr(dstDir);
    await this.on(srcDir, 'rename', { name: srcName, to: dstDir, toName: dstName });
    for (const [ino, o] of this.origins) {
      if (o.parent === srcDir && o.name === srcName) this.origins.set(ino, { parent: dstDir, name: dstName });
      else if (o.parent === dstDir && o.name === dstName) this.origins.delete(ino);
    }
  }

  async read(ino: Ino, offset: number, length: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < length) {
      const part = await this.on<Uint8Array>(ino, 'read', { offset: offset + total, length: Math.min(HOSTFS_MAX_IO, length - total) });
      if (!(part instanceof Uint8Array)) throw new KernelError(Errno.EIO);
      if (part.length === 0) break;
      parts.push(part);
      total += part.length;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(total);
    let pos = 0;
    for (const p of parts) { out.set(p, pos); pos += p.length; }
    return out;
  }

  async write(ino: Ino, offset: number, data: Uint8Array): Promise<number> {
    let done = 0;
    while (done < data.length) {
      const n = await this.on<number>(ino, 'write', { offset: offset + done, data: data.subarray(done, done + HOSTFS_MAX_IO) });
      if (typeof n !== 'number' || n <= 0) throw new KernelError(Errno.EIO);
      done += n;
    }
    return done;
  }

  async readdir(dir: Ino): Promise<DirEntry[]> {
    const entries = await this.on<DirEntry[]>(dir, 'readdir');
    const parent = dir === this.rootIno ? dir : this.origins.get(dir)?.parent ?? dir;
    return [{ name: '.', ino: dir, type: 4 }, { name: '..', ino: parent, type: 4 }, ...entries];
  }

  async open(ino: Ino): Promise<void> { await this.on(ino, 'open'); }
  async release(ino: Ino): Promise<void> { await this.call('release', { node: ino }).catch(() => undefined); }
  async fsync(ino: Ino): Promise<void> { await this.on(ino, 'fsync'); }
  async sync(): Promise<void> {}
  async statfs(): Promise<StatFs> { return this.call<StatFs>('statfs', {}); }
  async unmount(): Promise<void> {
    this.origins.clear();
    await this.call('attach', {}).catch(() => undefined);
  }
}

// The FileSystem (abi/fs.ts) of one host share, on top of the hostfs driver. Inode
// numbers are the host's; the adapter remembers the path it last reached each inode
// by (and moves those paths along on rename), since the device speaks in paths.

import type { FileSystem, Stat, SetAttr, StatFs, DirEntry } from '../../abi/fs.js';
import type { HostFsService } from '../../abi/services.js';
import { asIno, type Ino } from '../../abi/ids.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { HOSTFS_MAX_IO } from '../../abi/device.js';

export class HostFs implements FileSystem {
  readonly fsType = 'hostfs';
  private readonly paths = new Map<number, string>();
  private rootIno: Ino = asIno(0);

  readonly fixedOwner = true;

  private constructor(private readonly driver: HostFsService, private readonly mount: number, readonly readOnly: boolean) {}

  static async mount(driver: HostFsService, mount: number, readOnly: boolean): Promise<HostFs> {
    const fs = new HostFs(driver, mount, readOnly);
    const st = await fs.call<Stat>('lstat', { path: '/' });
    fs.rootIno = asIno(st.ino);
    fs.paths.set(st.ino, '/');
    return fs;
  }

  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    return (await this.driver.request(op, this.mount, args)) as T;
  }

  private pathOf(ino: Ino): string {
    const p = this.paths.get(ino);
    if (p === undefined) throw new KernelError(Errno.ENOENT, "hostfs: inode no longer reachable");
    return p;
  }

  private child(dir: Ino, name: string): string {
    const base = this.pathOf(dir);
    return base === '/' ? `/${name}` : `${base}/${name}`;
  }

  private async reach(path: string): Promise<Ino> {
    const st = await this.call<Stat>('lstat', { path });
    this.paths.set(st.ino, path);
    return asIno(st.ino);
  }

  root(): Ino { return this.rootIno; }
  lookup(dir: Ino, name: string): Promise<Ino> { return this.reach(this.child(dir, name)); }
  // Host uids mean nothing in the guest: every host file appears owned by root (uid 0,
  // gid 0) with the host's mode bits, which vfs enforces as for any file.
  async getattr(ino: Ino): Promise<Stat> { return { ...(await this.call<Stat>('lstat', { path: this.pathOf(ino) })), uid: 0, gid: 0 }; }

  async setattr(ino: Ino, attr: SetAttr): Promise<void> {
    const path = this.pathOf(ino);
    if (attr.mode !== undefined) await this.call('chmod', { path, mode: attr.mode });
    if (attr.size !== undefined) await this.call('truncate', { path, size: attr.size });
    if (attr.atimeNs !== undefined || attr.mtimeNs !== undefined) {
      const st = await this.getattr(ino);
      await this.call('utimes', { path, atimeNs: attr.atimeNs ?? st.atimeNs, mtimeNs: attr.mtimeNs ?? st.mtimeNs });
    }
    if (attr.uid !== undefined || attr.gid !== undefined) throw new KernelError(Errno.EPERM, 'hostfs: ownership belongs to the host');
  }

  async create(dir: Ino, name: string, mode: number): Promise<Ino> {
    if ((mode & 0o170000) !== 0 && (mode & 0o170000) !== 0o100000) throw new KernelError(Errno.EPERM, 'hostfs: only regular files');
    const path = this.child(dir, name);
    await this.call('create', { path, mode });
    return this.reach(path);
  }

  async mkdir(dir: Ino, name: string, mode: number): Promise<Ino> {
    const path = this.child(dir, name);
    await this.call('mkdir', { path, mode });
    return this.reach(path);
  }

  async symlink(dir: Ino, name: string, target: string): Promise<Ino> {
    const path = this.child(dir, name);
    await this.call('symlink', { path, target });
    return this.reach(path);
  }

  async readlink(ino: Ino): Promise<string> { return String(await this.call('readlink', { path: this.pathOf(ino) })); }
  async link(dir: Ino, name: string, target: Ino): Promise<void> { await this.call('link', { path: this.child(dir, name), target: this.pathOf(target) }); }
  async unlink(dir: Ino, name: string): Promise<void> { await this.call('unlink', { path: this.child(dir, name) }); }
  async rmdir(dir: Ino, name: string): Promise<void> { await this.call('rmdir', { path: this.child(dir, name) }); }

  async rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string): Promise<void> {
    const from = this.child(srcDir, srcName), to = this.child(dstDir, dstName);
    await this.call('rename', { path: from, to });
    for (const [ino, p] of this.paths) {
      if (p === from) this.paths.set(ino, to);
      else if (p.startsWith(from + '/')) this.paths.set(ino, to + p.slice(from.length));
    }
  }

  async read(ino: Ino, offset: number, length: number): Promise<Uint8Array> {
    const path = this.pathOf(ino);
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < length) {
      const part = await this.call<Uint8Array>('read', { path, offset: offset + total, length: Math.min(HOSTFS_MAX_IO, length - total) });
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
    const path = this.pathOf(ino);
    let done = 0;
    while (done < data.length) {
      const n = await this.call<number>('write', { path, offset: offset + done, data: data.subarray(done, done + HOSTFS_MAX_IO) });
      if (typeof n !== 'number' || n <= 0) throw new KernelError(Errno.EIO);
      done += n;
    }
    return done;
  }

  async readdir(dir: Ino): Promise<DirEntry[]> {
    const path = this.pathOf(dir);
    const entries = await this.call<DirEntry[]>('readdir', { path });
    const parent = path === '/' ? dir : await this.reach(path.slice(0, path.lastIndexOf('/')) || '/');
    for (const e of entries) this.paths.set(e.ino, path === '/' ? `/${e.name}` : `${path}/${e.name}`);
    return [{ name: '.', ino: dir, type: 4 }, { name: '..', ino: parent, type: 4 }, ...entries];
  }

  async open(): Promise<void> {}
  async release(): Promise<void> {}
  async fsync(): Promise<void> {}
  async sync(): Promise<void> {}
  async statfs(): Promise<StatFs> { return this.call<StatFs>('statfs', { path: '/' }); }
  async unmount(): Promise<void> { this.paths.clear(); }
}

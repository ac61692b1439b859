// The FileSystem (abi/fs.ts) of a filesystem that runs as a component of its own —
// ext2 (Ext2Service in abi/services.ts) — as vfs sees it: every method forwards to the
// peer by inode number, so the mount table, the path walk and the open files treat it
// exactly as a filesystem vfs holds itself. Where the peer runs is the kernel's
// business: a direct call when both sit in the kernel domain, a channel otherwise.
//
// Restarts. Every call carries the session `attach` gave; a restarted ext2 answers an
// older session with ESTALE before doing anything. The adapter then attaches again
// (once, whoever noticed first), bumps `epoch`, and:
//   - an idempotent call (lookup, getattr, read, readdir, ...) is sent again: the
//     replay the supervisor gives the calls in flight at a crash, for calls that met
//     the new server with the old session;
//   - any other call fails with EIO (it was not done), as the calls in flight at the
//     crash that are not idempotent do; so do fsync and sync, which are idempotent but
//     would otherwise report as durable what died with the old server's cache.
// What the dead server had not written back is gone, as after a power cut; vfs fails
// the files opened before the restart with EIO (their handles carry the epoch they
// were opened in, handles.ts), so a write never lands in an inode number that now
// names another file. New opens work on the re-mounted image.

import type { DirEntry, FileSystem, SetAttr, Stat, StatFs } from '../../abi/fs.js';
import type { Grant } from '../../abi/grant.js';
import type { Ext2Service } from '../../abi/services.js';
import { asIno, type Ino } from '../../abi/ids.js';
import { Errno, KernelError, isKernelError } from '../../abi/errno.js';

export class RemoteFs implements FileSystem {
  readOnly: boolean;
  epoch = 0;
  private session: number;
  private readonly rootIno: Ino;
  private reattaching: Promise<void> | undefined;
  private detached = false;

  private constructor(private readonly peer: Ext2Service, readonly fsType: string, private readonly log: (m: string) => void, a: { session: number; root: number; readOnly: boolean }, lends: boolean) {
    this.session = a.session;
    this.rootIno = asIno(a.root);
    this.readOnly = a.readOnly;
    // A vfs in the kernel domain passes the process's grant on, and the filesystem
    // copies from its cache straight into the process's memory; elsewhere vfs may not
    // lend, and read() brings the bytes to vfs, which copies them on.
    if (lends) this.readInto = (ino, offset, dst) => this.call(true, (s) => this.peer.readInto(s, ino, offset, dst));
  }

  /** Mounts: starts a session with the filesystem component `peer`; `lends`: vfs may pass grants on (ComponentContext.lends). */
  static async attach(peer: Ext2Service, fsType: string, log: (m: string) => void, lends = false): Promise<RemoteFs> {
    return new RemoteFs(peer, fsType, log, await peer.attach(), lends);
  }

  // A new session after the server answered ESTALE to session `stale` (unless another
  // call attached again already).
  private async reattach(stale: number): Promise<void> {
    if (this.session !== stale) return;
    this.reattaching ??= (async () => {
      try {
        const a = await this.peer.attach();
        this.session = a.session;
        this.readOnly = a.readOnly;
        this.epoch++;
        this.log(`${this.fsType}: the server restarted; attached again (files opened before fail with EIO)`);
      } finally {
        this.reattaching = undefined;
      }
    })();
    await this.reattaching;
  }

  private async call<T>(idempotent: boolean, fn: (session: number) => Promise<T>): Promise<T> {
    if (this.detached) throw new KernelError(Errno.EIO, `${this.fsType}: unmounted`);
    const s = this.session;
    try {
      return await fn(s);
    } catch (e) {
      if (!isKernelError(e) || e.errno !== Errno.ESTALE) throw e;
      await this.reattach(s);
      if (!idempotent) throw new KernelError(Errno.EIO, `${this.fsType}: the server restarted; the call was not done`);
    }
    try {
      return await fn(this.session);
    } catch (e) {
      // Restarted again at once: an errno the caller knows.
      if (isKernelError(e) && e.errno === Errno.ESTALE) throw new KernelError(Errno.EIO, `${this.fsType}: the server keeps restarting`);
      throw e;
    }
  }

  root(): Ino { return this.rootIno; }
  lookup(dir: Ino, name: string): Promise<Ino> { return this.call(true, async (s) => asIno(await this.peer.lookup(s, dir, name))); }
  getattr(ino: Ino): Promise<Stat> { return this.call(true, (s) => this.peer.getattr(s, ino)); }
  setattr(ino: Ino, attr: SetAttr): Promise<void> { return this.call(false, (s) => this.peer.setattr(s, ino, attr)); }
  create(dir: Ino, name: string, mode: number, rdev = 0): Promise<Ino> { return this.call(false, async (s) => asIno(await this.peer.create(s, dir, name, mode, rdev))); }
  mkdir(dir: Ino, name: string, mode: number): Promise<Ino> { return this.call(false, async (s) => asIno(await this.peer.mkdir(s, dir, name, mode))); }
  symlink(dir: Ino, name: string, target: string): Promise<Ino> { return this.call(false, async (s) => asIno(await this.peer.symlink(s, dir, name, target))); }
  readlink(ino: Ino): Promise<string> { return this.call(true, (s) => this.peer.readlink(s, ino)); }
  link(dir: Ino, name: string, target: Ino): Promise<void> { return this.call(false, (s) => this.peer.link(s, dir, name, target)); }
  unlink(dir: Ino, name: string): Promise<void> { return this.call(false, (s) => this.peer.unlink(s, dir, name)); }
  rmdir(dir: Ino, name: string): Promise<void> { return this.call(false, (s) => this.peer.rmdir(s, dir, name)); }
  rename(srcDir: Ino, srcName: string, dstDir: Ino, dstName: string): Promise<void> { return this.call(false, (s) => this.peer.rename(s, srcDir, srcName, dstDir, dstName)); }
  read(ino: Ino, offset: number, length: number): Promise<Uint8Array> { return this.call(true, (s) => this.peer.read(s, ino, offset, length)); }
  readInto?: (ino: Ino, offset: number, dst: Grant) => Promise<number>;
  write(ino: Ino, offset: number, data: Uint8Array): Promise<number> { return this.call(false, (s) => this.peer.write(s, ino, offset, data)); }
  readdir(dir: Ino): Promise<DirEntry[]> { return this.call(true, (s) => this.peer.readdir(s, dir)); }
  open(ino: Ino): Promise<void> { return this.call(false, (s) => this.peer.open(s, ino)); }

  async release(ino: Ino): Promise<void> {
    const s = this.session;
    try {
      await this.peer.release(s, ino);
    } catch (e) {
      // The server that held the pin is gone, and with it the pin.
      if (!isKernelError(e) || e.errno !== Errno.ESTALE) throw e;
      await this.reattach(s);
    }
  }

  // Not sent again after a restart, though repeating them is harmless: what they were to
  // make durable may have died with the old server, and success would say it is on disk.
  fsync(ino: Ino, dataOnly = false): Promise<void> { return this.call(false, (s) => this.peer.fsync(s, ino, dataOnly)); }
  sync(): Promise<void> { return this.call(false, (s) => this.peer.sync(s)); }
  statfs(): Promise<StatFs> { return this.call(true, (s) => this.peer.statfs(s)); }

  async unmount(): Promise<void> {
    await this.call(true, (s) => this.peer.detach(s));
    this.detached = true;
  }
}

// The FileSystem (abi/fs.ts) of /proc as vfs sees it: every method forwards to the
// proc component (ProcService in abi/services.ts, services/procfs/) by inode number.
// /proc is read-only: the mount says so (vfs refuses writes with EROFS before asking),
// and the methods that would change it answer EROFS here too. The proc server keeps no
// state, so a restart loses nothing: its inode numbers name the same files, calls in
// flight are replayed (every method is idempotent) and open files go on working.

import type { DirEntry, FileSystem, Stat, StatFs } from '../../abi/fs.js';
import type { ProcService } from '../../abi/services.js';
import type { FsCred } from '../../abi/cred.js';
import { asIno, type Ino } from '../../abi/ids.js';
import { Errno, KernelError } from '../../abi/errno.js';

const readOnly = (): Promise<never> => Promise.reject(new KernelError(Errno.EROFS, '/proc is read-only'));

export class ProcFs implements FileSystem {
  readonly fsType = 'proc';
  readonly readOnly = true;

  private constructor(private readonly peer: ProcService, private readonly rootIno: Ino) {}

  /** Mounts: asks the proc component for its root. */
  static async attach(peer: ProcService): Promise<ProcFs> {
    return new ProcFs(peer, asIno(await peer.root()));
  }

  root(): Ino { return this.rootIno; }
  async lookup(dir: Ino, name: string): Promise<Ino> { return asIno(await this.peer.lookup(dir, name)); }
  getattr(ino: Ino): Promise<Stat> { return this.peer.getattr(ino); }
  /** `cred.pid` is the asking process: the target of /proc/self. */
  readlink(ino: Ino, cred?: FsCred): Promise<string> { return this.peer.readlink(ino, cred?.pid ?? 0); }
  read(ino: Ino, offset: number, length: number): Promise<Uint8Array> { return this.peer.read(ino, offset, length); }
  readdir(dir: Ino): Promise<DirEntry[]> { return this.peer.readdir(dir); }
  statfs(): Promise<StatFs> { return this.peer.statfs(); }
  // Nothing is pinned: a file whose process has gone answers ESRCH when read.
  async open(): Promise<void> {}
  async release(): Promise<void> {}
  async fsync(): Promise<void> {}
  async sync(): Promise<void> {}
  async unmount(): Promise<void> {}
  setattr = readOnly;
  create = readOnly;
  mkdir = readOnly;
  symlink = readOnly;
  link = readOnly;
  unlink = readOnly;
  rmdir = readOnly;
  rename = readOnly;
  write = readOnly;
}

// A test double of kernelkit's syscall trap: a tiny kernel over node:fs whose '/' is a
// host directory, so real .wasm files run through runWasm in-process before (and
// independently of) the real kernel. It follows the calling convention of
// abi/syscalls.ts (number + float64 args, buffers as (ptr, len) in user memory,
// result >= 0 or -errno) and returns Linux errnos straight from the host.
// stdin is a byte string; stdout and stderr are collected.

import fs from 'node:fs';
import path from 'node:path';
import { randomFillSync } from 'node:crypto';
import { SYS, DIRENT_HEADER, POLL, F } from '../../src/abi/syscalls.js';
import { STAT_FIELDS, O, S, DT, AT } from '../../src/abi/fs.js';
import { installTrap } from '../../src/user/libc/trap.js';
import { wasmCapability } from '../../src/user/wasi/capability.js';

type Open =
  | { kind: 'stdin' }
  | { kind: 'out'; chunks: Buffer[] }
  | { kind: 'file'; hostFd: number; hostPath: string; pos: number; flags: number; listing?: { name: string; ino: number; type: number }[] };

const EBADF = 9, EINVAL = 22, ENOTDIR = 20, EXDEV = 18, ENOTTY = 25, ESPIPE = 29, ENOSYS = 38, ENOENT = 2, ERANGE = 34;
const NS = 1_000_000_000n;

class ExitCalled extends Error {
  constructor(readonly status: number) { super(`exit(${status})`); }
}

function dtOf(mode: number): number {
  switch (mode & S.IFMT) {
    case S.IFREG: return DT.REG;
    case S.IFDIR: return DT.DIR;
    case S.IFLNK: return DT.LNK;
    case S.IFCHR: return DT.CHR;
    case S.IFBLK: return DT.BLK;
    case S.IFIFO: return DT.FIFO;
    default: return DT.UNKNOWN;
  }
}

export class FakeKernel {
  readonly memory = new Uint8Array(1 << 20);
  private readonly view = new DataView(this.memory.buffer);
  private readonly fds = new Map<number, Open>();
  private stdinPos = 0;
  readonly stdout: Buffer[] = [];
  readonly stderr: Buffer[] = [];
  cwd = '/';
  /** How many syscalls ran, by name (tests check the layer's call pattern). */
  readonly counts = new Map<string, number>();

  constructor(readonly root: string, private readonly stdin: Uint8Array = new Uint8Array(0)) {
    this.fds.set(0, { kind: 'stdin' });
    this.fds.set(1, { kind: 'out', chunks: this.stdout });
    this.fds.set(2, { kind: 'out', chunks: this.stderr });
  }

  install(): void {
    installTrap((nr, a0, a1, a2, a3, a4, a5) => this.trap(nr, a0, a1, a2, a3, a4, a5), this.memory, { wasm: wasmCapability() });
  }

  stdoutText(): string { return Buffer.concat(this.stdout).toString('utf8'); }
  stderrText(): string { return Buffer.concat(this.stderr).toString('utf8'); }

  /** Kernel fds still open besides 0, 1, 2 (a leak check). */
  openFds(): number[] { return [...this.fds.keys()].filter((fd) => fd > 2); }

  host(p: string): string {
    const abs = path.posix.resolve(this.cwd, p);
    return path.join(this.root, abs);
  }

  private str(ptr: number, len: number): string {
    return Buffer.from(this.memory.subarray(ptr, ptr + len)).toString('utf8');
  }

  // The two times of a utimens-family call in seconds for node:fs (AT.TIMESPEC: `at` points at {s, ns, s, ns}).
  private times(at: number, mt: number, flags: number, cur: fs.BigIntStats): [number, number] {
    const now = Date.now() / 1000;
    const pick = (t: number, old: bigint): number => (t === -1 ? now : t === -2 ? Number(old) / 1e9 : t / 1e9);
    if ((flags & AT.TIMESPEC) === 0) return [pick(at, cur.atimeNs), pick(mt, cur.mtimeNs)];
    const f = (i: number): number => this.view.getFloat64(at + i * 8, true);
    const pick2 = (s: number, ns: number, old: bigint): number => (ns === -1 ? now : ns === -2 ? Number(old) / 1e9 : s + ns / 1e9);
    return [pick2(f(0), f(1), cur.atimeNs), pick2(f(2), f(3), cur.mtimeNs)];
  }

  private putStat(at: number, st: fs.BigIntStats): void {
    const v: Record<string, number> = {
      dev: Number(st.dev), ino: Number(st.ino), mode: Number(st.mode), nlink: Number(st.nlink), uid: Number(st.uid),
      gid: Number(st.gid), rdev: Number(st.rdev), size: Number(st.size), blksize: Number(st.blksize), blocks: Number(st.blocks),
      atimeNs: Number(st.atimeNs), mtimeNs: Number(st.mtimeNs), ctimeNs: Number(st.ctimeNs),
      atimeNsec: Number(st.atimeNs % NS), mtimeNsec: Number(st.mtimeNs % NS), ctimeNsec: Number(st.ctimeNs % NS),
    };
    STAT_FIELDS.forEach((f, i) => this.view.setFloat64(at + i * 8, v[f] as number, true));
  }

  private file(fd: number): Extract<Open, { kind: 'file' }> {
    const f = this.fds.get(fd);
    if (f === undefined || f.kind !== 'file') throw Object.assign(new Error('EBADF'), { errno: -EBADF });
    return f;
  }

  private lowestFree(): number {
    let fd = 0;
    while (this.fds.has(fd)) fd++;
    return fd;
  }

  /** The host directory a dir fd (or AT_FDCWD) stands for: the open directory itself, wherever it moved. */
  private dirOf(dirfd: number): string {
    if (dirfd === AT.FDCWD) return this.host(this.cwd);
    const f = this.file(dirfd);
    if (!fs.fstatSync(f.hostFd).isDirectory()) throw Object.assign(new Error('ENOTDIR'), { errno: ENOTDIR });
    return `/proc/self/fd/${f.hostFd}`;
  }

  /**
   * An *at call's path as a host path. With RESOLVE_BENEATH the walk is done
   * here, component by component (lstat, links expanded), and leaving the directory
   * is EXDEV, as the real kernel answers; the final link is expanded when `follow`.
   */
  private at(dirfd: number, p: string, beneath: boolean, follow: boolean): string {
    if (p.length === 0) throw Object.assign(new Error('ENOENT'), { errno: ENOENT });
    if (!beneath) return p.startsWith('/') ? this.host(p) : `${this.dirOf(dirfd)}/${p}`;
    const exdev = (): never => { throw Object.assign(new Error('EXDEV'), { errno: EXDEV }); };
    if (p.startsWith('/')) exdev();
    const base = this.dirOf(dirfd);
    const join = (parts: string[]): string => (parts.length === 0 ? base : base + '/' + parts.join('/'));
    const trailingSlash = p.endsWith('/');
    const done: string[] = [];
    const todo = p.split('/').filter((c) => c !== '' && c !== '.');
    let links = 0;
    while (todo.length > 0) {
      const name = todo.shift() as string;
      if (name === '..') { if (done.length === 0) exdev(); done.pop(); continue; }
      done.push(name);
      const last = todo.length === 0;
      if (last && !follow && !trailingSlash) break;
      let st: fs.Stats;
      try { st = fs.lstatSync(join(done)); } catch (e) {
        if (last && (e as NodeJS.ErrnoException).code === 'ENOENT') break;
        throw Object.assign(new Error('lstat'), { errno: -((e as { errno?: number }).errno ?? -5) });
      }
      if (st.isSymbolicLink()) {
        if (++links > 40) throw Object.assign(new Error('ELOOP'), { errno: 40 });
        const target = fs.readlinkSync(join(done));
        if (target.startsWith('/')) exdev();
        done.pop();
        todo.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
        continue;
      }
      if (!last && !st.isDirectory()) throw Object.assign(new Error('ENOTDIR'), { errno: ENOTDIR });
    }
    return join(done) + (trailingSlash && done.length > 0 ? '/' : '');
  }

  private openHost(hostPath: string, flags: number, mode: number): number {
    const hostFd = fs.openSync(hostPath, flags & ~(O.CLOEXEC | O.RESOLVE_BENEATH), mode);
    const fd = this.lowestFree();
    // The open file itself, not the name it was opened by (which may be swapped).
    this.fds.set(fd, { kind: 'file', hostFd, hostPath: `/proc/self/fd/${hostFd}`, pos: 0, flags: flags & ~(O.CLOEXEC | O.RESOLVE_BENEATH) });
    return fd;
  }

  trap(nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    const name = Object.entries(SYS).find(([, n]) => n === nr)?.[0] ?? String(nr);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    try {
      return this.dispatch(nr, a0, a1, a2, a3, a4, a5);
    } catch (e) {
      if (e instanceof ExitCalled) throw e;
      const errno = (e as { errno?: number }).errno;
      return typeof errno === 'number' ? (errno < 0 ? errno : -errno) : -5;
    }
  }

  private dispatch(nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    const m = this.memory;
    const beneath = (flags: number): boolean => (flags & AT.RESOLVE_BENEATH) !== 0;
    switch (nr) {
      case SYS.openat: {
        const gp = this.at(a0, this.str(a1, a2), (a3 & O.RESOLVE_BENEATH) !== 0, (a3 & O.NOFOLLOW) === 0);
        return this.openHost(gp, a3, a4);
      }
      case SYS.fstatat: {
        const gp = this.at(a0, this.str(a1, a2), beneath(a4), (a4 & AT.SYMLINK_NOFOLLOW) === 0);
        this.putStat(a3, (a4 & AT.SYMLINK_NOFOLLOW) === 0 ? fs.statSync(gp, { bigint: true }) : fs.lstatSync(gp, { bigint: true }));
        return 0;
      }
      case SYS.mkdirat: fs.mkdirSync(this.at(a0, this.str(a1, a2), beneath(a4), false), { mode: a3 }); return 0;
      case SYS.unlinkat: {
        const p = this.at(a0, this.str(a1, a2), beneath(a3), false);
        if ((a3 & AT.REMOVEDIR) !== 0) { fs.rmdirSync(p); return 0; }
        if (fs.lstatSync(p).isDirectory()) return -21;
        fs.unlinkSync(p);
        return 0;
      }
      case SYS.renameat:
      case SYS.linkat: {
        const from = this.at(a0, this.str(a2, a3), beneath(a5), nr === SYS.linkat && (a5 & AT.SYMLINK_FOLLOW) !== 0);
        const to = this.at(a1, this.str(a2 + a3, a4), beneath(a5), false);
        if (nr === SYS.renameat) fs.renameSync(from, to);
        else fs.linkSync(from, to);
        return 0;
      }
      case SYS.symlinkat: fs.symlinkSync(this.str(a0, a1), this.at(a2, this.str(a3, a4), beneath(a5), false)); return 0;
      case SYS.readlinkat: {
        const target = Buffer.from(fs.readlinkSync(this.at(a0, this.str(a1, a2), beneath(a5), false)));
        const n = Math.min(target.length, a4);
        m.set(target.subarray(0, n), a3);
        return n;
      }
      case SYS.utimensat: {
        const follow = (a5 & AT.SYMLINK_NOFOLLOW) === 0;
        const p = this.at(a0, this.str(a1, a2), beneath(a5), follow);
        const cur = follow ? fs.statSync(p, { bigint: true }) : fs.lstatSync(p, { bigint: true });
        const [a, mm] = this.times(a3, a4, a5, cur);
        if (follow) fs.utimesSync(p, a, mm); else fs.lutimesSync(p, a, mm);
        return 0;
      }
      case SYS.exit: throw new ExitCalled(a0);
      case SYS.getpid: return 42;
      case SYS.open: {
        return this.openHost(this.host(this.str(a0, a1)), a2, a3);
      }
      case SYS.close: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (f.kind === 'file') fs.closeSync(f.hostFd);
        this.fds.delete(a0);
        return 0;
      }
      case SYS.read: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (f.kind === 'stdin') {
          const part = this.stdin.subarray(this.stdinPos, this.stdinPos + a2);
          m.set(part, a1);
          this.stdinPos += part.length;
          return part.length;
        }
        if (f.kind === 'out') return -EBADF;
        if ((f.flags & O.ACCMODE) === O.WRONLY) return -EBADF;
        const n = fs.readSync(f.hostFd, m, a1, a2, f.pos);
        f.pos += n;
        return n;
      }
      case SYS.write: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (f.kind === 'out') { f.chunks.push(Buffer.from(m.subarray(a1, a1 + a2))); return a2; }
        if (f.kind === 'stdin') return -EBADF;
        if ((f.flags & O.ACCMODE) === O.RDONLY) return -EBADF;
        if (f.flags & O.APPEND) f.pos = fs.fstatSync(f.hostFd).size;
        const n = fs.writeSync(f.hostFd, m, a1, a2, f.pos);
        f.pos += n;
        return n;
      }
      case SYS.pread: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (f.kind !== 'file') return -ESPIPE;
        return fs.readSync(f.hostFd, m, a1, a2, a3);
      }
      case SYS.pwrite: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (f.kind !== 'file') return -ESPIPE;
        return fs.writeSync(f.hostFd, m, a1, a2, a3);
      }
      case SYS.lseek: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (f.kind !== 'file') return -ESPIPE;
        const base = a2 === 0 ? 0 : a2 === 1 ? f.pos : a2 === 2 ? fs.fstatSync(f.hostFd).size : NaN;
        if (Number.isNaN(base) || base + a1 < 0) return -EINVAL;
        f.pos = base + a1;
        if (a1 === 0 && a2 === 0) f.listing = undefined;
        return f.pos;
      }
      case SYS.fstat: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (f.kind === 'file') { this.putStat(a1, fs.fstatSync(f.hostFd, { bigint: true })); return 0; }
        const fifo = { dev: 0n, ino: BigInt(a0 + 1), mode: BigInt(S.IFIFO | 0o600), nlink: 1n, uid: 0n, gid: 0n, rdev: 0n, size: 0n, blksize: 4096n, blocks: 0n, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n };
        this.putStat(a1, fifo as unknown as fs.BigIntStats);
        return 0;
      }
      case SYS.stat: this.putStat(a2, fs.statSync(this.host(this.str(a0, a1)), { bigint: true })); return 0;
      case SYS.lstat: this.putStat(a2, fs.lstatSync(this.host(this.str(a0, a1)), { bigint: true })); return 0;
      case SYS.getdents: {
        const f = this.file(a0);
        if (f.listing === undefined) {
          const names = ['.', '..', ...fs.readdirSync(f.hostPath)];
          f.listing = names.map((name) => {
            const st = fs.lstatSync(`${f.hostPath}/${name}`);
            return { name, ino: st.ino, type: dtOf(st.mode) };
          });
          f.pos = 0;
        }
        let out = 0;
        while (f.pos < f.listing.length) {
          const e = f.listing[f.pos] as { name: string; ino: number; type: number };
          const nameBytes = Buffer.from(e.name);
          if (out + DIRENT_HEADER + nameBytes.length > a2) break;
          this.view.setUint32(a1 + out, e.ino >>> 0, true);
          this.view.setUint8(a1 + out + 4, e.type);
          this.view.setUint8(a1 + out + 5, 0);
          this.view.setUint16(a1 + out + 6, nameBytes.length, true);
          m.set(nameBytes, a1 + out + DIRENT_HEADER);
          out += DIRENT_HEADER + nameBytes.length;
          f.pos++;
        }
        return out;
      }
      case SYS.mkdir: fs.mkdirSync(this.host(this.str(a0, a1)), { mode: a2 }); return 0;
      case SYS.rmdir: fs.rmdirSync(this.host(this.str(a0, a1))); return 0;
      case SYS.unlink: {
        const p = this.host(this.str(a0, a1));
        if (fs.lstatSync(p).isDirectory()) return -21;
        fs.unlinkSync(p);
        return 0;
      }
      case SYS.rename: fs.renameSync(this.host(this.str(a0, a1)), this.host(this.str(a2, a3))); return 0;
      case SYS.link: fs.linkSync(this.host(this.str(a0, a1)), this.host(this.str(a2, a3))); return 0;
      case SYS.symlink: fs.symlinkSync(this.str(a0, a1), this.host(this.str(a2, a3))); return 0;
      case SYS.readlink: {
        const target = Buffer.from(fs.readlinkSync(this.host(this.str(a0, a1))));
        const n = Math.min(target.length, a3);
        m.set(target.subarray(0, n), a2);
        return n;
      }
      case SYS.chdir: {
        const p = path.posix.resolve(this.cwd, this.str(a0, a1));
        if (!fs.statSync(path.join(this.root, p)).isDirectory()) return -20;
        this.cwd = p;
        return 0;
      }
      case SYS.getcwd: {
        const b = Buffer.from(this.cwd);
        if (b.length > a1) return -ERANGE;
        m.set(b, a0);
        return b.length;
      }
      case SYS.ftruncate: {
        const f = this.file(a0);
        if ((f.flags & O.ACCMODE) === O.RDONLY) return -EINVAL;
        fs.ftruncateSync(f.hostFd, a1);
        return 0;
      }
      case SYS.fsync: fs.fsyncSync(this.file(a0).hostFd); return 0;
      case SYS.fdatasync: fs.fdatasyncSync(this.file(a0).hostFd); return 0;
      case SYS.utimens:
      case SYS.futimens: {
        const fd = nr === SYS.futimens ? this.file(a0).hostFd : undefined;
        const p = nr === SYS.utimens ? this.host(this.str(a0, a1)) : '';
        const [at, mt] = nr === SYS.utimens ? [a2, a3] : [a1, a2];
        const cur = fd !== undefined ? fs.fstatSync(fd, { bigint: true }) : fs.lstatSync(p, { bigint: true });
        const [a, mm] = this.times(at, mt, nr === SYS.utimens ? a4 : a3, cur);
        if (fd !== undefined) fs.futimesSync(fd, a, mm);
        else if (nr === SYS.utimens && (a4 & 0x100) !== 0) fs.lutimesSync(p, a, mm);
        else fs.utimesSync(p, a, mm);
        return 0;
      }
      case SYS.fcntl: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        if (a1 === F.GETFD) return 0;
        if (a1 === F.SETFD) return 0;
        if (a1 === F.GETFL) return f.kind === 'file' ? f.flags : f.kind === 'stdin' ? O.RDONLY : O.WRONLY;
        if (a1 === F.SETFL) {
          if (f.kind === 'file') f.flags = (f.flags & ~(O.APPEND | O.NONBLOCK)) | (a2 & (O.APPEND | O.NONBLOCK));
          return 0;
        }
        return -EINVAL;
      }
      case SYS.ioctl: return this.fds.has(a0) ? -ENOTTY : -EBADF;
      case SYS.poll: {
        let ready = 0;
        for (let i = 0; i < a1; i++) {
          const at = a0 + i * 12;
          const fd = this.view.getInt32(at, true);
          const events = this.view.getInt32(at + 4, true);
          const f = this.fds.get(fd);
          let rev = 0;
          if (f === undefined) rev = POLL.NVAL;
          else if (f.kind === 'stdin') rev = (events & POLL.IN) | (this.stdinPos >= this.stdin.length ? POLL.HUP : 0);
          else if (f.kind === 'out') rev = events & POLL.OUT;
          else rev = events & (POLL.IN | POLL.OUT);
          this.view.setInt32(at + 8, rev, true);
          if (rev !== 0) ready++;
        }
        if (ready === 0 && a2 > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, a2);
        return ready;
      }
      case SYS.clock_gettime: {
        const t = a0 === 0 ? (performance.timeOrigin + performance.now()) * 1e6 : Number(process.hrtime.bigint());
        this.view.setFloat64(a1, t, true);
        return 0;
      }
      case SYS.nanosleep: Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, a0 / 1e6); return 0;
      case SYS.getrandom: randomFillSync(m.subarray(a0, a0 + a1)); return a1;
      case SYS.sched_yield: return 0;
      case SYS.dup: {
        const f = this.fds.get(a0);
        if (f === undefined) return -EBADF;
        const fd = this.lowestFree();
        this.fds.set(fd, f.kind === 'file' ? { ...f, hostFd: fs.openSync(f.hostPath, f.flags & ~(O.CREAT | O.TRUNC | O.EXCL)) } : f);
        return fd;
      }
      default: return nr >= 0 ? -ENOSYS : -ENOENT;
    }
  }
}

export { ExitCalled };

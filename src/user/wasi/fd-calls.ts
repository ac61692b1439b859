// fd_* calls: reading, writing, seeking and describing open descriptors. Each call
// checks the guest's fd and rights in the table (fd-table.ts), then makes the
// matching kernelkit syscall through libc; kernel errors come back as Linux errnos
// and context.ts's `call` wrapper turns them into WASI errnos.

import {
  read, write, pread, pwrite, lseek, close, fstat, fsync, fdatasync, ftruncate, futimens,
  fcntl, getdents, openat, send, O, F, MSG, SEEK, UTIME_NOW, UTIME_OMIT, type DirEntry, type TimeNs,
} from '../libc/index.js';
import { E, R, FSTFLAGS, FILETYPE, FDFLAGS, PREOPENTYPE_DIR, PREOPENTYPE_SOCKET, SIZE } from './constants.js';
import { call, offset, putFilestat, linuxFdflags, filetypeOfDirent, isErrno, type WasiContext } from './context.js';
import type { FdEntry } from './fd-table.js';
import { WasiError, encode } from './memory.js';
import { isSocket } from './sock-calls.js';

const u = (x: number): number => x >>> 0;

/** Times for futimens/utimens from WASI fstflags: exact ns, UTIME_NOW or UTIME_OMIT. */
export function timesFromFlags(atim: bigint, mtim: bigint, fst: number): [TimeNs, TimeNs] {
  if ((fst & FSTFLAGS.ATIM && fst & FSTFLAGS.ATIM_NOW) || (fst & FSTFLAGS.MTIM && fst & FSTFLAGS.MTIM_NOW)) throw new WasiError(E.INVAL);
  if (fst & ~0xf) throw new WasiError(E.INVAL);
  const a = fst & FSTFLAGS.ATIM_NOW ? UTIME_NOW : fst & FSTFLAGS.ATIM ? atim : UTIME_OMIT;
  const m = fst & FSTFLAGS.MTIM_NOW ? UTIME_NOW : fst & FSTFLAGS.MTIM ? mtim : UTIME_OMIT;
  return [a, m];
}

function listing(e: FdEntry): DirEntry[] {
  try {
    lseek(e.kfd, 0, SEEK.SET);
    return getdents(e.kfd);
  } catch (err) {
    // NOTE: a kernel that cannot rewind a directory fd still lists it, opened afresh from itself.
    if (e.type !== FILETYPE.DIRECTORY || !(isErrno(err, 22) || isErrno(err, 29))) throw err;
    const fd = openat(e.kfd, '.', O.RDONLY | O.DIRECTORY);
    try { return getdents(fd); } finally { close(fd); }
  }
}

// The calls on an open file's data are EBADF on a directory, as wasmtime answers
// (Linux says EISDIR to a read, EINVAL to ftruncate, and syncs a directory).
function notDirectory(e: FdEntry): void {
  if (e.type === FILETYPE.DIRECTORY) throw new WasiError(E.BADF);
}

export function fdCalls(ctx: WasiContext): Record<string, (...args: never[]) => number> {
  const { mem, fds } = ctx;
  return {
    fd_read: call((fd: number, iovsPtr: number, iovsLen: number, nreadPtr: number) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, R.FD_READ);
      let total = 0;
      for (const v of mem.iovecs(u(iovsPtr), u(iovsLen))) {
        if (v.len === 0) continue;
        const data = read(e.kfd, v.len);
        mem.put(v.ptr, data);
        total += data.length;
        if (data.length < v.len) break;
      }
      mem.u32(u(nreadPtr), total);
    }),

    fd_write: call((fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, R.FD_WRITE);
      const data = mem.gather(mem.iovecs(u(iovsPtr), u(iovsLen)));
      // A socket gets EPIPE rather than SIGPIPE once the peer is gone, as under wasmtime (sock-calls.ts).
      const n = isSocket(e) ? (data.length === 0 ? 0 : send(e.kfd, data, MSG.NOSIGNAL)) : write(e.kfd, data);
      mem.u32(u(nwrittenPtr), n);
    }),

    fd_pread: call((fd: number, iovsPtr: number, iovsLen: number, off: bigint, nreadPtr: number) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, R.FD_READ | R.FD_SEEK);
      let at = offset(off);
      let total = 0;
      for (const v of mem.iovecs(u(iovsPtr), u(iovsLen))) {
        let got = 0;
        while (got < v.len) {
          const data = pread(e.kfd, v.len - got, at);
          if (data.length === 0) break;
          mem.put(v.ptr + got, data);
          got += data.length;
          at += data.length;
        }
        total += got;
        if (got < v.len) break;
      }
      mem.u32(u(nreadPtr), total);
    }),

    fd_pwrite: call((fd: number, iovsPtr: number, iovsLen: number, off: bigint, nwrittenPtr: number) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, R.FD_WRITE | R.FD_SEEK);
      const data = mem.gather(mem.iovecs(u(iovsPtr), u(iovsLen)));
      let at = offset(off);
      let done = 0;
      while (done < data.length) {
        let n: number;
        // Bytes already written are the answer; the error is for the next call.
        try { n = pwrite(e.kfd, data.subarray(done), at); } catch (err) { if (done > 0) break; throw err; }
        if (n === 0) break;
        done += n;
        at += n;
      }
      mem.u32(u(nwrittenPtr), done);
    }),

    fd_seek: call((fd: number, off: bigint, whence: number, newOffsetPtr: number) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, whence === SEEK.CUR && off === 0n ? R.FD_TELL : R.FD_SEEK);
      if (whence !== SEEK.SET && whence !== SEEK.CUR && whence !== SEEK.END) throw new WasiError(E.INVAL);
      // An i64 a float64 cannot hold exactly would be rounded (2^63 - 1 becomes 2^63, negative as an i64).
      if (off > BigInt(Number.MAX_SAFE_INTEGER) || off < -BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(E.INVAL);
      const pos = lseek(e.kfd, Number(off), whence);
      mem.u64(u(newOffsetPtr), pos);
    }),

    fd_tell: call((fd: number, offsetPtr: number) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, R.FD_TELL);
      mem.u64(u(offsetPtr), lseek(e.kfd, 0, SEEK.CUR));
    }),

    fd_close: call((fd: number) => {
      const e = fds.remove(fd);
      // NOTE: stdio belongs to whoever called runWasm (the process, or a driver running
      // several modules in turn); the guest loses its fd but the kernel fd stays.
      fds.closeEntry(e);
    }),

    fd_renumber: call((from: number, to: number) => {
      const source = fds.get(from);
      const target = fds.get(to);
      if (from === to) return;
      fds.remove(from);
      fds.set(to, source);
      try { fds.closeEntry(target); } catch { /* the guest's old fd `to` is gone either way */ }
    }),

    fd_fdstat_get: call((fd: number, ptr: number) => {
      const e = fds.get(fd);
      const p = u(ptr);
      mem.check(p, SIZE.FDSTAT);
      mem.u8(p, e.type);
      mem.u8(p + 1, 0);
      mem.u16(p + 2, e.flags);
      mem.u32(p + 4, 0);
      mem.u64(p + 8, e.rightsBase);
      mem.u64(p + 16, e.rightsInheriting);
    }),

    // As wasmtime: only an open file's flags change (EBADF for a directory or stdio);
    // APPEND and NONBLOCK may change, the sync flags only at open (EINVAL here).
    fd_fdstat_set_flags: call((fd: number, flags: number) => {
      const e = fds.need(fd, R.FD_FDSTAT_SET_FLAGS);
      if (e.type === FILETYPE.DIRECTORY || e.borrowed === true) throw new WasiError(E.BADF);
      if (flags & ~0x1f || flags & (FDFLAGS.DSYNC | FDFLAGS.RSYNC | FDFLAGS.SYNC)) throw new WasiError(E.INVAL);
      const kept = e.flags & (FDFLAGS.DSYNC | FDFLAGS.RSYNC | FDFLAGS.SYNC);
      fcntl(e.kfd, F.SETFL, linuxFdflags(flags | kept));
      e.flags = flags | kept;
    }),

    fd_fdstat_set_rights: call((fd: number, base: bigint, inheriting: bigint) => {
      const e = fds.get(fd);
      if ((base & ~e.rightsBase) !== 0n || (inheriting & ~e.rightsInheriting) !== 0n) throw new WasiError(E.NOTCAPABLE);
      e.dropped = (e.dropped ?? 0n) | (e.rightsBase & ~base);
      e.rightsBase = base;
      e.rightsInheriting = inheriting;
    }),

    fd_filestat_get: call((fd: number, ptr: number) => {
      const e = fds.need(fd, R.FD_FILESTAT_GET);
      putFilestat(mem, u(ptr), fstat(e.kfd));
    }),

    fd_filestat_set_size: call((fd: number, size: bigint) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, R.FD_FILESTAT_SET_SIZE);
      // As wasmtime: a file opened without write access may not change its size.
      if (e.readOnly === true) throw new WasiError(E.PERM);
      ftruncate(e.kfd, offset(size));
    }),

    fd_filestat_set_times: call((fd: number, atim: bigint, mtim: bigint, fst: number) => {
      const e = fds.need(fd, R.FD_FILESTAT_SET_TIMES);
      const [a, m] = timesFromFlags(atim, mtim, fst);
      // As wasmtime: nor its times (through the fd; path_filestat_set_times may).
      if (e.readOnly === true) throw new WasiError(E.PERM);
      futimens(e.kfd, a, m);
    }),

    fd_advise: call((fd: number, off: bigint, len: bigint, advice: number) => {
      notDirectory(fds.get(fd));
      fds.need(fd, R.FD_ADVISE);
      offset(off);
      offset(len);
      if (advice < 0 || advice > 5) throw new WasiError(E.INVAL);
      // Advice is a hint; kernelkit's filesystems have no use for it.
    }),

    fd_allocate: call((fd: number, off: bigint, len: bigint) => {
      notDirectory(fds.get(fd));
      const e = fds.need(fd, R.FD_ALLOCATE);
      const end = offset(off) + offset(len);
      if (offset(len) === 0) throw new WasiError(E.INVAL);
      if (fstat(e.kfd).size < end) ftruncate(e.kfd, end);
    }),

    fd_sync: call((fd: number) => { notDirectory(fds.get(fd)); fsync(fds.need(fd, R.FD_SYNC).kfd); }),
    fd_datasync: call((fd: number) => { notDirectory(fds.get(fd)); fdatasync(fds.need(fd, R.FD_DATASYNC).kfd); }),

    fd_prestat_get: call((fd: number, ptr: number) => {
      const e = fds.get(fd);
      const p = u(ptr);
      if (e.listener !== undefined) {
        mem.check(p, SIZE.PRESTAT);
        mem.u32(p, PREOPENTYPE_SOCKET);
        mem.u32(p + 4, 0);
        return;
      }
      if (e.preopenName === undefined) throw new WasiError(E.BADF);
      mem.check(p, SIZE.PRESTAT);
      mem.u32(p, PREOPENTYPE_DIR);
      mem.u32(p + 4, encode(e.preopenName).length);
    }),

    fd_prestat_dir_name: call((fd: number, ptr: number, len: number) => {
      const e = fds.get(fd);
      // wasmtime (after its first implementation): ENOTDIR for a descriptor that is no preopen.
      if (e.preopenName === undefined) throw new WasiError(E.NOTDIR);
      const name = encode(e.preopenName);
      if (u(len) < name.length) throw new WasiError(E.NAMETOOLONG);
      mem.put(u(ptr), name);
    }),

    fd_readdir: call((fd: number, buf: number, bufLen: number, cookie: bigint, bufUsedPtr: number) => {
      // wasmtime: EBADF for a descriptor that is not a directory.
      if (fds.get(fd).type !== FILETYPE.DIRECTORY) throw new WasiError(E.BADF);
      const e = fds.need(fd, R.FD_READDIR);
      if (cookie === 0n || e.listing === undefined) e.listing = listing(e);
      const entries = e.listing;
      const p = u(buf);
      const len = u(bufLen);
      mem.check(p, len);
      let used = 0;
      for (let i = cookie > BigInt(entries.length) ? entries.length : Number(cookie); i < entries.length && used < len; i++) {
        const ent = entries[i] as DirEntry;
        const name = encode(ent.name);
        const rec = new Uint8Array(SIZE.DIRENT + name.length);
        const v = new DataView(rec.buffer);
        v.setBigUint64(0, BigInt(i + 1), true);
        v.setBigUint64(8, BigInt(Math.max(0, Math.trunc(ent.ino))), true);
        v.setUint32(16, name.length, true);
        v.setUint8(20, filetypeOfDirent(ent.type));
        rec.set(name, SIZE.DIRENT);
        const n = Math.min(rec.length, len - used);
        mem.put(p + used, rec.subarray(0, n));
        used += n;
      }
      mem.u32(u(bufUsedPtr), used);
    }),
  };
}

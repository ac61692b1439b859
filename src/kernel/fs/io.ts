// I/O on open files: the kernel side of read, write, close and friends, routed by the
// kind of file (vfs, device, pipe). The syscall handlers decode arguments and call
// these; this file holds the mechanism (xv6: sysfile.c vs file.c).

import { KernelError, Errno } from '../../abi/errno.js';
import { O, S, Major, majorOf, openFileFlags } from '../../abi/fs.js';
import type { VfsOpenResult, PathBase } from '../../abi/services.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { OpenFile } from './file.js';
import { deviceRead, deviceWrite, type DeviceDrivers } from './devices.js';
import { Pipe } from './pipe.js';
import { capable, Cap, type FsCred } from '../../abi/cred.js';
import { closeSocket, socketReceive, socketSend } from './socket.js';

export function drivers(k: Kernel): DeviceDrivers {
  return { console: () => k.console, blk: () => k.blk };
}

function checkOpen(v: unknown): VfsOpenResult {
  const r = v as VfsOpenResult;
  if (typeof r !== 'object' || r === null || typeof r.handle !== 'number' || (r.kind !== 'file' && r.kind !== 'dir' && r.kind !== 'dev')) {
    throw new KernelError(Errno.EIO, 'vfs returned a malformed reply');
  }
  return r;
}

/** Opens `path` from `base` (fs/at.ts makes it from a dirfd or the cwd). */
export async function openFile(k: Kernel, base: PathBase, path: string, flags: number, mode: number, cred?: FsCred): Promise<OpenFile> {
  if (path.length === 0) throw new KernelError(Errno.ENOENT);
  const r = checkOpen(await k.vfs.open(base, path, flags, mode, cred));
  const file = new OpenFile(r.kind === 'dev' ? 'dev' : 'vfs', openFileFlags(flags), typeof r.path === 'string' ? r.path : path, {
    vfsHandle: r.handle, rdev: r.rdev, isDir: r.kind === 'dir', mode: r.mode,
  });
  file.generation = k.components.get('vfs')?.generation ?? 0;
  return file;
}

function checkGeneration(k: Kernel, f: OpenFile): void {
  // A handle into a vfs instance that has since been restarted is gone with it.
  if (f.target.vfsHandle !== undefined && f.generation !== (k.components.get('vfs')?.generation ?? 0)) {
    throw new KernelError(Errno.EIO, 'file was open in a vfs instance that has been restarted');
  }
}

export async function closeFile(k: Kernel, f: OpenFile): Promise<void> {
  if (--f.refs > 0) return;
  k.direct?.release(f);
  k.directNet?.release(f);
  if (f.kind === 'pipe') {
    if (f.target.pipeEnd === 'r') f.target.pipe!.closeReader(); else f.target.pipe!.closeWriter();
    return;
  }
  if (f.kind === 'socket') { await closeSocket(k, f); return; }
  if (f.target.vfsHandle !== undefined) {
    try { checkGeneration(k, f); } catch { return; }
    await k.vfs.close(f.target.vfsHandle);
  }
}

/** Reads up to `length` bytes at `offset` (or the file offset when undefined, advancing it). */
export async function readFile(k: Kernel, p: Process, f: OpenFile, length: number, offset?: number): Promise<Uint8Array> {
  if (!f.readable) throw new KernelError(Errno.EBADF);
  if (f.target.isDir === true) throw new KernelError(Errno.EISDIR);
  const at = offset ?? f.offset;
  let data: Uint8Array;
  switch (f.kind) {
    case 'pipe':
      if (offset !== undefined) throw new KernelError(Errno.ESPIPE);
      return f.target.pipe!.read(length, () => !p.dead, (f.flags & O.NONBLOCK) !== 0);
    case 'socket':
      if (offset !== undefined) throw new KernelError(Errno.ESPIPE);
      return (await socketReceive(k, p, f, length, 0)).data;
    case 'dev': {
      // A terminal read is interruptible: a signal the process handles ends it with EINTR
      // (its handler runs on the way out), so ^C at a prompt gives a fresh prompt.
      const tty = majorOf(f.target.rdev!) === Major.TTY;
      if (tty && p.signalPending) throw new KernelError(Errno.EINTR);
      let interrupted = false, suspended = false;
      const interrupt = (): void => { interrupted = true; void k.console.cancel(p.pid).catch(() => {}); };
      // A stopped job gives the terminal up: the next line typed is the shell's.
      const suspend = (): void => { suspended = true; void k.console.cancel(p.pid).catch(() => {}); };
      if (tty) { p.interrupt = interrupt; p.suspendRead = suspend; }
      p.inDeviceRead = true;
      try { data = await deviceRead(drivers(k), f.target.rdev!, at, length, p.pid); } finally {
        p.inDeviceRead = false;
        if (p.interrupt === interrupt) p.interrupt = undefined;
        if (p.suspendRead === suspend) p.suspendRead = undefined;
      }
      // The console answers a cancelled read with nothing; a read that got its line first keeps it.
      if (suspended && data.length === 0) { p.restartSyscall = true; throw new KernelError(Errno.EINTR); }
      if (interrupted && data.length === 0) throw new KernelError(Errno.EINTR);
      break;
    }
    case 'vfs': {
      checkGeneration(k, f);
      data = await k.vfs.read(f.target.vfsHandle!, at, length);
      break;
    }
  }
  if (offset === undefined) f.offset += data.length;
  return data;
}

/**
 * Reads up to `dst.length` bytes at `offset` (or the file offset when undefined,
 * advancing it) into `dst` (a view of the caller's memory); returns the count. A pipe
 * copies from its ring straight into `dst`; a file lends `dst` to vfs as a grant, which
 * vfs fills (one copy, on every preset); devices copy their reply into it once.
 */
export async function readFileInto(k: Kernel, p: Process, f: OpenFile, dst: Uint8Array, offset?: number): Promise<number> {
  if (f.kind === 'pipe' && f.readable && offset === undefined) return f.target.pipe!.readInto(dst, () => !p.dead, (f.flags & O.NONBLOCK) !== 0);
  if (f.kind === 'vfs' && f.readable && f.target.isDir !== true && dst.buffer === p.userMemory && k.components.lendsTo('vfs')) {
    // A file: vfs copies its bytes straight into the process's buffer, lent for this call.
    checkGeneration(k, f);
    const grant = k.lend(p, dst, true);
    try {
      const n = await k.vfs.readInto(f.target.vfsHandle!, offset ?? f.offset, grant);
      if (offset === undefined) f.offset += n;
      return n;
    } finally {
      grant.revoke();
    }
  }
  const data = await readFile(k, p, f, dst.length, offset);
  const n = Math.min(data.length, dst.length);
  dst.set(n === data.length ? data : data.subarray(0, n));
  return n;
}

export async function writeFile(k: Kernel, p: Process, f: OpenFile, data: Uint8Array, offset?: number): Promise<number> {
  if (!f.writable) throw new KernelError(Errno.EBADF);
  switch (f.kind) {
    case 'pipe':
      if (offset !== undefined) throw new KernelError(Errno.ESPIPE);
      try {
        return await f.target.pipe!.write(data, () => !p.dead, (f.flags & O.NONBLOCK) !== 0);
      } catch (e) {
        if (e instanceof KernelError && e.errno === Errno.EPIPE) k.deliver(p, 13 /* SIGPIPE */);
        throw e;
      }
    case 'socket':
      if (offset !== undefined) throw new KernelError(Errno.ESPIPE);
      return socketSend(k, p, f, data, 0);
    case 'dev': {
      if (majorOf(f.target.rdev!) === Major.BLK) await refuseMountedDevice(k, p, f.target.rdev!);
      const n = await deviceWrite(drivers(k), f.target.rdev!, offset ?? f.offset, data);
      if (offset === undefined) f.offset += n;
      return n;
    }
    case 'vfs': {
      checkGeneration(k, f);
      const append = offset === undefined && (f.flags & O.APPEND) !== 0;
      const at = append ? -1 : (offset ?? f.offset);
      // A view of the writer's memory is lent to vfs for the call; other data is copied to it.
      let r: { written: number; end: number };
      if (data.buffer === p.userMemory && k.components.lendsTo('vfs')) {
        const grant = k.lend(p, data, false);
        try { r = await k.vfs.writeFrom(f.target.vfsHandle!, at, grant); } finally { grant.revoke(); }
      } else {
        r = await k.vfs.write(f.target.vfsHandle!, at, data);
      }
      if (offset === undefined) f.offset = append ? r.end : f.offset + r.written;
      return r.written;
    }
  }
}

// Raw writes under a mounted filesystem can corrupt it behind its cache: EBUSY unless
// the writer holds CAP_SYS_RAWIO (root), who may, as Linux lets root write a mounted
// device. Checked at every write, since the device may have been opened (or handed
// down by root) before the mount.
async function refuseMountedDevice(k: Kernel, p: Process, rdev: number): Promise<void> {
  if (capable(p.cred, Cap.SYS_RAWIO)) return;
  const target = await k.vfs.mountedOn(rdev);
  if (typeof target !== 'string') throw new KernelError(Errno.EIO, 'vfs returned a malformed reply');
  if (target !== '') throw new KernelError(Errno.EBUSY, `block device is mounted on ${target}`);
}

export function makePipe(k: Kernel): [OpenFile, OpenFile] {
  const pipe = new Pipe(k.params.pipeBytes);
  pipe.readers = 1;
  pipe.writers = 1;
  const r = new OpenFile('pipe', O.RDONLY, 'pipe:[r]', { pipe, pipeEnd: 'r', mode: S.IFIFO | 0o600 });
  const w = new OpenFile('pipe', O.WRONLY, 'pipe:[w]', { pipe, pipeEnd: 'w', mode: S.IFIFO | 0o600 });
  return [r, w];
}

export { checkGeneration };

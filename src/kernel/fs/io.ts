// I/O on open files: the kernel side of read, write, close and friends, routed by the
// kind of file (vfs, device, pipe). The syscall handlers decode arguments and call
// these; this file holds the mechanism (xv6: sysfile.c vs file.c).

import { KernelError, Errno } from '../../abi/errno.js';
import { O, S } from '../../abi/fs.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { OpenFile } from './file.js';
import { deviceRead, deviceWrite, type DeviceDrivers } from './devices.js';
import { Pipe } from './pipe.js';

export function drivers(k: Kernel): DeviceDrivers {
  return { console: () => k.console, blk: () => k.blk };
}

/** Opens `path` for process `p` (relative to its cwd). */
export async function openFile(k: Kernel, p: Process, path: string, flags: number, mode: number): Promise<OpenFile> {
  if (path.length === 0) throw new KernelError(Errno.ENOENT);
  const r = await k.vfs.open(p.cwd, path, flags, mode);
  const file = new OpenFile(r.kind === 'dev' ? 'dev' : 'vfs', flags & ~(O.CREAT | O.EXCL | O.TRUNC | O.CLOEXEC), path, {
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
  if (f.kind === 'pipe') {
    if (f.target.pipeEnd === 'r') f.target.pipe!.closeReader(); else f.target.pipe!.closeWriter();
    return;
  }
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
    case 'dev':
      p.inDeviceRead = true;
      try { data = await deviceRead(drivers(k), f.target.rdev!, at, length, p.pid); } finally { p.inDeviceRead = false; }
      break;
    case 'vfs': {
      checkGeneration(k, f);
      data = await k.vfs.read(f.target.vfsHandle!, at, length);
      break;
    }
  }
  if (offset === undefined) f.offset += data.length;
  return data;
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
    case 'dev': {
      const n = await deviceWrite(drivers(k), f.target.rdev!, offset ?? f.offset, data);
      if (offset === undefined) f.offset += n;
      return n;
    }
    case 'vfs': {
      checkGeneration(k, f);
      const append = offset === undefined && (f.flags & O.APPEND) !== 0;
      const r = await k.vfs.write(f.target.vfsHandle!, append ? -1 : (offset ?? f.offset), data);
      if (offset === undefined) f.offset = append ? r.end : f.offset + r.written;
      return r.written;
    }
  }
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

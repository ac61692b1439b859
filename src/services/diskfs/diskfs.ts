// diskfs: a filesystem whose driver travels on its disk. The kernel reads the
// WebAssembly module from the disk's reserved area (abi/disk-driver.ts), checks it and
// loads it into the sandbox domain with this glue (kernel/fs/disk-driver.ts); vfs
// mounts it through services/vfs/remote-fs.ts as it mounts ext2. Nothing here knows
// the format: the driver (chainfs/chainfs.c is the one kernelkit's mkfs embeds) does.
//
// The contract between this glue and a driver module (its exports):
//   fs_image, fs_image_max        where the filesystem's bytes live in its memory
//   fs_window, fs_window_bytes    names, data and records in and out
//   fs_mount(bytes, readonly)     after the glue copied the filesystem area in
//   fs_clock(s, ns)               the time for what the next call changes
//   fs_lookup ... fs_statfs       one per method of the service (abi/services.ts DISKFS)
//   fs_dirty_count/list/clear     the blocks (512 bytes) the calls changed
// Every change is written back to the disk (through the `blk` peer) before the call
// that made it is answered, one call at a time: a driver that traps has nothing
// half-written, and what was answered is on the disk, so a restarted driver reads
// back everything acknowledged. fsync and sync flush the device.
//
// Sessions are ext2's (services/ext2/component.ts): a fresh instance answers the
// sessions of its predecessor with ESTALE, and vfs attaches again.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { BlkService, DiskFsService } from '../../abi/services.js';
import type { DirEntry, SetAttr, Stat, StatFs } from '../../abi/fs.js';
import { DT } from '../../abi/fs.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { parseDiskDriverHeader } from '../../abi/disk-driver.js';

export const manifest: Manifest = {
  name: 'diskfs',
  description: 'a filesystem whose driver travels on its disk (WebAssembly from the disk, in the sandbox domain)',
  uses: ['blk'],
};

/** Its module comes from the disk, never from the image: the kernel hands it over at load. */
export const wasm = {
  path: '',
  window: 'fs_window',
  windowBytes: 65536,
  exports: ['fs_image', 'fs_image_max', 'fs_window', 'fs_window_bytes', 'fs_mount', 'fs_clock', 'fs_root', 'fs_lookup', 'fs_getattr', 'fs_parent',
    'fs_setattr', 'fs_create', 'fs_mkdir', 'fs_symlink', 'fs_readlink', 'fs_read', 'fs_write', 'fs_readdir', 'fs_unlink', 'fs_rmdir', 'fs_rename',
    'fs_open', 'fs_release', 'fs_statfs', 'fs_dirty_count', 'fs_dirty_list', 'fs_dirty_clear', 'kk_fault'],
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BLOCK = 512;

export function create(ctx: ComponentContext): ComponentInstance & DiskFsService {
  const sandbox = ctx.sandbox;
  if (sandbox === undefined) throw new KernelError(Errno.ENODEV, 'diskfs: runs only in the sandbox domain');
  const blk = ctx.peer<BlkService>('blk');
  let window = 0, windowBytes = 0, image = 0, fsSector = 0;
  let format = 'diskfs';
  let session = 0;
  let nextSession = 1 + Math.floor(Math.random() * 2 ** 30);
  const pinned = new Map<number, number>();
  // One call at a time, with its write-back (see the head of this file).
  let tail: Promise<unknown> = Promise.resolve();

  let fsBlocks = 0;
  const call = (name: string, ...args: number[]): number => sandbox.call(name, ...args);
  // The driver is not trusted: an answer that cannot be right fails the call with EIO.
  const bad = (what: string): never => { throw new KernelError(Errno.EIO, `${format}: the driver gave a bad answer: ${what}`); };
  const fail = (r: number, what: string): never => { throw new KernelError(-r, `${format}: ${what}`); };
  const check = (r: number, what: string): number => (r < 0 ? fail(r, what) : r);
  const doubles = (n: number): Float64Array => new Float64Array(sandbox.copyOut(window, n * 8).buffer);
  const clock = (): void => { const ms = Date.now(); call('fs_clock', Math.floor(ms / 1000), (ms % 1000) * 1e6); };

  function name(n: string): number {
    const bytes = encoder.encode(n);
    if (bytes.length > 255) throw new KernelError(Errno.ENAMETOOLONG, `${format}: name too long`);
    sandbox!.copyIn(window, bytes);
    return bytes.length;
  }

  // Writes the blocks the driver changed to the disk, in runs of neighbours.
  async function writeBack(): Promise<void> {
    const count = call('fs_dirty_count');
    if (count === 0) return;
    if (!Number.isInteger(count) || count < 0 || count > fsBlocks) bad(`${count} changed blocks`);
    const list = [...new Uint16Array(sandbox!.copyOut(call('fs_dirty_list'), count * 2).buffer)].sort((a, b) => a - b);
    // Only blocks of its own filesystem area: never the header, the driver or past the area.
    if (list.length > 0 && list[list.length - 1]! >= fsBlocks) bad(`changed block ${list[list.length - 1]!} is outside the filesystem's ${fsBlocks}`);
    const runs: { first: number; data: Uint8Array }[] = [];
    for (let i = 0; i < list.length;) {
      let j = i + 1;
      while (j < list.length && list[j] === list[j - 1]! + 1 && j - i < 128) j++;
      runs.push({ first: list[i]!, data: sandbox!.copyOut(image + list[i]! * BLOCK, (j - i) * BLOCK) });
      i = j;
    }
    call('fs_dirty_clear');
    for (const r of runs) await blk.write(fsSector + r.first * (BLOCK / SECTOR_SIZE), r.data);
  }

  /** Runs `fn` alone; a call that changes the filesystem (`changes`) is answered once its blocks are on the disk. */
  function serial<T>(changes: boolean, fn: () => T): Promise<T> {
    const run = tail.then(async () => {
      if (changes) clock();
      const result = fn();
      if (changes) await writeBack();
      return result;
    });
    tail = run.catch(() => undefined);
    return run;
  }

  // Reads up to `length` bytes at `offset` through the driver's window, a window's worth
  // at a time, handing each piece to `put`; returns the count.
  function readChunks(ino: number, offset: number, length: number, put: (at: number, bytes: Uint8Array) => void): number {
    let done = 0;
    while (done < length) {
      const n = Math.min(windowBytes, length - done);
      const got = check(call('fs_read', ino, offset + done, n), `read of inode ${ino}`);
      if (got > n) bad(`read ${got} bytes of ${n}`);
      put(done, sandbox!.copyOut(window, got));
      done += got;
      if (got < n) break;
    }
    return done;
  }

  function current(s: number): void {
    if (session === 0 || s !== session) throw new KernelError(Errno.ESTALE, `${format}: session ${s} is not the current one (the driver restarted, or another client attached)`);
  }

  function stat(ino: number): Stat {
    check(call('fs_getattr', ino), `no inode ${ino}`);
    const w = doubles(13);
    return {
      dev: 0, ino, mode: w[0]!, nlink: w[1]!, uid: w[2]!, gid: w[3]!, rdev: w[4]!, size: w[5]!, blksize: BLOCK, blocks: w[6]!,
      atimeNs: w[7]! * 1e9 + w[8]!, mtimeNs: w[9]! * 1e9 + w[10]!, ctimeNs: w[11]! * 1e9 + w[12]!,
      atimeNsec: w[8]!, mtimeNsec: w[10]!, ctimeNsec: w[12]!,
    };
  }

  const seconds = (ns: number, nsec: number | undefined): [number, number] => {
    if (nsec !== undefined) return [Math.round((ns - nsec) / 1e9), nsec];
    const s = Math.floor(ns / 1e9);
    return [s, Math.min(999_999_999, Math.max(0, Math.round(ns - s * 1e9)))];
  };

  return {
    // Mounts at init: a restarted driver reads back what its predecessor wrote.
    async init(): Promise<void> {
      window = call('fs_window');
      windowBytes = call('fs_window_bytes');
      image = call('fs_image');
      if (windowBytes < 4096) throw new KernelError(Errno.ENOEXEC, 'diskfs: the driver\'s window is smaller than 4 KiB');
      const header = parseDiskDriverHeader(await blk.read(0, 1), await blk.size());
      format = header.format || 'diskfs';
      if (header.fsLength > call('fs_image_max')) throw new KernelError(Errno.EUCLEAN, `${format}: the filesystem area (${header.fsLength} bytes) is larger than the driver can hold (${call('fs_image_max')})`);
      fsSector = header.fsOffset / SECTOR_SIZE;
      fsBlocks = header.fsLength / BLOCK;
      sandbox.copyIn(image, await blk.read(fsSector, header.fsLength / SECTOR_SIZE));
      check(call('fs_mount', header.fsLength, 0), 'the driver refused to mount the filesystem (its reason is in dmesg)');
      // What mount changed (space it reclaimed) goes to the disk now.
      await writeBack();
    },
    async shutdown(): Promise<void> { session = 0; },
    busy: () => session !== 0,

    async attach() {
      return serial(true, () => {
        // A new client: what the previous one held open is let go (as ext2 does).
        for (const [ino, n] of pinned) for (let i = 0; i < n; i++) call('fs_release', ino);
        pinned.clear();
        session = nextSession++;
        return { session, root: call('fs_root'), readOnly: false };
      });
    },
    async detach(s) {
      current(s);
      await tail;
      session = 0;
      pinned.clear();
      await blk.flush();
    },
    lookup: (s, dir, n) => serial(false, () => { current(s); return check(call('fs_lookup', dir, name(n)), `lookup of '${n}'`); }),
    getattr: (s, ino) => serial(false, () => { current(s); return stat(ino); }),
    setattr: (s, ino, attr: SetAttr) => serial(true, () => {
      current(s);
      let mask = 0;
      const w = new Float64Array(8);
      if (attr.mode !== undefined) { mask |= 1; w[0] = attr.mode; }
      if (attr.uid !== undefined) { mask |= 2; w[1] = attr.uid; }
      if (attr.gid !== undefined) { mask |= 4; w[2] = attr.gid; }
      if (attr.size !== undefined) { mask |= 8; w[3] = attr.size; }
      if (attr.atimeNs !== undefined) { mask |= 16; [w[4], w[5]] = seconds(attr.atimeNs, attr.atimeNsec); }
      if (attr.mtimeNs !== undefined) { mask |= 32; [w[6], w[7]] = seconds(attr.mtimeNs, attr.mtimeNsec); }
      sandbox.copyIn(window, new Uint8Array(w.buffer));
      check(call('fs_setattr', ino, mask), `setattr of inode ${ino}`);
    }),
    create: (s, dir, n, mode, rdev) => serial(true, () => { current(s); return check(call('fs_create', dir, name(n), mode, rdev), `create '${n}'`); }),
    mkdir: (s, dir, n, mode) => serial(true, () => { current(s); return check(call('fs_mkdir', dir, name(n), mode), `mkdir '${n}'`); }),
    symlink: (s, dir, n, target) => serial(true, () => {
      current(s);
      const a = encoder.encode(n), b = encoder.encode(target);
      if (a.length > 255 || b.length > 4095) throw new KernelError(Errno.ENAMETOOLONG, `${format}: name or target too long`);
      sandbox.copyIn(window, new Uint8Array([...a, ...b]));
      return check(call('fs_symlink', dir, a.length, b.length), `symlink '${n}'`);
    }),
    readlink: (s, ino) => serial(false, () => { current(s); return decoder.decode(sandbox.copyOut(window, check(call('fs_readlink', ino), `readlink of inode ${ino}`))); }),
    link: async (s) => { current(s); throw new KernelError(Errno.EPERM, `${format}: no hard links`); },
    unlink: (s, dir, n) => serial(true, () => { current(s); check(call('fs_unlink', dir, name(n)), `unlink '${n}'`); }),
    rmdir: (s, dir, n) => serial(true, () => { current(s); check(call('fs_rmdir', dir, name(n)), `rmdir '${n}'`); }),
    rename: (s, srcDir, srcName, dstDir, dstName) => serial(true, () => {
      current(s);
      const a = encoder.encode(srcName), b = encoder.encode(dstName);
      if (a.length > 255 || b.length > 255) throw new KernelError(Errno.ENAMETOOLONG, `${format}: name too long`);
      sandbox.copyIn(window, new Uint8Array([...a, ...b]));
      check(call('fs_rename', srcDir, a.length, dstDir, b.length), `rename '${srcName}' to '${dstName}'`);
    }),
    read: (s, ino, offset, length) => serial(false, () => {
      current(s);
      const out = new Uint8Array(Math.max(0, length));
      return out.subarray(0, readChunks(ino, offset, out.length, (at, bytes) => out.set(bytes, at)));
    }),
    readInto: (s, ino, offset, dst) => serial(false, () => {
      current(s);
      return readChunks(ino, offset, dst.length, (at, bytes) => dst.write(at, bytes));
    }),
    write: (s, ino, offset, data) => serial(true, () => {
      current(s);
      let done = 0;
      while (done < data.length) {
        const n = Math.min(windowBytes, data.length - done);
        sandbox.copyIn(window, data.subarray(done, done + n));
        const r = call('fs_write', ino, offset + done, n);
        if (r < 0) { if (done > 0) break; fail(r, `write to inode ${ino}`); }
        done += r;
        if (r < n) break;
      }
      return done;
    }),
    readdir: (s, dir) => serial(false, () => {
      current(s);
      const parent = check(call('fs_parent', dir), `readdir of inode ${dir}`);
      const out: DirEntry[] = [{ name: '.', ino: dir, type: DT.DIR }, { name: '..', ino: parent, type: DT.DIR }];
      for (let start = 0; ;) {
        const next = check(call('fs_readdir', dir, start), `readdir of inode ${dir}`);
        const count = new DataView(sandbox.copyOut(window, 4).buffer).getUint32(0, true);
        // Entries are at most 6 + 255 bytes: copy what they can take, not the whole window.
        const w = sandbox.copyOut(window, Math.min(windowBytes, 4 + count * 261));
        const v = new DataView(w.buffer);
        let at = 4;
        for (let i = 0; i < count; i++) {
          if (at + 6 > w.length || at + 6 + w[at + 5]! > w.length) bad(`directory entry ${i} of ${count} runs past the window`);
          const len = w[at + 5]!;
          out.push({ ino: v.getUint32(at, true), type: w[at + 4]!, name: decoder.decode(w.subarray(at + 6, at + 6 + len)) });
          at += 6 + len;
        }
        // A directory of a filesystem in at most fsBlocks blocks cannot list more.
        if (out.length > fsBlocks * 8 + 2) bad(`a directory of more than ${fsBlocks * 8} entries`);
        if (count === 0 || next <= start) break;
        start = next;
      }
      return out;
    }),
    open: (s, ino) => serial(false, () => {
      current(s);
      check(call('fs_open', ino), `open of inode ${ino}`);
      pinned.set(ino, (pinned.get(ino) ?? 0) + 1);
    }),
    release: (s, ino) => serial(true, () => {
      current(s);
      const n = pinned.get(ino) ?? 0;
      if (n === 0) return;
      if (n === 1) pinned.delete(ino); else pinned.set(ino, n - 1);
      check(call('fs_release', ino), `release of inode ${ino}`);
    }),
    fsync: async (s) => { current(s); await tail; await blk.flush(); },
    sync: async (s) => { current(s); await tail; await blk.flush(); },
    statfs: (s) => serial(false, (): StatFs => {
      current(s);
      check(call('fs_statfs'), 'statfs');
      const w = doubles(3);
      return { blockSize: w[0]!, blocks: w[1]!, freeBlocks: w[2]!, inodes: w[1]!, freeInodes: w[2]!, fsType: format };
    }),
  };
}

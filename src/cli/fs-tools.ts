// Host-side filesystem tools behind `kernelkit mkfs IMAGE --size 64M [--block-size N]`
// and `kernelkit fsck IMAGE [--repair]`: they run the ext2 component's own mkfs and
// fsck (services/ext2/) on a disk image file through a plain BlockDevice adapter. A
// disk that carries its own driver (`mkfs --format NAME --embed-driver`) is made and
// checked by that driver instead (hosts/disk-image.ts).
// main.ts wires the commands; exit statuses follow mkfs(8) and fsck(8).

import fs from 'node:fs';
import path from 'node:path';
import type { BlockDevice } from '../abi/blk.js';
import { SECTOR_SIZE } from '../abi/blk.js';
import { Errno, KernelError, isKernelError } from '../abi/errno.js';
import { FileBacking } from '../hosts/node/file-backing.js';
import { ImageLock } from '../hosts/node/image-lock.js';
import { packageRoot } from '../hosts/node/machine.js';
import { checkDiskImage, formatDiskImage, hasDiskDriver } from '../hosts/disk-image.js';
import { sha256 } from '../lib/sha256.js';
// NOTE: the layer rule lets cli/ reach services only through hosts/; these tools need
// the ext2 component itself, so this import waits for a hosts/ re-export (see docs/ext2.md).
// eslint-disable-next-line kernelkit/layers
import { fsckExt2, mkfsExt2 } from '../services/ext2/index.js';

/** fsck(8)'s exit statuses. */
export const FSCK_CLEAN = 0;
export const FSCK_ERRORS = 1;
export const FSCK_OPERATIONAL_ERROR = 8;

/** Parses "64M", "1G", "512K", "4096" (bytes) into bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+)([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) throw new Error(`bad size '${text}' (e.g. 64M, 1G, 1048576)`);
  const shift = { '': 0, K: 10, M: 20, G: 30, T: 40 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * 2 ** shift;
}

class FileDevice implements BlockDevice {
  constructor(private readonly backing: FileBacking) {}
  async size(): Promise<number> { return Math.floor(this.backing.size / SECTOR_SIZE) * SECTOR_SIZE; }
  async read(sector: number, count: number): Promise<Uint8Array> {
    if ((sector + count) * SECTOR_SIZE > this.backing.size) throw new KernelError(Errno.EIO, `read past the end of ${this.backing.path}`);
    return this.backing.read(sector * SECTOR_SIZE, count * SECTOR_SIZE);
  }
  async write(sector: number, data: Uint8Array): Promise<void> {
    if (sector * SECTOR_SIZE + data.length > this.backing.size) throw new KernelError(Errno.EIO, `write past the end of ${this.backing.path}`);
    this.backing.write(sector * SECTOR_SIZE, data);
  }
  async flush(): Promise<void> { this.backing.flush(); }
}

function carriesDriver(image: string): boolean {
  const first = new Uint8Array(8);
  const fd = fs.openSync(image, 'r');
  try { fs.readSync(fd, first, 0, 8, 0); } finally { fs.closeSync(fd); }
  return hasDiskDriver(first);
}

function say(line: string): void { process.stdout.write(line + '\n'); }
function complain(line: string): void { process.stderr.write(line + '\n'); }

/** Writes a fresh ext2 image of `size` to `image` (created or resized). Returns the exit status. */
export async function runMkfs(image: string, opts: { size: string; blockSize?: number }): Promise<number> {
  let backing: FileBacking | undefined;
  let lock: ImageLock | undefined;
  try {
    const bytes = parseSize(opts.size);
    if (bytes < 64 * 1024) throw new Error(`size ${opts.size} is too small for ext2 (at least 64K)`);
    if (opts.blockSize !== undefined && opts.blockSize !== 1024 && opts.blockSize !== 4096) throw new Error(`block size ${opts.blockSize}: use 1024 or 4096`);
    // Not under a running machine: it would go on writing its idea of the old filesystem.
    lock = ImageLock.acquire(image);
    const fd = fs.openSync(image, 'w');
    fs.ftruncateSync(fd, Math.floor(bytes / SECTOR_SIZE) * SECTOR_SIZE);
    fs.closeSync(fd);
    backing = new FileBacking(image);
    await mkfsExt2(new FileDevice(backing), opts.blockSize === undefined ? {} : { blockSize: opts.blockSize as 1024 | 4096 });
    say(`mkfs: wrote an ext2 filesystem of ${bytes} bytes to ${image}`);
    return 0;
  } catch (e) {
    complain(`mkfs: ${isKernelError(e) || e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    backing?.close();
    lock?.release();
  }
}

/**
 * Writes `image`: a disk that carries the `format` driver (`driver`, or the one this
 * build made) and an empty filesystem that driver formatted (hosts/disk-image.ts).
 */
export async function runMkfsEmbedded(image: string, opts: { format: string; size: string; driver?: string }): Promise<number> {
  let lock: ImageLock | undefined;
  try {
    const bytes = parseSize(opts.size);
    const file = opts.driver ?? path.join(packageRoot, 'build/fs-drivers', `${opts.format}.wasm`);
    if (!fs.existsSync(file)) throw new Error(`no driver for ${opts.format} at ${file}${opts.driver === undefined ? ' (this build makes chainfs)' : ''}`);
    const driver = new Uint8Array(fs.readFileSync(file));
    const made = formatDiskImage(driver, opts.format, bytes);
    lock = ImageLock.acquire(image);
    fs.writeFileSync(image, made);
    say(`mkfs: wrote a ${opts.format} filesystem of ${made.length} bytes to ${image}, its driver (${driver.length} bytes, sha256 ${sha256(driver)}) embedded`);
    return 0;
  } catch (e) {
    complain(`mkfs: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    lock?.release();
  }
}

// fsck of a disk that carries its driver: the driver checks its own format.
function fsckEmbedded(image: string): number {
  const result = checkDiskImage(new Uint8Array(fs.readFileSync(image)));
  for (const error of result.errors) say(`fsck: ${error}`);
  say(`fsck: ${image}: ${result.format}, checked by its embedded driver (sha256 ${result.sha256}): ${result.clean ? 'clean' : `${result.errors.length} error(s) found`}`);
  return result.clean ? FSCK_CLEAN : FSCK_ERRORS;
}

/** Checks `image`; prints each problem. 0 clean, 1 errors found (fixed with `repair` when possible), 8 cannot check. */
export async function runFsck(image: string, opts: { repair?: boolean }): Promise<number> {
  let backing: FileBacking | undefined;
  let lock: ImageLock | undefined;
  try {
    if (carriesDriver(image)) {
      if (opts.repair === true) throw new Error(`${image} carries its filesystem's driver; its checker does not repair`);
      lock = ImageLock.acquire(image);
      return fsckEmbedded(image);
    }
    // A machine using the image has its own idea of the filesystem in memory: checking
    // (let alone repairing) under it reports or makes damage. One at a time.
    lock = ImageLock.acquire(image);
    backing = new FileBacking(image, !opts.repair);
    const device = new FileDevice(backing);
    const result = await fsckExt2(device, { repair: opts.repair === true });
    for (const error of result.errors) say(`fsck: ${error}`);
    if (result.clean) { say(`fsck: ${image}: clean`); return FSCK_CLEAN; }
    if (opts.repair) {
      const after = await fsckExt2(device);
      say(after.clean ? `fsck: ${image}: errors repaired` : `fsck: ${image}: ${after.errors.length} error(s) left that need e2fsck`);
    } else say(`fsck: ${image}: ${result.errors.length} error(s) found`);
    return FSCK_ERRORS;
  } catch (e) {
    complain(`fsck: ${e instanceof Error ? e.message : String(e)}`);
    return FSCK_OPERATIONAL_ERROR;
  } finally {
    backing?.close();
    lock?.release();
  }
}

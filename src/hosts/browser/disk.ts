// The machine's disk in a browser: the image lives in RAM while the machine runs (the
// block device model needs synchronous I/O) and is written back to a file in the
// Origin Private File System, so it persists across reloads. What the guest wrote is
// tracked in 64 KiB chunks; a flush request (sync, fsync, the journal-less ext2's
// write-back) and a timer write the dirty chunks back, in place.

import type { Backing } from '../../hw/block-device.js';
import type { BlockDevice } from '../../abi/blk.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { mkfs } from '../../services/ext2/mkfs.js';

const CHUNK = 64 * 1024;
export const DEFAULT_DISK_BYTES = 16 << 20;
/** Images larger than this are refused on upload: the whole image is held in the page's memory. */
export const MAX_DISK_BYTES = 256 << 20;

export class PersistentDisk implements Backing {
  private readonly dirty = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped after each write-back that left nothing dirty (the page shows it). */
  saves = 0;
  onSaved: (() => void) | undefined;

  private constructor(readonly name: string, public data: Uint8Array, private readonly handle: FileSystemFileHandle | undefined) {}

  get size(): number { return this.data.length; }

  /** Opens the image called `name` in the origin's private file system; a new one is made with mkfs. */
  static async open(name: string): Promise<PersistentDisk> {
    let handle: FileSystemFileHandle | undefined;
    try {
      const root = await navigator.storage.getDirectory();
      handle = await root.getFileHandle(name, { create: true });
    } catch {
      handle = undefined; // no OPFS (a private window, an old browser): the disk lasts as long as the page
    }
    const file = handle === undefined ? undefined : await handle.getFile();
    if (file !== undefined && file.size > 0) {
      const data = new Uint8Array(await file.arrayBuffer());
      if (checkImage(data) === undefined) return new PersistentDisk(name, data, handle);
    }
    const disk = new PersistentDisk(name, await freshImage(DEFAULT_DISK_BYTES), handle);
    disk.markAll();
    // Written back while the machine boots: the machine reads from memory.
    void disk.save();
    return disk;
  }

  read(offset: number, length: number): Uint8Array { return this.data.slice(offset, offset + length); }
  readInto(offset: number, dest: Uint8Array): void { dest.set(this.data.subarray(offset, offset + dest.length)); }
  write(offset: number, data: Uint8Array): void {
    this.data.set(data, offset);
    for (let c = Math.floor(offset / CHUNK); c * CHUNK < offset + data.length; c++) this.dirty.add(c);
    this.timer ??= setTimeout(() => { this.timer = undefined; void this.save(); }, 1000);
  }
  flush(): void { void this.save(); }

  private markAll(): void { for (let c = 0; c * CHUNK < this.data.length; c++) this.dirty.add(c); }

  /** Writes the dirty chunks back to the file; resolves once nothing written before the call is unsaved. */
  save(): Promise<void> {
    // One write-back at a time: two writables open on one file would each commit their own copy.
    const run = this.chain.then(() => this.writeBack());
    this.chain = run.catch(() => {});
    return run;
  }

  private async writeBack(): Promise<void> {
    if (this.dirty.size === 0 || this.handle === undefined) return;
    const chunks = [...this.dirty].sort((a, b) => a - b);
    this.dirty.clear();
    const data = this.data;
    const w = await this.handle.createWritable({ keepExistingData: true });
    for (const c of chunks) await w.write({ type: 'write', position: c * CHUNK, data: data.slice(c * CHUNK, (c + 1) * CHUNK) });
    await w.truncate(data.length);
    await w.close();
    if (this.dirty.size === 0) { this.saves++; this.onSaved?.(); }
  }

  /** Replaces the image (upload, reset); the machine must not be running on it. */
  async replace(data: Uint8Array): Promise<void> {
    this.data = data;
    this.markAll();
    await this.save();
  }

  static async remove(name: string): Promise<void> {
    try { await (await navigator.storage.getDirectory()).removeEntry(name); } catch { /* not there */ }
  }
}

/** A fresh ext2 image of `bytes`, laid out by the OS's own mkfs. */
export async function freshImage(bytes: number): Promise<Uint8Array> {
  const data = new Uint8Array(bytes);
  const device: BlockDevice = {
    size: async () => data.length,
    read: async (sector, count) => data.slice(sector * SECTOR_SIZE, (sector + count) * SECTOR_SIZE),
    write: async (sector, bytes) => { data.set(bytes, sector * SECTOR_SIZE); },
    flush: async () => {},
  };
  await mkfs(device, { label: 'kernelkit' });
  return data;
}

/** Why `data` cannot be the machine's disk, or undefined when it can (an ext2 image of a sane size). */
export function checkImage(data: Uint8Array): string | undefined {
  if (data.length < 64 * 1024) return `too small (${data.length} bytes; an ext2 image is at least 64 KiB)`;
  if (data.length > MAX_DISK_BYTES) return `too large (${data.length} bytes; at most ${MAX_DISK_BYTES >> 20} MiB)`;
  if (data.length % SECTOR_SIZE !== 0) return `its size (${data.length} bytes) is not a multiple of ${SECTOR_SIZE}`;
  // The ext2 superblock sits at byte 1024; its magic 0xEF53 at offset 56.
  if (data[1024 + 56] !== 0x53 || data[1024 + 57] !== 0xef) return 'not an ext2 image (no ext2 superblock magic at byte 1080)';
  return undefined;
}

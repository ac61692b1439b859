// Test helpers: a BlockDevice over a BlockBacking (RAM, or a power-cut wrapper), image
// files in /tmp for e2fsprogs, and running e2fsprogs itself.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SECTOR_SIZE, type BlockDevice } from '../../src/abi/blk.js';
import { Errno, KernelError } from '../../src/abi/errno.js';
import { Arena } from '../../src/lib/arena.js';
import { MemoryBacking, type BlockBacking } from '../../src/hw/power-cut.js';

/** A BlockDevice over a backing store; refuses (and records) any I/O outside it. */
export class BackingDevice implements BlockDevice {
  outOfRange = 0;
  writesOutOfRange = 0;
  reads = 0;
  writes = 0;
  constructor(readonly backing: BlockBacking) {}
  async size(): Promise<number> { return Math.floor(this.backing.size / SECTOR_SIZE) * SECTOR_SIZE; }
  private check(sector: number, bytes: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector * SECTOR_SIZE + bytes > this.backing.size || bytes % SECTOR_SIZE !== 0) {
      this.outOfRange++;
      throw new KernelError(Errno.EIO, `I/O outside the device: sector ${sector}, ${bytes} bytes`);
    }
  }
  async read(sector: number, count: number): Promise<Uint8Array> {
    this.check(sector, count * SECTOR_SIZE);
    this.reads++;
    try { return this.backing.read(sector * SECTOR_SIZE, count * SECTOR_SIZE); } catch (e) { throw new KernelError(Errno.EIO, String(e)); }
  }
  async write(sector: number, data: Uint8Array): Promise<void> {
    if (!Number.isInteger(sector) || sector < 0 || sector * SECTOR_SIZE + data.length > this.backing.size) this.writesOutOfRange++;
    this.check(sector, data.length);
    this.writes++;
    try { this.backing.write(sector * SECTOR_SIZE, data); } catch (e) { throw new KernelError(Errno.EIO, String(e)); }
  }
  async flush(): Promise<void> {
    try { this.backing.flush(); } catch (e) { throw new KernelError(Errno.EIO, String(e)); }
  }
}

export function memoryDevice(sizeOrBytes: number | Uint8Array): { device: BackingDevice; memory: MemoryBacking } {
  const memory = new MemoryBacking(sizeOrBytes);
  return { device: new BackingDevice(memory), memory };
}

export function newArena(mib = 16): Arena {
  return new Arena('kernel', new SharedArrayBuffer(mib << 20));
}

let scratch: string | undefined;
/** A fresh path in this process's temp directory, which is removed when the process exits. */
export function tempPath(name: string): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'kernelkit-ext2-'));
    scratch = dir;
    // NOTE: the crash test alone leaves about 1 GB of images here; kept, repeated runs filled the disk.
    process.once('exit', () => { rmSync(dir, { recursive: true, force: true }); });
  }
  return path.join(scratch, name);
}

export function saveImage(bytes: Uint8Array, name: string): string {
  const p = tempPath(name);
  writeFileSync(p, bytes);
  return p;
}

export function loadImage(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}

const SBIN = '/usr/sbin';

/** Runs e2fsck with `flags` (e.g. '-fn'); returns its exit status and output. */
export function e2fsck(image: string, flags: string): { status: number; output: string } {
  const r = spawnSync(path.join(SBIN, 'e2fsck'), [flags, image], { encoding: 'utf8' });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Runs one debugfs request (read-only unless `write`) and returns stdout. */
export function debugfs(image: string, request: string, write = false): string {
  const args = write ? ['-w', '-R', request, image] : ['-R', request, image];
  return execFileSync(path.join(SBIN, 'debugfs'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs debugfs with a script of requests on stdin (-f -). */
export function debugfsScript(image: string, lines: string[], write = true): string {
  const args = write ? ['-w', '-f', '-', image] : ['-f', '-', image];
  return execFileSync(path.join(SBIN, 'debugfs'), args, { input: lines.join('\n') + '\n', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** debugfs `cat` output as bytes. */
export function debugfsCat(image: string, file: string): Uint8Array {
  return new Uint8Array(execFileSync(path.join(SBIN, 'debugfs'), ['-R', `cat ${file}`, image], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 }));
}

export function mke2fs(image: string, args: string[], size = '16M'): void {
  execFileSync(path.join(SBIN, 'mke2fs'), ['-q', '-F', ...args, image, size], { stdio: ['ignore', 'pipe', 'pipe'] });
}

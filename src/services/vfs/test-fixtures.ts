// Test fixtures shared by the vfs tests (vfs.test.ts, mounting.test.ts,
// differential.test.ts): a small initramfs, a component context with a fresh kernel
// arena, a block device in plain memory, and helpers that read and write whole files.
// Not a test itself; nothing outside tests imports it.

import { Arena } from '../../lib/arena.js';
import { writeCpio } from '../../lib/cpio.js';
import type { CpioEntry } from '../../lib/cpio.js';
import type { Value } from '../../lib/codec.js';
import type { ComponentContext, KernelCalls } from '../../abi/component.js';
import type { BlkService, Ext2Service } from '../../abi/services.js';
import { create as createExt2 } from '../ext2/component.js';
import { isKernelError } from '../../abi/errno.js';
import { O } from '../../abi/fs.js';
import { create } from './index.js';
import type { VfsInstance } from './index.js';

export const enc = new TextEncoder();
export const dec = new TextDecoder();
const none = new Uint8Array(0);

export const INITRAMFS: CpioEntry[] = [
  { name: 'bin', mode: 0o040755, data: none },
  { name: 'dev', mode: 0o040755, data: none },
  { name: 'etc', mode: 0o040755, data: none, mtime: 1_600_000_000 },
  { name: 'tmp', mode: 0o041777, data: none },
  { name: 'mnt', mode: 0o040755, data: none },
  { name: 'dev/null', mode: 0o020666, data: none, rdevMajor: 1, rdevMinor: 3 },
  { name: 'dev/zero', mode: 0o020666, data: none, rdevMajor: 1, rdevMinor: 5 },
  { name: 'dev/console', mode: 0o020620, data: none, rdevMajor: 5, rdevMinor: 1 },
  { name: 'dev/ttyerr', mode: 0o020620, data: none, rdevMajor: 5, rdevMinor: 2 },
  { name: 'dev/blk0', mode: 0o060660, data: none, rdevMajor: 8, rdevMinor: 0 },
  { name: 'bin/sh', mode: 0o100755, data: enc.encode('#!kernelkit\nshell'), mtime: 1_700_000_000 },
  { name: 'etc/motd', mode: 0o100644, data: enc.encode('hello\n'), uid: 3, gid: 4 },
  { name: 'etc/deep/er/file', mode: 0o100600, data: enc.encode('deep') },
  { name: 'etc/motd-link', mode: 0o120777, data: enc.encode('motd') },
  { name: 'etc/abs-link', mode: 0o120777, data: enc.encode('/etc/deep') },
];

/** A component context with a fresh 16 MiB kernel arena and no peers (tests set `peer`). */
export function context(config: Record<string, Value>, logs: string[] = []): ComponentContext & { peer: ComponentContext['peer'] } {
  return {
    name: 'vfs',
    arena: new Arena('kernel', new SharedArrayBuffer(16 << 20)),
    config,
    log: (m) => logs.push(m),
    peer: <T>(name: string): T => { throw new Error(`no peer ${name} in this test`); },
    kernel: {} as KernelCalls,
  };
}

/** A vfs booted from INITRAMFS (plus `extra` config). */
export async function boot(extra: Record<string, Value> = {}): Promise<VfsInstance> {
  const vfs = create(context({ initramfs: writeCpio(INITRAMFS), ...extra })) as VfsInstance;
  await vfs.init();
  return vfs;
}

/** The errno `p` fails with; throws if it succeeds or fails with something else. */
export async function errno(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (isKernelError(e)) return e.errno;
    throw e;
  }
  throw new Error('expected the call to fail with an errno, but it succeeded');
}

export async function readAll(vfs: VfsInstance, path: string, cwd = '/'): Promise<string> {
  const { handle } = await vfs.open(cwd, path, O.RDONLY, 0);
  try {
    return dec.decode(await vfs.read(handle, 0, 1 << 20));
  } finally {
    await vfs.close(handle);
  }
}

export async function writeFile(vfs: VfsInstance, path: string, text: string, cwd = '/'): Promise<void> {
  const { handle } = await vfs.open(cwd, path, O.WRONLY | O.CREAT | O.TRUNC, 0o644);
  await vfs.write(handle, 0, enc.encode(text));
  await vfs.close(handle);
}

/** A block device in plain memory, for booting on the real ext2. */
export class MemoryDisk implements BlkService {
  readonly bytes: Uint8Array;
  constructor(size: number) { this.bytes = new Uint8Array(size); }
  async size(): Promise<number> { return this.bytes.length; }
  async read(sector: number, count: number): Promise<Uint8Array> { return this.bytes.slice(sector * 512, (sector + count) * 512); }
  async write(sector: number, data: Uint8Array): Promise<void> { this.bytes.set(data, sector * 512); }
  async flush(): Promise<void> {}
}

/**
 * The peers of a vfs on `disk`: `ext2` is the ext2 component (in `arena`, owner 'ext2',
 * mounting the disk at vfs's first attach), anything else the disk itself.
 */
export function diskPeers(disk: BlkService, arena: Arena): <T>(name: string) => T {
  const ext2: Ext2Service = createExt2({ name: 'ext2', arena, config: {}, log: () => undefined, peer: <T>(): T => disk as T, kernel: {} as KernelCalls });
  return <T>(name: string): T => (name === 'ext2' ? ext2 : disk) as T;
}

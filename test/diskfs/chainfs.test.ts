// chainfs's driver with the diskfs glue, without a booted system: the glue over a RAM
// disk and a sandbox instance of build/fs-drivers/chainfs.wasm, as the kernel wires
// them. The corners a shell workload does not reach: rename's rules, a full disk, a file
// unlinked while open, truncation, names; after each, the driver's checker (what
// `kernelkit fsck` runs) must find the image clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiskImage, checkDiskImage } from '../../src/hosts/disk-image.js';
import { create } from '../../src/services/diskfs/diskfs.js';
import { SandboxInstance } from '../../src/kernel/sandbox/instance.js';
import { defaultParams } from '../../src/kernel/params.js';
import { Arena } from '../../src/lib/arena.js';
import { SECTOR_SIZE } from '../../src/abi/blk.js';
import { Errno, isKernelError } from '../../src/abi/errno.js';
import { S } from '../../src/abi/fs.js';
import type { BlkService, DiskFsService } from '../../src/abi/services.js';
import type { ComponentContext } from '../../src/abi/component.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const driver: Uint8Array = new Uint8Array(readFileSync(path.join(root, 'build/fs-drivers/chainfs.wasm')));

/** A mounted glue over a RAM disk holding a fresh image of `bytes`; `disk` is the disk's bytes. */
async function mounted(bytes: number, drv: Uint8Array = driver): Promise<{ fs: DiskFsService; session: number; rootIno: number; disk: Uint8Array; log: string[] }> {
  const disk = formatDiskImage(drv, 'chainfs', bytes);
  const log: string[] = [];
  const wasm = SandboxInstance.load(drv, {
    name: 'diskfs', rules: { maxBytes: defaultParams.sandboxModuleBytes, maxPages: defaultParams.sandboxPages, startFuel: defaultParams.sandboxFuel },
    fuel: defaultParams.sandboxFuel, device: undefined, log: (l) => log.push(l), onTrap: () => undefined,
  });
  const blk: BlkService = {
    size: async () => disk.length,
    read: async (sector, count) => disk.slice(sector * SECTOR_SIZE, (sector + count) * SECTOR_SIZE),
    write: async (sector, data) => { disk.set(data, sector * SECTOR_SIZE); },
    flush: async () => undefined,
  };
  const ctx = {
    name: 'diskfs', arena: new Arena('test', new ArrayBuffer(0)), config: {}, log: (m: string) => log.push(m),
    peer: <T>(): T => blk as unknown as T, kernel: {} as ComponentContext['kernel'],
    sandbox: { call: (n: string, ...a: number[]) => wasm.call(n, ...a), copyIn: (p: number, d: Uint8Array) => wasm.copyIn(p, d), copyOut: (p: number, l: number) => wasm.copyOut(p, l) },
  } as ComponentContext;
  const fs = create(ctx);
  await fs.init?.();
  const a = await fs.attach();
  return { fs, session: a.session, rootIno: a.root, disk, log };
}

async function errno(p: Promise<unknown>): Promise<number> {
  try { await p; } catch (e) { if (isKernelError(e)) return e.errno; throw e; }
  return 0;
}

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const names = async (fs: DiskFsService, s: number, dir: number): Promise<string[]> => (await fs.readdir(s, dir)).map((e) => e.name).sort();

test('chainfs: rename replaces a file, refuses a directory into itself and onto a non-empty one; the image stays clean', async () => {
  const { fs, session: s, rootIno: r, disk } = await mounted(512 << 10);
  const a = await fs.create(s, r, 'a', S.IFREG | 0o644, 0);
  await fs.write(s, a, 0, bytes(3000, 1));
  const b = await fs.create(s, r, 'b', S.IFREG | 0o644, 0);
  await fs.write(s, b, 0, bytes(100, 2));
  await fs.rename(s, r, 'a', r, 'b');
  assert.deepEqual(await names(fs, s, r), ['.', '..', 'b']);
  assert.deepEqual(await fs.read(s, await fs.lookup(s, r, 'b'), 0, 5000), bytes(3000, 1));
  const d = await fs.mkdir(s, r, 'd', 0o755);
  const e = await fs.mkdir(s, d, 'e', 0o755);
  assert.equal(await errno(fs.rename(s, r, 'd', e, 'inside')), Errno.EINVAL);
  const f = await fs.mkdir(s, r, 'f', 0o755);
  await fs.create(s, f, 'x', S.IFREG | 0o644, 0);
  assert.equal(await errno(fs.rename(s, d, 'e', r, 'f')), Errno.ENOTEMPTY);
  assert.equal(await errno(fs.rename(s, r, 'b', r, 'd')), Errno.EISDIR);
  assert.equal(await errno(fs.rmdir(s, r, 'f')), Errno.ENOTEMPTY);
  await fs.rename(s, d, 'e', r, 'e2');
  assert.equal((await fs.getattr(s, e)).nlink, 2);
  assert.equal((await fs.getattr(s, d)).nlink, 2);
  assert.equal((await fs.getattr(s, r)).nlink, 2 + 3);
  assert.equal(await errno(fs.link(s, r, 'hard', a)), Errno.EPERM);
  assert.equal(await errno(fs.create(s, r, 'n'.repeat(59), S.IFREG | 0o644, 0)), Errno.ENAMETOOLONG);
  assert.equal(await errno(fs.create(s, r, 'b', S.IFREG | 0o644, 0)), Errno.EEXIST);
  const check = checkDiskImage(disk);
  assert.deepEqual(check.errors, []);
  assert.equal(check.clean, true);
});

test('chainfs: a full disk answers ENOSPC, and removing the files gives every block back', async () => {
  const { fs, session: s, rootIno: r, disk } = await mounted(128 << 10);
  const free0 = (await fs.statfs(s)).freeBlocks;
  let made = 0;
  for (;; made++) {
    let ino: number;
    try { ino = await fs.create(s, r, `f${made}`, S.IFREG | 0o644, 0); } catch (e) { assert.ok(isKernelError(e) && e.errno === Errno.ENOSPC, String(e)); break; }
    const n = await fs.write(s, ino, 0, bytes(5000, made)).catch((e: unknown) => { assert.ok(isKernelError(e) && e.errno === Errno.ENOSPC, String(e)); return -1; });
    if (n < 5000) break;
  }
  assert.ok(made > 5, `made ${made} files`);
  assert.equal((await fs.statfs(s)).freeBlocks, 0);
  assert.equal(checkDiskImage(disk).clean, true);
  for (const e of await fs.readdir(s, r)) if (e.name !== '.' && e.name !== '..') await fs.unlink(s, r, e.name);
  // The root keeps the blocks its entries grew into.
  const free1 = (await fs.statfs(s)).freeBlocks;
  assert.ok(free0 - free1 <= 4, `${free0 - free1} blocks not given back`);
  assert.deepEqual(checkDiskImage(disk).errors, []);
});

test('chainfs: a file unlinked while open lives until its release; truncation zeroes what it cut', async () => {
  const { fs, session: s, rootIno: r, disk } = await mounted(256 << 10);
  // The root's first entry block, which it keeps: allocated before the count.
  await fs.create(s, r, 'z', S.IFREG | 0o644, 0);
  const free0 = (await fs.statfs(s)).freeBlocks;
  const a = await fs.create(s, r, 'a', S.IFREG | 0o644, 0);
  await fs.write(s, a, 0, bytes(4000, 3));
  await fs.open(s, a);
  await fs.unlink(s, r, 'a');
  assert.deepEqual(await fs.read(s, a, 0, 4000), bytes(4000, 3));
  assert.ok((await fs.statfs(s)).freeBlocks < free0);
  await fs.release(s, a);
  assert.equal((await fs.statfs(s)).freeBlocks, free0);
  const t = await fs.create(s, r, 't', S.IFREG | 0o644, 0);
  await fs.write(s, t, 0, bytes(2000, 4));
  await fs.setattr(s, t, { size: 700 });
  await fs.setattr(s, t, { size: 1500 });
  const back = await fs.read(s, t, 0, 2000);
  assert.equal(back.length, 1500);
  assert.deepEqual(back.subarray(0, 700), bytes(700, 4));
  assert.deepEqual(back.subarray(700), new Uint8Array(800));
  assert.deepEqual(checkDiskImage(disk).errors, []);
});

/** chainfs.c built at test time with one answer that lies (CHAINFS_LIAR, see the C). */
function liar(kind: number): Uint8Array {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'kernelkit-liar-')), 'liar.wasm');
  const cc = spawnSync('clang', ['--target=wasm32', '-O2', '-nostdlib', '-ffreestanding', '-Wall', '-Werror', `-I${path.join(root, 'build/wasm-drivers')}`, `-DCHAINFS_LIAR=${kind}`,
    '-Wl,--no-entry', '-Wl,--strip-all', '-Wl,-z,stack-size=65536', '-Wl,--initial-memory=3145728', '-Wl,--max-memory=4194304',
    '-o', out, path.join(root, 'src/services/diskfs/chainfs/chainfs.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  return new Uint8Array(readFileSync(out));
}

test('chainfs: a driver whose answers lie gets EIO, never an exception in the kernel, and writes nothing outside its filesystem', async () => {
  {
    const { fs, session: s, rootIno: r } = await mounted(256 << 10, liar(1));
    const a = await fs.create(s, r, 'a', S.IFREG | 0o644, 0);
    await fs.write(s, a, 0, bytes(100, 5));
    assert.equal(await errno(fs.read(s, a, 0, 100)), Errno.EIO);
  }
  {
    const { fs, session: s, rootIno: r, disk } = await mounted(256 << 10, liar(2));
    const before = disk.slice();
    assert.equal(await errno(fs.create(s, r, 'a', S.IFREG | 0o644, 0)), Errno.EIO);
    assert.deepEqual(disk, before, 'nothing written');
  }
  {
    const { fs, session: s, rootIno: r } = await mounted(256 << 10, liar(3));
    assert.equal(await errno(fs.readdir(s, r)), Errno.EIO);
  }
});

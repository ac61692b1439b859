// Bad input (ARCHITECTURE.md rule 6): thousands of random vfs calls with hostile
// arguments (odd strings, NaN, huge or negative numbers, random flag bits, handles
// that were never issued). Every call must either succeed or fail with a KernelError
// (an errno), never with anything else, which in the kernel domain would be a panic;
// afterwards the open-file table must hold exactly the handles still open, and
// shutdown must give every page back to the arena.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isKernelError } from '../../abi/errno.js';
import { O } from '../../abi/fs.js';
import type { VfsInstance } from './index.js';
import { writeCpio } from '../../lib/cpio.js';
import { create } from './index.js';
import { INITRAMFS, MemoryDisk, context, diskPeers } from './test-fixtures.js';
import { mkfsExt2 } from '../ext2/index.js';
import type { Arena } from '../../lib/arena.js';

const stringArb = fc.oneof(
  fc.constantFrom('/', '.', '..', '', '/tmp', '/tmp/x', 'x', 'x/', '/etc/motd', '/etc/motd-link', '/dev/null', '/etc/abs-link/er', '/mnt', '//', 'a/../../..'),
  fc.string({ maxLength: 12 }),
  fc.array(fc.constantFrom('a', 'b', '..', '.', '', 'tmp', 'x'.repeat(256)), { maxLength: 6 }).map((p) => '/' + p.join('/')),
  fc.constant('/tmp/' + 'y'.repeat(5000)),
);
const numberArb = fc.oneof(
  fc.integer({ min: -5, max: 1 << 20 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0.5, 2 ** 53, 2 ** 60, 1e300, -0),
  fc.integer(),
);
const flagsArb = fc.oneof(fc.constantFrom(O.RDONLY, O.WRONLY | O.CREAT, O.RDWR | O.CREAT | O.TRUNC, O.RDONLY | O.DIRECTORY, O.WRONLY | O.APPEND), fc.nat(0o7777777));

// Call descriptions for failure reports, with long arguments cut short.
const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.length > 40 ? `${x.slice(0, 20)}...(${x.length})` : x));

type Call = (vfs: VfsInstance, handles: number[]) => Promise<unknown>;
const pick = (handles: number[], i: number): number => (handles.length > 0 && i >= 0 ? handles[i % handles.length]! : i);

const callArb: fc.Arbitrary<{ name: string; call: Call }> = fc.oneof(
  fc.tuple(stringArb, stringArb, flagsArb, numberArb).map(([cwd, p, f, m]) => ({
    name: `open ${show([cwd, p, f, m])}`,
    call: async (vfs: VfsInstance, handles: number[]) => { handles.push((await vfs.open(cwd, p, f, m)).handle); },
  })),
  fc.tuple(numberArb, numberArb, numberArb).map(([h, o, n]) => ({ name: `read ${h} ${o} ${n}`, call: (vfs: VfsInstance, hs: number[]) => vfs.read(pick(hs, h), o, Math.min(n, 1 << 16)) })),
  fc.tuple(numberArb, numberArb, fc.uint8Array({ maxLength: 9000 })).map(([h, o, d]) => ({ name: `write ${h} ${o} ${d.length}`, call: (vfs: VfsInstance, hs: number[]) => vfs.write(pick(hs, h), o, d) })),
  fc.tuple(numberArb).map(([h]) => ({
    name: `close ${h}`,
    call: async (vfs: VfsInstance, hs: number[]) => { const id = pick(hs, h); await vfs.close(id); hs.splice(hs.indexOf(id), 1); },
  })),
  fc.tuple(numberArb, numberArb, numberArb).map(([h, i, m]) => ({ name: `getdents ${h} ${i} ${m}`, call: (vfs: VfsInstance, hs: number[]) => vfs.getdents(pick(hs, h), i, m) })),
  fc.tuple(numberArb, numberArb).map(([h, s]) => ({ name: `ftruncate ${h} ${s}`, call: (vfs: VfsInstance, hs: number[]) => vfs.ftruncate(pick(hs, h), Math.min(s, 1 << 22)) })),
  fc.tuple(numberArb, numberArb, numberArb).map(([h, m, t]) => ({ name: `fsetattr ${h}`, call: (vfs: VfsInstance, hs: number[]) => vfs.fsetattr(pick(hs, h), { mode: m, mtimeNs: t }) })),
  fc.tuple(numberArb).map(([h]) => ({ name: `fstat/fsync ${h}`, call: async (vfs: VfsInstance, hs: number[]) => { await vfs.fstat(pick(hs, h)); await vfs.fsync(pick(hs, h), false); } })),
  fc.tuple(fc.constantFrom('stat', 'mkdir', 'rmdir', 'unlink', 'readlink', 'resolveDir', 'readExecutable', 'statfs', 'umount'), stringArb, stringArb, numberArb).map(([op, cwd, p, n]) => ({
    name: `${op} ${show([cwd, p, n])}`,
    call: (vfs: VfsInstance) => {
      switch (op) {
        case 'stat': return vfs.stat(cwd, p, n > 0);
        case 'mkdir': return vfs.mkdir(cwd, p, n);
        case 'rmdir': return vfs.rmdir(cwd, p);
        case 'unlink': return vfs.unlink(cwd, p);
        case 'readlink': return vfs.readlink(cwd, p);
        case 'resolveDir': return vfs.resolveDir(cwd, p);
        case 'readExecutable': return vfs.readExecutable(cwd, p);
        case 'statfs': return vfs.statfs(cwd, p);
        default: return vfs.umount(p);
      }
    },
  })),
  fc.tuple(fc.constantFrom('rename', 'link', 'symlink', 'mount'), stringArb, stringArb, stringArb).map(([op, a, b, c]) => ({
    name: `${op} ${show([a, b, c])}`,
    call: (vfs: VfsInstance) => {
      switch (op) {
        case 'rename': return vfs.rename(a, b, c);
        case 'link': return vfs.link(a, b, c);
        case 'symlink': return vfs.symlink(a, b, c);
        default: return vfs.mount(a, b, c === '' ? 'ramfs' : c);
      }
    },
  })),
  fc.tuple(stringArb, stringArb, numberArb, numberArb, numberArb).map(([cwd, p, size, uid, mode]) => ({
    name: `setattr ${show([cwd, p, size, uid, mode])}`,
    call: (vfs: VfsInstance) => vfs.setattr(cwd, p, { size: Math.min(size, 1 << 22), uid, mode }, uid > 0),
  })),
);

async function bootOn(backing: 'ramfs' | 'ext2'): Promise<{ vfs: VfsInstance; arena: Arena }> {
  const disk = new MemoryDisk(4 << 20);
  const ctx = context({ initramfs: writeCpio(INITRAMFS), ...(backing === 'ext2' ? { rootDisk: true } : {}) });
  if (backing === 'ext2') {
    await mkfsExt2(disk, { blockSize: 1024 });
    ctx.peer = diskPeers(disk, ctx.arena);
  }
  const vfs = create(ctx) as VfsInstance;
  await vfs.init();
  if (backing === 'ext2') {
    // The paths the calls aim at, on the disk this time.
    await vfs.mkdir('/', '/etc', 0o755);
    const { handle } = await vfs.open('/', '/etc/motd', O.WRONLY | O.CREAT, 0o644);
    await vfs.write(handle, 0, new TextEncoder().encode('hello\n'));
    await vfs.close(handle);
    await vfs.symlink('/', 'motd', '/etc/motd-link');
    await vfs.mkdir('/', '/mnt', 0o755);
  }
  return { vfs, arena: ctx.arena };
}

for (const backing of ['ramfs', 'ext2'] as const) {
  test(`fuzz on ${backing}: hostile calls only ever fail with an errno, and nothing leaks`, async () => {
    const details = await fc.check(fc.asyncProperty(fc.array(callArb, { maxLength: 60 }), async (calls) => {
      const { vfs, arena } = await bootOn(backing);
      const handles: number[] = [];
      for (const { name, call } of calls) {
        try {
          await call(vfs, handles);
        } catch (e) {
          assert.ok(isKernelError(e), `${name} threw a non-errno error: ${String(e)}`);
        }
      }
      assert.equal(await vfs.openCount(), handles.length);
      assert.equal(vfs.busy(), handles.length > 0);
      for (const h of handles) await vfs.close(h);
      assert.equal(await vfs.openCount(), 0);
      // The system is still usable.
      assert.equal((await vfs.resolveDir('/', '/')), '/');
      await vfs.shutdown();
      assert.equal(arena.bytesInUse('vfs'), 0);
      assert.equal(arena.bytesInUse('ext2'), 0, 'unmounting detaches ext2, which frees its cache');
    }), { numRuns: backing === 'ramfs' ? 300 : 100 });
    if (details.failed) assert.fail(`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
  });
}

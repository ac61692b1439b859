// Differential test: the same seeded random sequence of namespace and file calls runs
// on vfs (over ramfs, and over ext2 as the root disk) and on the host's Linux kernel
// in a temporary directory; every call must give the same errno (or both succeed
// with the same result), and the two trees must be identical at the end. Linux is
// the judge of which errno is right.
//
// Paths are relative, at most three components from a cwd three levels deep, and
// symlink targets never contain '..', so no call can reach above the test's root on
// the host. NOTE: this test uses node:fs, as the judge lives on the host; the code
// under test does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import * as hostfs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Arena, checksum } from '../../lib/arena.js';
import { Errno, errnoName, isKernelError } from '../../abi/errno.js';
import { O, S } from '../../abi/fs.js';
import type { KernelCalls } from '../../abi/component.js';
import type { Value } from '../../lib/codec.js';
import { create } from './index.js';
import { MemoryDisk, diskPeers } from './test-fixtures.js';
import { mkfsExt2 } from '../ext2/index.js';
import type { VfsInstance } from './index.js';

const CWD = '/r/s/w';
// The host applies its umask to new files; vfs gets modes with the kernel's applied.
// Both sides make 0o644 files and 0o755 directories with the usual 022.
process.umask(0o022);

// Mostly plain names, so that calls often succeed and build a tree worth comparing.
const componentArb = fc.oneof({ weight: 10, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 1, arbitrary: fc.constantFrom('.', '..') });
const rareArb = (n: number): fc.Arbitrary<boolean> => fc.nat(n - 1).map((x) => x === 0);
// One component most of the time, so names exist; up to three.
const componentsArb = fc.nat(8).chain((x) => fc.array(componentArb, { minLength: x < 5 ? 1 : x < 8 ? 2 : 3, maxLength: x < 5 ? 1 : x < 8 ? 2 : 3 }));
const pathArb = fc.tuple(componentsArb, rareArb(6), rareArb(10))
  .map(([parts, slash, doubled]) => parts.join(doubled ? '//' : '/') + (slash ? '/' : ''));
const targetArb = fc.array(fc.constantFrom('a', 'b', 'c', '.'), { minLength: 1, maxLength: 2 }).map((p) => p.join('/'));
const FLAG_SETS = [
  O.RDONLY, O.WRONLY | O.CREAT, O.RDWR | O.CREAT | O.EXCL, O.WRONLY | O.TRUNC, O.RDWR | O.CREAT | O.TRUNC,
  O.RDONLY | O.DIRECTORY, O.RDONLY | O.NOFOLLOW, O.WRONLY | O.CREAT | O.NOFOLLOW, O.WRONLY | O.APPEND, O.RDWR,
];

type Op =
  | { op: 'mkdir' | 'rmdir' | 'unlink' | 'stat' | 'lstat' | 'readlink' | 'resolveDir'; p: string }
  | { op: 'rename' | 'link'; p: string; q: string }
  | { op: 'symlink'; target: string; p: string }
  | { op: 'open'; p: string; flags: number; data: number; offset: number }
  | { op: 'truncate'; p: string; size: number }
  | { op: 'chmod'; p: string; mode: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('mkdir' as const, 'mkdir' as const, 'rmdir' as const, 'unlink' as const, 'stat' as const, 'lstat' as const, 'readlink' as const, 'resolveDir' as const), p: pathArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('rename' as const, 'link' as const), p: pathArb, q: pathArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('symlink' as const), target: targetArb, p: pathArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('open' as const), p: pathArb, flags: fc.constantFrom(...FLAG_SETS), data: fc.nat(20), offset: fc.oneof(fc.constant(0), fc.nat(5000)) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), p: pathArb, size: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('chmod' as const), p: pathArb, mode: fc.constantFrom(0o600, 0o755, 0o4711, 0o1777, 0o7000, 0o644) }) },
);

// A small tree both sides start from (made by the same calls), so that most random
// calls meet something: a directory with a file inside, a file, a symlink.
const SETUP: Op[] = [
  { op: 'mkdir', p: 'a' }, { op: 'open', p: 'a/b', flags: O.WRONLY | O.CREAT, data: 3, offset: 0 },
  { op: 'open', p: 'b', flags: O.WRONLY | O.CREAT, data: 7, offset: 0 }, { op: 'symlink', target: 'a', p: 'c' },
  { op: 'mkdir', p: '../b' },
];

type Outcome = { errno: string } | { ok: unknown };

async function outcome(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await fn() };
  } catch (e) {
    if (isKernelError(e)) return { errno: errnoName(e.errno) };
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in Errno) return { errno: code };
    throw e;
  }
}

const kind = (mode: number): string => ({ [S.IFREG]: 'file', [S.IFDIR]: 'dir', [S.IFLNK]: 'link' })[mode & S.IFMT] ?? 'other';
// Type, permission bits, and for non-directories size and link count (directory
// sizes and link counts of the host's filesystem are its own business).
const statSummary = (st: { mode: number; size: number; nlink: number }): string =>
  `${(st.mode & 0o7777).toString(8)} ` + (kind(st.mode) === 'dir' ? 'dir' : `${kind(st.mode)} size=${st.size} nlink=${st.nlink}`);

async function onVfs(vfs: VfsInstance, o: Op): Promise<Outcome> {
  return outcome(async () => {
    switch (o.op) {
      case 'mkdir': return vfs.mkdir(CWD, o.p, 0o755);
      case 'rmdir': return vfs.rmdir(CWD, o.p);
      case 'unlink': return vfs.unlink(CWD, o.p);
      case 'stat': return statSummary(await vfs.stat(CWD, o.p, true));
      case 'lstat': return statSummary(await vfs.stat(CWD, o.p, false));
      case 'readlink': return vfs.readlink(CWD, o.p);
      case 'resolveDir': return vfs.resolveDir(CWD, o.p);
      case 'rename': return vfs.rename(CWD, o.p, o.q);
      case 'link': return vfs.link(CWD, o.p, o.q);
      case 'symlink': return vfs.symlink(CWD, o.target, o.p);
      case 'truncate': return vfs.setattr(CWD, o.p, { size: o.size }, true);
      case 'chmod': return vfs.setattr(CWD, o.p, { mode: o.mode }, true);
      case 'open': {
        const { handle } = await vfs.open(CWD, o.p, o.flags, 0o644);
        try {
          if ((o.flags & O.ACCMODE) !== O.RDONLY) await vfs.write(handle, (o.flags & O.APPEND) !== 0 ? -1 : o.offset, new Uint8Array(o.data).fill(97 + (o.offset % 26)));
          return statSummary(await vfs.fstat(handle));
        } finally {
          await vfs.close(handle);
        }
      }
    }
  });
}

async function onHost(base: string, o: Op): Promise<Outcome> {
  const at = (p: string): string => `${base}${CWD}/${p}`; // no normalising: the kernel resolves
  return outcome(async () => {
    switch (o.op) {
      case 'mkdir': return void await hostfs.mkdir(at(o.p), 0o755);
      case 'rmdir': return void await hostfs.rmdir(at(o.p));
      case 'unlink': return void await hostfs.unlink(at(o.p));
      case 'stat': return statSummary(await hostfs.stat(at(o.p)));
      case 'lstat': return statSummary(await hostfs.lstat(at(o.p)));
      case 'readlink': return hostfs.readlink(at(o.p));
      case 'resolveDir': {
        // chdir(2) semantics: a directory, named by its canonical path (below `base`).
        if (!(await hostfs.stat(at(o.p))).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
        const real = await hostfs.realpath(at(o.p));
        return real === base ? '/' : real.slice(base.length);
      }
      case 'rename': return void await hostfs.rename(at(o.p), at(o.q));
      case 'link': return void await hostfs.link(at(o.p), at(o.q));
      case 'symlink': return void await hostfs.symlink(o.target, at(o.p));
      case 'truncate': return void await hostfs.truncate(at(o.p), o.size);
      case 'chmod': return void await hostfs.chmod(at(o.p), o.mode);
      case 'open': {
        const fh = await hostfs.open(at(o.p), o.flags, 0o644);
        try {
          if ((o.flags & O.ACCMODE) !== O.RDONLY) await fh.write(new Uint8Array(o.data).fill(97 + (o.offset % 26)), 0, o.data, (o.flags & O.APPEND) !== 0 ? null : o.offset);
          return statSummary(await fh.stat());
        } finally {
          await fh.close();
        }
      }
    }
  });
}

// The tree under a directory as text: one line per name, sorted.
async function vfsTree(vfs: VfsInstance, dir: string): Promise<string[]> {
  const out: string[] = [];
  const { handle } = await vfs.open('/', dir === '' ? '/' : dir, O.RDONLY | O.DIRECTORY, 0);
  const names = (await vfs.getdents(handle, 0, 1000)).map((e) => e.name).filter((n) => n !== '.' && n !== '..');
  await vfs.close(handle);
  for (const name of names.sort()) {
    const p = `${dir}/${name}`;
    const st = await vfs.stat('/', p, false);
    if (kind(st.mode) === 'link') out.push(`${p} -> ${await vfs.readlink('/', p)}`);
    else if (kind(st.mode) === 'file') out.push(`${p} ${statSummary(st)} ${checksum(await readWhole(vfs, p))}`);
    else out.push(`${p} ${statSummary(st)}`);
    if (kind(st.mode) === 'dir') out.push(...await vfsTree(vfs, p));
  }
  return out;
}

async function readWhole(vfs: VfsInstance, p: string): Promise<Uint8Array> {
  const { handle } = await vfs.open('/', p, O.RDONLY, 0);
  try {
    return await vfs.read(handle, 0, 1 << 20);
  } finally {
    await vfs.close(handle);
  }
}

async function hostTree(base: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await hostfs.readdir(base + dir)).sort()) {
    const p = `${dir}/${name}`;
    const st = await hostfs.lstat(base + p);
    if (st.isSymbolicLink()) out.push(`${p} -> ${await hostfs.readlink(base + p)}`);
    else if (st.isFile()) out.push(`${p} ${statSummary(st)} ${checksum(await hostfs.readFile(base + p))}`);
    else out.push(`${p} ${statSummary(st)}`);
    if (st.isDirectory()) out.push(...await hostTree(base, p));
  }
  return out;
}

async function bootOn(backing: 'ramfs' | 'ext2'): Promise<VfsInstance> {
  const config: Record<string, Value> = {};
  let peer: unknown;
  if (backing === 'ext2') {
    const disk = new MemoryDisk(2 << 20);
    await mkfsExt2(disk, { blockSize: 1024 });
    config['rootDisk'] = true;
    peer = disk;
  }
  const arena = new Arena('kernel', new SharedArrayBuffer(8 << 20));
  const vfs = create({
    name: 'vfs', arena, config,
    log: () => undefined, peer: peer === undefined ? <T>(): T => undefined as T : diskPeers(peer as MemoryDisk, arena), kernel: {} as KernelCalls,
  }) as VfsInstance;
  await vfs.init();
  await vfs.mkdir('/', '/r', 0o755);
  await vfs.mkdir('/', '/r/s', 0o755);
  await vfs.mkdir('/', '/r/s/w', 0o755);
  return vfs;
}

for (const [backing, runs] of [['ramfs', 300], ['ext2', 100]] as const) {
  test(`differential on ${backing}: random calls give the same errno and tree as on Linux`, async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'kernelkit-vfs-diff-'));
    let run = 0;
    try {
      const details = await fc.check(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const base = path.join(scratch, String(run++));
        mkdirSync(base + CWD, { recursive: true });
        const vfs = await bootOn(backing);
        const log: string[] = [];
        for (const o of [...SETUP, ...ops]) {
          const mine = await onVfs(vfs, o);
          const linux = await onHost(base, o);
          log.push(`${JSON.stringify(o)} => ${JSON.stringify(linux)}`);
          assert.deepEqual(mine, linux, `after:\n${log.join('\n')}`);
        }
        // The disk root also holds the /bin, /dev, /tmp mount points: compare /r only.
        assert.deepEqual(await vfsTree(vfs, '/r'), await hostTree(base, '/r'), `after:\n${log.join('\n')}`);
        assert.equal(await vfs.openCount(), 0);
        await vfs.shutdown();
        rmSync(base, { recursive: true, force: true });
      }), { numRuns: runs, seed: Number(process.env.DIFF_SEED ?? 20261201) });
      // fc.check rather than fc.assert: the report then carries the failing comparison.
      if (details.failed) assert.fail(`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

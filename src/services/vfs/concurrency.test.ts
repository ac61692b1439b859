// Interleaving: in the kernel domain, calls from different processes run
// concurrently and interleave at every `await` inside vfs and the filesystem. Random
// batches of calls run at once (Promise.all), on ramfs and on ext2; whatever each
// call answers, afterwards the tree must be consistent: every directory's link count
// is 2 + its subdirectories, every file's is the number of names it has, getdents
// and stat agree, nothing is left open, and appends from concurrent writers all land.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Arena } from '../../lib/arena.js';
import type { Value } from '../../lib/codec.js';
import type { KernelCalls } from '../../abi/component.js';
import { Errno, isKernelError } from '../../abi/errno.js';
import { O, S } from '../../abi/fs.js';
import { mkfsExt2 } from '../ext2/index.js';
import { create } from './index.js';
import type { VfsInstance } from './index.js';
import { MemoryDisk, diskPeers, enc } from './test-fixtures.js';

const ROOT = '/w';
const nameArb = fc.constantFrom('a', 'b', 'c', 'a/a', 'a/b', 'b/a', 'c/c');

type Op =
  | { op: 'mkdir' | 'rmdir' | 'unlink' | 'create' | 'append'; p: string }
  | { op: 'rename' | 'link'; p: string; q: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('mkdir' as const, 'rmdir' as const, 'unlink' as const, 'create' as const, 'append' as const), p: nameArb }),
  fc.record({ op: fc.constantFrom('rename' as const, 'link' as const), p: nameArb, q: nameArb }),
);

async function run(vfs: VfsInstance, o: Op): Promise<void> {
  const at = (p: string): string => `${ROOT}/${p}`;
  try {
    switch (o.op) {
      case 'mkdir': return await vfs.mkdir('/', at(o.p), 0o755);
      case 'rmdir': return await vfs.rmdir('/', at(o.p));
      case 'unlink': return await vfs.unlink('/', at(o.p));
      case 'rename': return await vfs.rename('/', at(o.p), at(o.q));
      case 'link': return await vfs.link('/', at(o.p), at(o.q));
      case 'create':
      case 'append': {
        const { handle } = await vfs.open('/', at(o.p), O.WRONLY | O.CREAT | (o.op === 'append' ? O.APPEND : O.TRUNC), 0o644);
        try {
          await vfs.write(handle, -1, enc.encode('x'));
        } finally {
          await vfs.close(handle);
        }
      }
    }
  } catch (e) {
    if (!isKernelError(e)) throw e;
    // Whoever else runs at the same time, open(O_CREAT) without O_EXCL never says EEXIST.
    if ((o.op === 'create' || o.op === 'append') && e.errno === Errno.EEXIST) throw e;
  }
}

// Walks the tree and checks link counts and that getdents and stat agree.
async function check(vfs: VfsInstance): Promise<void> {
  const names = new Map<number, number>(); // file ino -> names seen
  const links = new Map<number, number>(); // file ino -> st_nlink
  const walk = async (dir: string): Promise<void> => {
    const { handle } = await vfs.open('/', dir, O.RDONLY | O.DIRECTORY, 0);
    const entries = await vfs.getdents(handle, 0, 10000);
    await vfs.close(handle);
    assert.deepEqual(entries.slice(0, 2).map((e) => e.name), ['.', '..']);
    let subdirs = 0;
    for (const e of entries.slice(2)) {
      const st = await vfs.stat('/', `${dir}/${e.name}`, false);
      assert.equal(st.ino, e.ino, `${dir}/${e.name}: getdents and stat agree on the inode`);
      if ((st.mode & S.IFMT) === S.IFDIR) {
        subdirs++;
        await walk(`${dir}/${e.name}`);
      } else {
        names.set(st.ino, (names.get(st.ino) ?? 0) + 1);
        links.set(st.ino, st.nlink);
      }
    }
    assert.equal((await vfs.stat('/', dir, false)).nlink, 2 + subdirs, `${dir}: link count is 2 + subdirectories`);
  };
  await walk(ROOT);
  for (const [ino, n] of names) assert.equal(links.get(ino), n, `inode ${ino}: link count is its number of names`);
}

async function bootOn(backing: 'ramfs' | 'ext2'): Promise<VfsInstance> {
  const config: Record<string, Value> = {};
  let disk: MemoryDisk | undefined;
  if (backing === 'ext2') {
    disk = new MemoryDisk(4 << 20);
    await mkfsExt2(disk, { blockSize: 1024 });
    config['rootDisk'] = true;
  }
  const arena = new Arena('kernel', new SharedArrayBuffer(8 << 20));
  const vfs = create({
    name: 'vfs', arena, config,
    log: () => undefined, peer: disk === undefined ? <T>(): T => undefined as T : diskPeers(disk, arena), kernel: {} as KernelCalls,
  }) as VfsInstance;
  await vfs.init();
  await vfs.mkdir('/', ROOT, 0o755);
  return vfs;
}

for (const backing of ['ramfs', 'ext2'] as const) {
  test(`concurrency on ${backing}: interleaved calls leave a consistent tree`, async () => {
    const details = await fc.check(fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 2, maxLength: 8 }), { minLength: 1, maxLength: 6 }), async (batches) => {
      const vfs = await bootOn(backing);
      for (const batch of batches) await Promise.all(batch.map((o) => run(vfs, o)));
      await check(vfs);
      assert.equal(await vfs.openCount(), 0);
      await vfs.shutdown();
    }), { numRuns: 150 });
    if (details.failed) assert.fail(`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
  });

  test(`concurrency on ${backing}: concurrent appenders all land`, async () => {
    const vfs = await bootOn(backing);
    const writers = await Promise.all(Array.from({ length: 8 }, () => vfs.open('/', `${ROOT}/log`, O.WRONLY | O.CREAT | O.APPEND, 0o644)));
    await Promise.all(writers.flatMap((w, i) => Array.from({ length: 25 }, () => vfs.write(w.handle, -1, enc.encode(String.fromCharCode(65 + i).repeat(3))))));
    for (const w of writers) await vfs.close(w.handle);
    const st = await vfs.stat('/', `${ROOT}/log`, true);
    assert.equal(st.size, 8 * 25 * 3);
    const { handle } = await vfs.open('/', `${ROOT}/log`, O.RDONLY, 0);
    const text = new TextDecoder().decode(await vfs.read(handle, 0, st.size));
    await vfs.close(handle);
    // Every 3-byte record is whole: appends never interleave inside one write.
    assert.match(text, /^(AAA|BBB|CCC|DDD|EEE|FFF|GGG|HHH)+$/);
    await vfs.shutdown();
  });
}

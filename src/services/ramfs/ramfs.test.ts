// Unit tests for ramfs: the FileSystem contract on its own (no vfs), the page store in
// the arena, and a property test of random operations against a simple model.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Arena, checksum } from '../../lib/arena.js';
import { Errno, isKernelError } from '../../abi/errno.js';
import { S, DT, makedev } from '../../abi/fs.js';
import type { Ino } from '../../abi/ids.js';
import { asIno } from '../../abi/ids.js';
import { Ramfs, PAGE_SIZE, MAX_FILE_SIZE, CHUNK_PAGES } from './index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function setup(size = 16 << 20): { fs: Ramfs; arena: Arena } {
  const arena = new Arena('kernel', new SharedArrayBuffer(size));
  return { fs: new Ramfs({ arena, owner: 'vfs' }), arena };
}

async function errno(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (isKernelError(e)) return e.errno;
    throw e;
  }
  assert.fail('expected an error');
}

test('files: create, write, read back, size and blocks', async () => {
  const { fs } = setup();
  const f = await fs.create(fs.root(), 'a', S.IFREG | 0o644);
  assert.equal(await fs.write(f, 0, enc.encode('hello world')), 11);
  assert.equal(dec.decode(await fs.read(f, 0, 100)), 'hello world');
  assert.equal(dec.decode(await fs.read(f, 6, 3)), 'wor');
  assert.equal((await fs.read(f, 11, 10)).length, 0);
  assert.equal((await fs.read(f, 50, 10)).length, 0);
  const st = await fs.getattr(f);
  assert.equal(st.size, 11);
  assert.equal(st.mode, S.IFREG | 0o644);
  assert.equal(st.nlink, 1);
  assert.equal(st.blocks, PAGE_SIZE / 512);
  assert.equal(await fs.lookup(fs.root(), 'a'), f);
});

test('file data lives in arena memory owned by the given owner', async () => {
  const { fs, arena } = setup();
  const f = await fs.create(fs.root(), 'a', 0o644);
  await fs.write(f, 0, new Uint8Array(3 * PAGE_SIZE).fill(7));
  assert.equal(fs.pagesInUse, 3);
  const regions = arena.list('vfs');
  assert.equal(regions.length, 1, 'one chunk holds the three pages');
  assert.ok(regions.every((r) => r.tag === 'ramfs' && r.length === CHUNK_PAGES * PAGE_SIZE));
  // A wild write into the arena really changes the file (ARCHITECTURE.md rule 4).
  arena.memory[regions[0]!.offset + PAGE_SIZE + 5] = 0x42;
  const data = await fs.read(f, 0, 3 * PAGE_SIZE);
  assert.equal(data[PAGE_SIZE + 5], 0x42);
  assert.equal(data[PAGE_SIZE + 4], 7);
});

test('chunks go back to the arena when their last page is freed; reused pages read as zeros', async () => {
  const { fs, arena } = setup();
  const a = await fs.create(fs.root(), 'a', 0o644);
  const b = await fs.create(fs.root(), 'b', 0o644);
  await fs.write(a, 0, new Uint8Array((CHUNK_PAGES + 2) * PAGE_SIZE).fill(1));
  assert.equal(arena.list('vfs').length, 2);
  await fs.setattr(a, { size: PAGE_SIZE });
  assert.equal(arena.list('vfs').length, 1, 'the second chunk emptied and went back');
  await fs.write(b, PAGE_SIZE * 3, enc.encode('b')); // reuses a freed page of the first chunk
  assert.equal(arena.list('vfs').length, 1);
  const page = await fs.read(b, PAGE_SIZE * 3 - 10, 11);
  assert.deepEqual([...page], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 98]);
  // The rest of the reused page must not show a's old bytes once the file grows over it.
  await fs.setattr(b, { size: PAGE_SIZE * 4 });
  assert.ok((await fs.read(b, PAGE_SIZE * 3 + 1, PAGE_SIZE - 1)).every((x) => x === 0));
  assert.equal(fs.pagesInUse, 2);
  await fs.unlink(fs.root(), 'a');
  await fs.unlink(fs.root(), 'b');
  assert.equal(fs.pagesInUse, 0);
  assert.equal(arena.list('vfs').length, 0);
  assert.equal((await fs.statfs()).freeBlocks, arena.size / PAGE_SIZE);
});

test('sparse writes allocate only the pages written; holes read as zeros', async () => {
  const { fs } = setup();
  const f = await fs.create(fs.root(), 's', 0o644);
  await fs.write(f, 10 * PAGE_SIZE + 3, enc.encode('xyz'));
  assert.equal(fs.pagesInUse, 1);
  const st = await fs.getattr(f);
  assert.equal(st.size, 10 * PAGE_SIZE + 6);
  assert.equal(st.blocks, PAGE_SIZE / 512);
  const all = await fs.read(f, 0, st.size);
  assert.equal(checksum(all.subarray(0, 10 * PAGE_SIZE + 3)), checksum(new Uint8Array(10 * PAGE_SIZE + 3)));
  assert.equal(dec.decode(all.subarray(10 * PAGE_SIZE + 3)), 'xyz');
});

test('truncate frees pages and zeroes the cut tail, so extending reads zeros', async () => {
  const { fs, arena } = setup();
  const f = await fs.create(fs.root(), 't', 0o644);
  await fs.write(f, 0, new Uint8Array(2 * PAGE_SIZE + 100).fill(9));
  assert.equal(fs.pagesInUse, 3);
  await fs.setattr(f, { size: 10 });
  assert.equal(fs.pagesInUse, 1);
  await fs.setattr(f, { size: 2 * PAGE_SIZE });
  const data = await fs.read(f, 0, 2 * PAGE_SIZE);
  assert.deepEqual([...data.subarray(0, 11)], [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0]);
  assert.ok(data.subarray(10).every((b) => b === 0));
  await fs.setattr(f, { size: 0 });
  assert.equal(fs.pagesInUse, 0);
  assert.equal(arena.list('vfs').length, 0);
  assert.equal(await errno(fs.setattr(f, { size: -1 })), Errno.EINVAL);
  assert.equal(await errno(fs.setattr(f, { size: MAX_FILE_SIZE + 1 })), Errno.EFBIG);
  assert.equal(await errno(fs.setattr(fs.root(), { size: 0 })), Errno.EISDIR);
});

test('directories: mkdir, nlink counts, readdir with . and .., rmdir', async () => {
  const { fs } = setup();
  const d = await fs.mkdir(fs.root(), 'd', 0o755);
  assert.equal((await fs.getattr(fs.root())).nlink, 3);
  assert.equal((await fs.getattr(d)).nlink, 2);
  await fs.create(d, 'f', 0o644);
  await fs.mkdir(d, 'sub', 0o700);
  assert.equal((await fs.getattr(d)).nlink, 3);
  const list = await fs.readdir(d);
  assert.deepEqual(list.map((e) => [e.name, e.type]), [['.', DT.DIR], ['..', DT.DIR], ['f', DT.REG], ['sub', DT.DIR]]);
  assert.equal(list[1]!.ino, fs.root());
  assert.equal(await fs.lookup(d, '..'), fs.root());
  assert.equal(await errno(fs.rmdir(fs.root(), 'd')), Errno.ENOTEMPTY);
  assert.equal(await errno(fs.rmdir(d, 'f')), Errno.ENOTDIR);
  assert.equal(await errno(fs.unlink(d, 'sub')), Errno.EISDIR);
  await fs.rmdir(d, 'sub');
  await fs.unlink(d, 'f');
  await fs.rmdir(fs.root(), 'd');
  assert.equal((await fs.getattr(fs.root())).nlink, 2);
  assert.equal(await errno(fs.lookup(fs.root(), 'd')), Errno.ENOENT);
  assert.equal(fs.inodeCount, 1);
});

test('names: EEXIST, ENOENT, ENAMETOOLONG, ENOTDIR, bad names', async () => {
  const { fs } = setup();
  const f = await fs.create(fs.root(), 'f', 0o644);
  assert.equal(await errno(fs.create(fs.root(), 'f', 0o644)), Errno.EEXIST);
  assert.equal(await errno(fs.mkdir(fs.root(), 'f', 0o755)), Errno.EEXIST);
  assert.equal(await errno(fs.symlink(fs.root(), 'f', 'x')), Errno.EEXIST);
  assert.equal(await errno(fs.mkdir(fs.root(), '.', 0o755)), Errno.EEXIST);
  assert.equal(await errno(fs.lookup(fs.root(), 'nope')), Errno.ENOENT);
  assert.equal(await errno(fs.lookup(f, 'x')), Errno.ENOTDIR);
  assert.equal(await errno(fs.create(f, 'x', 0o644)), Errno.ENOTDIR);
  assert.equal(await errno(fs.create(fs.root(), 'x'.repeat(256), 0o644)), Errno.ENAMETOOLONG);
  await fs.create(fs.root(), 'x'.repeat(255), 0o644);
  // 128 two-byte characters are 256 bytes: too long although 128 UTF-16 units.
  assert.equal(await errno(fs.create(fs.root(), 'é'.repeat(128), 0o644)), Errno.ENAMETOOLONG);
  assert.equal(await errno(fs.create(fs.root(), 'a/b', 0o644)), Errno.EINVAL);
  assert.equal(await errno(fs.create(fs.root(), '', 0o644)), Errno.ENOENT);
  assert.equal(await errno(fs.getattr(asIno(9999))), Errno.ENOENT);
});

test('symlinks, device nodes and hard links', async () => {
  const { fs } = setup();
  const l = await fs.symlink(fs.root(), 'l', '/some/where');
  const st = await fs.getattr(l);
  assert.equal(st.mode & S.IFMT, S.IFLNK);
  assert.equal(st.size, 11);
  assert.equal(await fs.readlink(l), '/some/where');
  assert.equal(await errno(fs.readlink(fs.root())), Errno.EINVAL);
  assert.equal(await errno(fs.symlink(fs.root(), 'e', '')), Errno.ENOENT);
  const n = await fs.create(fs.root(), 'null', S.IFCHR | 0o666, makedev(1, 3));
  assert.equal((await fs.getattr(n)).rdev, makedev(1, 3));
  assert.equal((await fs.getattr(n)).mode, S.IFCHR | 0o666);
  const b = await fs.create(fs.root(), 'blk', S.IFBLK | 0o660, makedev(8, 0));
  assert.equal((await fs.getattr(b)).mode & S.IFMT, S.IFBLK);
  assert.equal(await errno(fs.write(n, 0, enc.encode('x'))), Errno.EINVAL);
  const f = await fs.create(fs.root(), 'f', 0o644);
  await fs.write(f, 0, enc.encode('data'));
  await fs.link(fs.root(), 'g', f);
  assert.equal((await fs.getattr(f)).nlink, 2);
  await fs.unlink(fs.root(), 'f');
  assert.equal((await fs.getattr(f)).nlink, 1);
  assert.equal(dec.decode(await fs.read(await fs.lookup(fs.root(), 'g'), 0, 10)), 'data');
  assert.equal(await errno(fs.link(fs.root(), 'dd', fs.root())), Errno.EPERM);
});

test('setattr keeps the type bits and sets owner and times', async () => {
  const { fs } = setup();
  const f = await fs.create(fs.root(), 'f', 0o644);
  await fs.setattr(f, { mode: S.IFDIR | 0o4711, uid: 5, gid: 6, atimeNs: 1e18, mtimeNs: 2e18 });
  const st = await fs.getattr(f);
  assert.equal(st.mode, S.IFREG | 0o4711);
  assert.equal(st.uid, 5);
  assert.equal(st.gid, 6);
  assert.equal(st.atimeNs, 1e18);
  assert.equal(st.mtimeNs, 2e18);
});

test('writing changes mtime and ctime; creating a name changes the directory mtime', async () => {
  const { fs } = setup();
  const f = await fs.create(fs.root(), 'f', 0o644);
  await fs.setattr(f, { mtimeNs: 0 });
  await fs.setattr(fs.root(), { mtimeNs: 0 });
  await fs.write(f, 0, enc.encode('x'));
  assert.ok((await fs.getattr(f)).mtimeNs > 0);
  await fs.create(fs.root(), 'g', 0o644);
  assert.ok((await fs.getattr(fs.root())).mtimeNs > 0);
});

test('unlinked open file lives until the last release, then its pages are freed', async () => {
  const { fs, arena } = setup();
  const f = await fs.create(fs.root(), 'f', 0o644);
  await fs.write(f, 0, new Uint8Array(PAGE_SIZE * 2).fill(1));
  await fs.open(f);
  await fs.open(f);
  await fs.unlink(fs.root(), 'f');
  assert.equal(await errno(fs.lookup(fs.root(), 'f')), Errno.ENOENT);
  assert.equal((await fs.getattr(f)).nlink, 0);
  assert.equal((await fs.read(f, 0, 10))[0], 1);
  await fs.write(f, PAGE_SIZE * 2, enc.encode('more'));
  await fs.release(f);
  assert.equal(fs.pagesInUse, 3);
  await fs.release(f);
  assert.equal(fs.pagesInUse, 0);
  assert.equal(arena.list('vfs').length, 0);
  assert.equal(await errno(fs.getattr(f)), Errno.ENOENT);
  assert.equal(await errno(fs.release(f)), Errno.EINVAL);
  assert.equal(fs.inodeCount, 1);
});

test('rename: within and across directories, over files and empty dirs, errors', async () => {
  const { fs } = setup();
  const root = fs.root();
  const a = await fs.mkdir(root, 'a', 0o755);
  const b = await fs.mkdir(root, 'b', 0o755);
  const f = await fs.create(a, 'f', 0o644);
  await fs.rename(a, 'f', b, 'g');
  assert.equal(await fs.lookup(b, 'g'), f);
  assert.equal(await errno(fs.lookup(a, 'f')), Errno.ENOENT);
  // Over an existing file: the old one loses its link.
  const h = await fs.create(b, 'h', 0o644);
  await fs.rename(b, 'g', b, 'h');
  assert.equal(await fs.lookup(b, 'h'), f);
  assert.equal(await errno(fs.getattr(h)), Errno.ENOENT);
  // A directory moves: nlink of both parents and its '..' follow.
  const sub = await fs.mkdir(a, 'sub', 0o755);
  await fs.rename(a, 'sub', b, 'sub');
  assert.equal((await fs.getattr(a)).nlink, 2);
  assert.equal((await fs.getattr(b)).nlink, 3);
  assert.equal(await fs.lookup(sub, '..'), b);
  // Over an empty directory works; over a non-empty one does not.
  const empty = await fs.mkdir(root, 'empty', 0o755);
  await fs.rename(b, 'sub', root, 'empty');
  assert.equal(await fs.lookup(root, 'empty'), sub);
  assert.equal(await errno(fs.getattr(empty)), Errno.ENOENT);
  assert.equal((await fs.getattr(b)).nlink, 2);
  await fs.create(sub, 'x', 0o644);
  assert.equal(await errno(fs.rename(root, 'a', root, 'empty')), Errno.ENOTEMPTY);
  assert.equal(await errno(fs.rename(root, 'a', b, 'h')), Errno.ENOTDIR);
  assert.equal(await errno(fs.rename(b, 'h', root, 'a')), Errno.EISDIR);
  assert.equal(await errno(fs.rename(root, 'empty', sub, 'inside')), Errno.EINVAL);
  assert.equal(await errno(fs.rename(root, 'nope', root, 'x')), Errno.ENOENT);
  // Two names of one inode: nothing happens.
  await fs.link(b, 'h2', f);
  await fs.rename(b, 'h', b, 'h2');
  assert.equal(await fs.lookup(b, 'h'), f);
  assert.equal((await fs.getattr(f)).nlink, 2);
});

test('ENOSPC when the arena is full; a short write when it fills part-way', async () => {
  const { fs } = setup(PAGE_SIZE * 4);
  const f = await fs.create(fs.root(), 'f', 0o644);
  const n = await fs.write(f, 0, new Uint8Array(PAGE_SIZE * 6).fill(3));
  assert.equal(n, PAGE_SIZE * 4);
  assert.equal((await fs.getattr(f)).size, PAGE_SIZE * 4);
  assert.equal(await errno(fs.write(f, PAGE_SIZE * 4, enc.encode('x'))), Errno.ENOSPC);
  const sf = await fs.statfs();
  assert.equal(sf.freeBlocks, 0);
  assert.equal(sf.fsType, 'ramfs');
});

test('unmount frees every page and makes the filesystem unusable', async () => {
  const { fs, arena } = setup();
  const f = await fs.create(fs.root(), 'f', 0o644);
  await fs.write(f, 0, new Uint8Array(100));
  await fs.unmount();
  assert.equal(arena.list('vfs').length, 0);
  assert.equal(await errno(fs.getattr(fs.root())), Errno.EIO);
});

// ---- property test: random operations against a model ----

type Op =
  | { op: 'write'; file: number; offset: number; len: number; byte: number }
  | { op: 'truncate'; file: number; size: number }
  | { op: 'unlink'; file: number }
  | { op: 'link'; file: number; to: number }
  | { op: 'rename'; file: number; to: number };

const NAMES = ['a', 'b', 'c', 'd'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), file: fc.nat(3), offset: fc.nat(3 * PAGE_SIZE), len: fc.integer({ min: 1, max: PAGE_SIZE + 10 }), byte: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), file: fc.nat(3), size: fc.nat(4 * PAGE_SIZE) }),
  fc.record({ op: fc.constant('unlink' as const), file: fc.nat(3) }),
  fc.record({ op: fc.constant('link' as const), file: fc.nat(3), to: fc.nat(3) }),
  fc.record({ op: fc.constant('rename' as const), file: fc.nat(3), to: fc.nat(3) }),
);

test('property: random file operations match a model, and nothing leaks', async () => {
  await fc.assert(fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) => {
    const { fs, arena } = setup(1 << 20);
    const root = fs.root();
    // Model: name -> shared content object (hard links share it).
    const model = new Map<string, { data: Uint8Array }>();
    const expectErr = async (p: Promise<unknown>, code: number | undefined): Promise<void> => {
      if (code === undefined) { await p; return; }
      assert.equal(await errno(p), code);
    };
    for (const o of ops) {
      const name = NAMES[o.file]!;
      const entry = model.get(name);
      switch (o.op) {
        case 'write': {
          let ino: Ino;
          if (entry === undefined) { ino = await fs.create(root, name, 0o644); model.set(name, { data: new Uint8Array(0) }); } else ino = await fs.lookup(root, name);
          const e = model.get(name)!;
          await fs.write(ino, o.offset, new Uint8Array(o.len).fill(o.byte));
          const end = Math.max(e.data.length, o.offset + o.len);
          const next = new Uint8Array(end);
          next.set(e.data);
          next.fill(o.byte, o.offset, o.offset + o.len);
          e.data = next;
          break;
        }
        case 'truncate': {
          if (entry === undefined) break;
          await fs.setattr(await fs.lookup(root, name), { size: o.size });
          const next = new Uint8Array(o.size);
          next.set(entry.data.subarray(0, o.size));
          entry.data = next;
          break;
        }
        case 'unlink':
          await expectErr(fs.unlink(root, name), entry === undefined ? Errno.ENOENT : undefined);
          model.delete(name);
          break;
        case 'link': {
          const to = NAMES[o.to]!;
          if (entry === undefined) { await expectErr(fs.lookup(root, name), Errno.ENOENT); break; }
          await expectErr(fs.link(root, to, await fs.lookup(root, name)), model.has(to) ? Errno.EEXIST : undefined);
          if (!model.has(to)) model.set(to, entry);
          break;
        }
        case 'rename': {
          const to = NAMES[o.to]!;
          await expectErr(fs.rename(root, name, root, to), entry === undefined ? Errno.ENOENT : undefined);
          if (entry !== undefined && model.get(to) !== entry) { model.set(to, entry); model.delete(name); }
          break;
        }
      }
    }
    const listed = (await fs.readdir(root)).map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort();
    assert.deepEqual(listed, [...model.keys()].sort());
    for (const [name, e] of model) {
      const ino = await fs.lookup(root, name);
      const st = await fs.getattr(ino);
      assert.equal(st.size, e.data.length);
      assert.deepEqual(await fs.read(ino, 0, st.size + 10), e.data);
    }
    for (const name of [...model.keys()]) await fs.unlink(root, name);
    assert.equal(fs.pagesInUse, 0, 'every page went back');
    assert.equal(arena.list('vfs').length, 0, 'every chunk went back to the arena');
    assert.equal(fs.inodeCount, 1);
  }), { numRuns: 200 });
});

// Unit tests for vfs: boot from an initramfs, path resolution, open flags and
// handles, and the namespace calls with their errno values (as Linux gives them).
// Mounts and disk roots are in mounting.test.ts; vfs against Linux itself in
// differential.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../abi/errno.js';
import { O, S, DT, makedev } from '../../abi/fs.js';
import { create, manifest } from './index.js';
import { VFS } from '../../abi/services.js';
import type { VfsInstance } from './index.js';
import { boot, context, errno, readAll, writeFile, enc, dec } from './test-fixtures.js';

test('manifest names vfs and uses ext2, hostfs, proc and diskfs; the service list marks only read-only calls besides sync as idempotent', () => {
  assert.equal(manifest.name, 'vfs');
  assert.deepEqual([...manifest.uses], ['ext2', 'hostfs', 'proc', 'diskfs']);
  for (const m of ['stat', 'read', 'getdents', 'fstat', 'readlink', 'resolveDir', 'statfs', 'mounts', 'openCount']) assert.equal(VFS.byName.get(m)?.idempotent, true, m);
  for (const m of ['write', 'open', 'unlink', 'rename', 'mkdir']) assert.equal(VFS.byName.get(m)?.idempotent, false, m);
});

test('boot fills the root ramfs from the initramfs', async () => {
  const vfs = await boot();
  assert.deepEqual(await vfs.mounts(), [{ source: 'initramfs', target: '/', fstype: 'ramfs', options: 'rw' }]);
  assert.equal(await readAll(vfs, '/etc/motd'), 'hello\n');
  assert.equal(await readAll(vfs, '/etc/deep/er/file'), 'deep');
  const motd = await vfs.stat('/', '/etc/motd', true);
  assert.equal(motd.mode, S.IFREG | 0o644);
  assert.equal(motd.uid, 3);
  assert.equal(motd.gid, 4);
  assert.equal((await vfs.stat('/', '/bin/sh', true)).mtimeNs, 1_700_000_000 * 1e9);
  // A directory keeps its archive mtime although entries were added to it afterwards.
  assert.equal((await vfs.stat('/', '/etc', true)).mtimeNs, 1_600_000_000 * 1e9);
  assert.equal((await vfs.stat('/', '/tmp', true)).mode, S.IFDIR | 0o1777);
  assert.equal(await vfs.readlink('/', '/etc/motd-link'), 'motd');
  const devices: [string, number, number][] = [['null', 1, 3], ['zero', 1, 5], ['console', 5, 1], ['ttyerr', 5, 2], ['blk0', 8, 0]];
  for (const [name, major, minor] of devices) {
    const st = await vfs.stat('/', `/dev/${name}`, true);
    assert.equal(st.rdev, makedev(major, minor), name);
  }
  assert.equal((await vfs.stat('/', '/dev/blk0', true)).mode & S.IFMT, S.IFBLK);
  assert.equal((await vfs.stat('/', '/dev/null', true)).mode & S.IFMT, S.IFCHR);
});

test('boot without an initramfs gives an empty root; a bad one is refused', async () => {
  const vfs = create(context({})) as VfsInstance;
  await vfs.init();
  const { handle } = await vfs.open('/', '/', O.RDONLY | O.DIRECTORY, 0);
  assert.deepEqual((await vfs.getdents(handle, 0, 10)).map((e) => e.name), ['.', '..']);
  await vfs.close(handle);
  const bad = create(context({ initramfs: enc.encode('not a cpio archive at all, no, not at all, not at all, not at all, not at all, not at all, not at all') })) as VfsInstance;
  await assert.rejects(bad.init(), /cpio/);
});

test('paths: relative to cwd, dot, dot-dot, repeated and trailing slashes', async () => {
  const vfs = await boot();
  assert.equal(await readAll(vfs, 'motd', '/etc'), 'hello\n');
  assert.equal(await readAll(vfs, './deep/../motd', '/etc'), 'hello\n');
  assert.equal(await readAll(vfs, '//etc///motd'), 'hello\n');
  assert.equal(await readAll(vfs, '../../../etc/motd', '/etc/deep'), 'hello\n');
  assert.equal(await vfs.resolveDir('/', '/..'), '/');
  assert.equal(await vfs.resolveDir('/etc', '..'), '/');
  assert.equal(await vfs.resolveDir('/etc', 'deep/er/'), '/etc/deep/er');
  assert.equal(await vfs.resolveDir('/etc/deep/er', '../../.'), '/etc');
  assert.equal(await errno(vfs.resolveDir('/', '/etc/motd')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.stat('/', '/etc/motd/', true)), Errno.ENOTDIR);
  assert.equal(await errno(vfs.stat('/', '/etc/motd/.', true)), Errno.ENOTDIR);
  assert.equal(await errno(vfs.stat('/', '/etc/motd/..', true)), Errno.ENOTDIR);
  assert.equal(await errno(vfs.stat('/', '/etc/nope/x', true)), Errno.ENOENT);
  assert.equal(await errno(vfs.stat('/', '', true)), Errno.ENOENT);
  assert.equal((await vfs.stat('/', '/etc/', true)).mode & S.IFMT, S.IFDIR);
});

test('paths: ENAMETOOLONG for a component over 255 bytes or a path of 4096', async () => {
  const vfs = await boot();
  assert.equal(await errno(vfs.stat('/', '/' + 'a'.repeat(256), true)), Errno.ENAMETOOLONG);
  assert.equal(await errno(vfs.stat('/', '/' + 'a'.repeat(255), true)), Errno.ENOENT);
  const long = '/' + 'abcdefg/'.repeat(512); // 4097 bytes
  assert.equal(await errno(vfs.stat('/', long, true)), Errno.ENAMETOOLONG);
  assert.equal(await errno(vfs.mkdir('/', '/tmp/' + 'é'.repeat(128), 0o755)), Errno.ENAMETOOLONG);
  await vfs.mkdir('/', '/tmp/' + 'é'.repeat(127), 0o755);
});

test('symlinks: followed in the middle, at the end on request, physically for ..', async () => {
  const vfs = await boot();
  assert.equal(await readAll(vfs, '/etc/motd-link'), 'hello\n');
  assert.equal(await readAll(vfs, '/etc/abs-link/er/file'), 'deep');
  // '..' after a symlink is the parent of the target, not of the link.
  assert.equal(await vfs.resolveDir('/', '/etc/abs-link/..'), '/etc');
  assert.equal(await vfs.resolveDir('/', '/etc/abs-link'), '/etc/deep');
  assert.equal((await vfs.stat('/', '/etc/motd-link', false)).mode & S.IFMT, S.IFLNK);
  assert.equal((await vfs.stat('/', '/etc/motd-link', true)).mode & S.IFMT, S.IFREG);
  // A trailing slash follows the link even for lstat and readlink.
  assert.equal((await vfs.stat('/', '/etc/abs-link/', false)).mode & S.IFMT, S.IFDIR);
  assert.equal(await errno(vfs.readlink('/', '/etc/abs-link/')), Errno.EINVAL);
  assert.equal(await errno(vfs.readlink('/', '/etc/motd')), Errno.EINVAL);
  assert.equal(await errno(vfs.stat('/', '/etc/motd-link/', true)), Errno.ENOTDIR);
  await vfs.symlink('/', 'nowhere', '/tmp/dangling');
  assert.equal(await errno(vfs.stat('/', '/tmp/dangling', true)), Errno.ENOENT);
  assert.equal((await vfs.stat('/', '/tmp/dangling', false)).size, 7);
});

test('symlinks: 40 are followed, the 41st is ELOOP, and so is a cycle', async () => {
  const vfs = await boot();
  await writeFile(vfs, '/tmp/target', 'end');
  await vfs.symlink('/', 'target', '/tmp/l0');
  for (let i = 1; i < 41; i++) await vfs.symlink('/', `l${i - 1}`, `/tmp/l${i}`);
  assert.equal(await readAll(vfs, '/tmp/l39'), 'end'); // 40 links
  assert.equal(await errno(vfs.stat('/', '/tmp/l40', true)), Errno.ELOOP); // 41 links
  await vfs.symlink('/', 'b', '/tmp/a');
  await vfs.symlink('/', 'a', '/tmp/b');
  assert.equal(await errno(vfs.open('/', '/tmp/a', O.RDONLY, 0)), Errno.ELOOP);
  assert.equal(await errno(vfs.stat('/', '/tmp/a/x', false)), Errno.ELOOP);
  assert.equal(await errno(vfs.open('/', '/tmp/a', O.RDWR | O.CREAT, 0o644)), Errno.ELOOP);
  // O_CREAT counts the links in the directories and at the end against one limit.
  await vfs.mkdir('/', '/tmp/dir', 0o755);
  await vfs.symlink('/', '/tmp/dir', '/tmp/d0');
  for (let i = 1; i < 30; i++) await vfs.symlink('/', `d${i - 1}`, `/tmp/d${i}`);
  await vfs.symlink('/', 'created', '/tmp/dir/f0');
  for (let i = 1; i < 15; i++) await vfs.symlink('/', `f${i - 1}`, `/tmp/dir/f${i}`);
  assert.equal(await errno(vfs.open('/', '/tmp/d29/f14', O.WRONLY | O.CREAT, 0o644)), Errno.ELOOP); // 30 + 15
  const ok = await vfs.open('/', '/tmp/d29/f9', O.WRONLY | O.CREAT, 0o644); // 30 + 10
  await vfs.close(ok.handle);
  assert.equal((await vfs.stat('/', '/tmp/dir/created', false)).mode & S.IFMT, S.IFREG);
});

test('open: O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW', async () => {
  const vfs = await boot();
  const r = await vfs.open('/tmp', 'new', O.WRONLY | O.CREAT, 0o640);
  assert.equal(r.kind, 'file');
  assert.equal(r.mode, S.IFREG | 0o640);
  await vfs.write(r.handle, 0, enc.encode('0123456789'));
  await vfs.close(r.handle);
  assert.equal(await errno(vfs.open('/', '/tmp/new', O.WRONLY | O.CREAT | O.EXCL, 0o644)), Errno.EEXIST);
  // O_EXCL does not follow a symlink, even a dangling one.
  await vfs.symlink('/', '/tmp/absent', '/tmp/dl');
  assert.equal(await errno(vfs.open('/', '/tmp/dl', O.WRONLY | O.CREAT | O.EXCL, 0o644)), Errno.EEXIST);
  // Without O_EXCL, O_CREAT through a dangling symlink creates its target.
  const t = await vfs.open('/', '/tmp/dl', O.WRONLY | O.CREAT, 0o600);
  await vfs.close(t.handle);
  assert.equal((await vfs.stat('/', '/tmp/absent', false)).mode, S.IFREG | 0o600);
  // O_CREAT on an existing file keeps its content; O_TRUNC empties it.
  const again = await vfs.open('/', '/tmp/new', O.RDWR | O.CREAT, 0o644);
  assert.equal((await vfs.fstat(again.handle)).size, 10);
  await vfs.close(again.handle);
  const trunc = await vfs.open('/', '/tmp/new', O.RDWR | O.TRUNC, 0);
  assert.equal((await vfs.fstat(trunc.handle)).size, 0);
  await vfs.close(trunc.handle);
  assert.equal(await errno(vfs.open('/', '/tmp/new', O.RDONLY | O.DIRECTORY, 0)), Errno.ENOTDIR);
  assert.equal(await errno(vfs.open('/', '/etc/motd-link', O.RDONLY | O.NOFOLLOW, 0)), Errno.ELOOP);
  assert.equal(await errno(vfs.open('/', '/etc/motd-link', O.RDONLY | O.NOFOLLOW | O.DIRECTORY, 0)), Errno.ENOTDIR);
  assert.equal(await errno(vfs.open('/', '/etc/motd-link', O.RDWR | O.CREAT | O.NOFOLLOW, 0o644)), Errno.ELOOP);
  // NOFOLLOW only concerns the last component.
  assert.equal((await vfs.open('/', '/etc/abs-link/er/file', O.RDONLY | O.NOFOLLOW, 0)).kind, 'file');
  assert.equal(await errno(vfs.open('/', '/tmp/nope', O.RDONLY, 0)), Errno.ENOENT);
  assert.equal(await errno(vfs.open('/', '/tmp/nodir/x', O.RDWR | O.CREAT, 0o644)), Errno.ENOENT);
  assert.equal(await errno(vfs.open('/', '/tmp/x/', O.RDWR | O.CREAT, 0o644)), Errno.EISDIR);
  assert.equal(await errno(vfs.open('/', '/tmp/new/', O.RDONLY, 0)), Errno.ENOTDIR);
  assert.equal(await errno(vfs.open('/', '/tmp/new', O.ACCMODE, 0)), Errno.EINVAL);
});

test('open: directories are read-only (EISDIR), devices come back as kind dev with rdev', async () => {
  const vfs = await boot();
  const d = await vfs.open('/', '/etc', O.RDONLY, 0);
  assert.equal(d.kind, 'dir');
  await vfs.close(d.handle);
  assert.equal(await errno(vfs.open('/', '/etc', O.WRONLY, 0)), Errno.EISDIR);
  assert.equal(await errno(vfs.open('/', '/etc', O.RDWR, 0)), Errno.EISDIR);
  assert.equal(await errno(vfs.open('/', '/etc', O.RDONLY | O.TRUNC, 0)), Errno.EISDIR);
  assert.equal(await errno(vfs.open('/', '/etc', O.RDONLY | O.CREAT, 0o644)), Errno.EISDIR);
  assert.equal(await errno(vfs.open('/', '/', O.RDONLY | O.CREAT, 0o644)), Errno.EISDIR);
  const dev = await vfs.open('/', '/dev/console', O.RDWR, 0);
  assert.deepEqual({ kind: dev.kind, rdev: dev.rdev }, { kind: 'dev', rdev: makedev(5, 1) });
  assert.equal((await vfs.fstat(dev.handle)).rdev, makedev(5, 1));
  const blk = await vfs.open('/', '/dev/blk0', O.RDONLY | O.TRUNC, 0);
  assert.deepEqual({ kind: blk.kind, rdev: blk.rdev, mode: blk.mode & S.IFMT }, { kind: 'dev', rdev: makedev(8, 0), mode: S.IFBLK });
  await vfs.close(dev.handle);
  await vfs.close(blk.handle);
  assert.equal(await vfs.openCount(), 0);
});

test('handles: access modes, EBADF, append, reads past the end, balanced open/release', async () => {
  const vfs = await boot();
  assert.equal(vfs.busy(), false);
  const w = await vfs.open('/', '/tmp/f', O.WRONLY | O.CREAT, 0o644);
  assert.equal(vfs.busy(), true);
  assert.deepEqual(await vfs.write(w.handle, 0, enc.encode('abc')), { written: 3, end: 3 });
  assert.deepEqual(await vfs.write(w.handle, 5, enc.encode('z')), { written: 1, end: 6 });
  assert.equal(await errno(vfs.read(w.handle, 0, 10)), Errno.EBADF);
  const r = await vfs.open('/', '/tmp/f', O.RDONLY, 0);
  assert.deepEqual([...await vfs.read(r.handle, 0, 10)], [97, 98, 99, 0, 0, 122]);
  assert.equal((await vfs.read(r.handle, 6, 10)).length, 0);
  assert.equal((await vfs.read(r.handle, 100, 10)).length, 0);
  assert.equal(await errno(vfs.write(r.handle, 0, enc.encode('x'))), Errno.EBADF);
  assert.equal(await errno(vfs.read(r.handle, -1, 10)), Errno.EINVAL);
  // offset -1: append, and `end` says where the file ends now.
  assert.deepEqual(await vfs.write(w.handle, -1, enc.encode('END')), { written: 3, end: 9 });
  const a = await vfs.open('/', '/tmp/f', O.WRONLY | O.APPEND, 0);
  assert.deepEqual(await vfs.write(a.handle, 0, enc.encode('!')), { written: 1, end: 10 });
  // Concurrent appends never overwrite each other.
  await Promise.all(Array.from({ length: 20 }, (_, i) => vfs.write(a.handle, -1, enc.encode(String.fromCharCode(65 + i)))));
  const text = dec.decode(await vfs.read(r.handle, 10, 100));
  assert.deepEqual([...text].sort().join(''), 'ABCDEFGHIJKLMNOPQRST');
  for (const h of [w, r, a]) await vfs.close(h.handle);
  assert.equal(await errno(vfs.close(w.handle)), Errno.EBADF);
  assert.equal(await errno(vfs.fstat(w.handle)), Errno.EBADF);
  assert.equal(await vfs.openCount(), 0);
  assert.equal(vfs.busy(), false);
  const d = await vfs.open('/', '/etc', O.RDONLY, 0);
  assert.equal(await errno(vfs.read(d.handle, 0, 1)), Errno.EISDIR);
  assert.equal(await errno(vfs.write(d.handle, 0, enc.encode('x'))), Errno.EBADF);
  await vfs.close(d.handle);
});

test('unlinked open files stay readable and are freed on the last close', async () => {
  const vfs = await boot();
  // Free space counts pages ramfs holds but does not use, so it comes back exactly.
  const free = async (): Promise<number> => (await vfs.statfs('/', '/tmp')).freeBlocks;
  const before = await free();
  await writeFile(vfs, '/tmp/gone', 'x'.repeat(10000));
  const h = await vfs.open('/', '/tmp/gone', O.RDONLY, 0);
  await vfs.unlink('/', '/tmp/gone');
  assert.equal(await errno(vfs.stat('/', '/tmp/gone', true)), Errno.ENOENT);
  assert.equal((await vfs.read(h.handle, 9990, 100)).length, 10);
  assert.equal((await vfs.fstat(h.handle)).nlink, 0);
  assert.equal(await free(), before - 3);
  await vfs.close(h.handle);
  assert.equal(await free(), before);
});

test('getdents: . and .. first, then entries, paged by index', async () => {
  const vfs = await boot();
  const h = await vfs.open('/', '/dev', O.RDONLY | O.DIRECTORY, 0);
  const all = await vfs.getdents(h.handle, 0, 100);
  assert.deepEqual(all.map((e) => e.name), ['.', '..', 'null', 'zero', 'console', 'ttyerr', 'blk0']);
  assert.deepEqual(all.slice(0, 2).map((e) => e.type), [DT.DIR, DT.DIR]);
  assert.equal(all[2]!.type, DT.CHR);
  assert.equal(all[6]!.type, DT.BLK);
  assert.equal(all[0]!.ino, (await vfs.stat('/', '/dev', true)).ino);
  assert.equal(all[1]!.ino, (await vfs.stat('/', '/', true)).ino);
  const paged = [...await vfs.getdents(h.handle, 0, 3), ...await vfs.getdents(h.handle, 3, 3), ...await vfs.getdents(h.handle, 6, 3)];
  assert.deepEqual(paged, all);
  assert.deepEqual(await vfs.getdents(h.handle, 7, 3), []);
  await vfs.close(h.handle);
  const f = await vfs.open('/', '/etc/motd', O.RDONLY, 0);
  assert.equal(await errno(vfs.getdents(f.handle, 0, 10)), Errno.ENOTDIR);
  await vfs.close(f.handle);
});

test('mkdir, rmdir, unlink: errno values as Linux gives them', async () => {
  const vfs = await boot();
  await vfs.mkdir('/', '/tmp/d/', 0o750);
  assert.equal((await vfs.stat('/', '/tmp/d', true)).mode, S.IFDIR | 0o750);
  assert.equal(await errno(vfs.mkdir('/', '/tmp/d', 0o755)), Errno.EEXIST);
  assert.equal(await errno(vfs.mkdir('/', '/etc/motd', 0o755)), Errno.EEXIST);
  assert.equal(await errno(vfs.mkdir('/', '/tmp/d/.', 0o755)), Errno.EEXIST);
  assert.equal(await errno(vfs.mkdir('/', '/', 0o755)), Errno.EEXIST);
  assert.equal(await errno(vfs.mkdir('/', '/tmp/x/y', 0o755)), Errno.ENOENT);
  assert.equal(await errno(vfs.mkdir('/', '/etc/motd/y', 0o755)), Errno.ENOTDIR);
  await writeFile(vfs, '/tmp/d/f', 'x');
  assert.equal(await errno(vfs.rmdir('/', '/tmp/d')), Errno.ENOTEMPTY);
  assert.equal(await errno(vfs.rmdir('/', '/tmp/d/f')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.rmdir('/', '/tmp/d/.')), Errno.EINVAL);
  assert.equal(await errno(vfs.rmdir('/', '/tmp/d/..')), Errno.ENOTEMPTY);
  assert.equal(await errno(vfs.rmdir('/', '/')), Errno.EBUSY);
  assert.equal(await errno(vfs.rmdir('/', '/etc/abs-link')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.unlink('/', '/tmp/d')), Errno.EISDIR);
  assert.equal(await errno(vfs.unlink('/', '/tmp/d/')), Errno.EISDIR);
  assert.equal(await errno(vfs.unlink('/', '/tmp/d/f/')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.unlink('/', '/tmp/d/nope')), Errno.ENOENT);
  assert.equal(await errno(vfs.unlink('/', '/')), Errno.EISDIR);
  assert.equal(await errno(vfs.unlink('/', '/tmp/d/.')), Errno.EISDIR);
  // unlink removes a symlink, not its target.
  await vfs.unlink('/', '/etc/abs-link');
  assert.equal(await readAll(vfs, '/etc/deep/er/file'), 'deep');
  await vfs.unlink('/tmp/d', 'f');
  await vfs.rmdir('/tmp', 'd/');
  assert.equal(await errno(vfs.stat('/', '/tmp/d', true)), Errno.ENOENT);
});

test('rename: files and directories, over existing names, and the errors', async () => {
  const vfs = await boot();
  await vfs.mkdir('/', '/tmp/a', 0o755);
  await vfs.mkdir('/', '/tmp/a/b', 0o755);
  await writeFile(vfs, '/tmp/a/b/f', 'F');
  await writeFile(vfs, '/tmp/g', 'G');
  await vfs.rename('/tmp', 'g', 'a/g2');
  assert.equal(await readAll(vfs, '/tmp/a/g2'), 'G');
  await vfs.rename('/', '/tmp/a/g2', '/tmp/a/b/f'); // over an existing file
  assert.equal(await readAll(vfs, '/tmp/a/b/f'), 'G');
  assert.equal(await errno(vfs.rename('/', '/tmp/a', '/tmp/a/b/c')), Errno.EINVAL);
  assert.equal(await errno(vfs.rename('/', '/tmp/a', '/tmp/a/b')), Errno.EINVAL);
  assert.equal(await errno(vfs.rename('/', '/tmp/a/b', '/tmp/a')), Errno.ENOTEMPTY);
  // Replacing an ancestor of the source is ENOTEMPTY before any type check (Linux's trap).
  assert.equal(await errno(vfs.rename('/', '/tmp/a/b/f', '/tmp/a')), Errno.ENOTEMPTY);
  await vfs.mkdir('/', '/tmp/e', 0o755);
  assert.equal(await errno(vfs.rename('/', '/tmp/a/b/f', '/tmp/e')), Errno.EISDIR);
  assert.equal(await errno(vfs.rename('/', '/tmp/e', '/tmp/a/b/f')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.rename('/', '/tmp/a/b/f/', '/tmp/z')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.rename('/', '/tmp/a/b/f', '/tmp/z/')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.rename('/', '/tmp/nope', '/tmp/z')), Errno.ENOENT);
  assert.equal(await errno(vfs.rename('/', '/tmp/a/.', '/tmp/z')), Errno.EBUSY);
  assert.equal(await errno(vfs.rename('/', '/tmp/e', '/tmp/a/..')), Errno.EBUSY);
  await vfs.rename('/', '/tmp/e/', '/tmp/a/b/e2/'); // directories may carry a slash
  await vfs.rename('/', '/tmp/a/b', '/tmp/a/b'); // to itself: nothing happens
  assert.equal(await readAll(vfs, '/tmp/a/b/f'), 'G');
  // A symlink is renamed itself, not its target.
  await vfs.rename('/', '/etc/motd-link', '/etc/ml');
  assert.equal(await vfs.readlink('/', '/etc/ml'), 'motd');
  // An empty directory may be replaced by a directory.
  await vfs.mkdir('/', '/tmp/empty', 0o755);
  await vfs.rename('/', '/tmp/a/b/e2', '/tmp/empty');
  assert.equal(await errno(vfs.stat('/', '/tmp/a/b/e2', true)), Errno.ENOENT);
});

test('link and symlink: EEXIST, EPERM for directories, trailing slash ENOENT', async () => {
  const vfs = await boot();
  await vfs.link('/', '/etc/motd', '/tmp/hard');
  assert.equal((await vfs.stat('/', '/etc/motd', true)).nlink, 2);
  assert.equal((await vfs.stat('/', '/tmp/hard', true)).ino, (await vfs.stat('/', '/etc/motd', true)).ino);
  assert.equal(await errno(vfs.link('/', '/etc/motd', '/tmp/hard')), Errno.EEXIST);
  assert.equal(await errno(vfs.link('/', '/etc', '/tmp/dirlink')), Errno.EPERM);
  assert.equal(await errno(vfs.link('/', '/etc/nope', '/tmp/x')), Errno.ENOENT);
  assert.equal(await errno(vfs.link('/', '/etc/motd', '/tmp/x/')), Errno.ENOENT);
  assert.equal(await errno(vfs.link('/', '/etc/motd/', '/tmp/x')), Errno.ENOTDIR);
  // link does not follow a symlink: it links the symlink itself.
  await vfs.link('/', '/etc/motd-link', '/etc/ml2');
  assert.equal((await vfs.stat('/', '/etc/ml2', false)).mode & S.IFMT, S.IFLNK);
  assert.equal(await errno(vfs.symlink('/', 'x', '/etc/motd')), Errno.EEXIST);
  assert.equal(await errno(vfs.symlink('/', 'x', '/tmp/sl/')), Errno.ENOENT);
  assert.equal(await errno(vfs.symlink('/', '', '/tmp/sl')), Errno.ENOENT);
  assert.equal(await errno(vfs.symlink('/', 'x', '/tmp/nodir/sl')), Errno.ENOENT);
  assert.equal(await errno(vfs.symlink('/', 'x'.repeat(4096), '/tmp/sl')), Errno.ENAMETOOLONG);
});

test('setattr, truncate and fsetattr through paths and handles', async () => {
  const vfs = await boot();
  await writeFile(vfs, '/tmp/f', 'abcdef');
  await vfs.setattr('/', '/tmp/f', { size: 3, mode: S.IFDIR | 0o600, uid: 7 }, true);
  const st = await vfs.stat('/', '/tmp/f', true);
  assert.deepEqual([st.size, st.mode, st.uid], [3, S.IFREG | 0o600, 7]);
  assert.equal(await errno(vfs.setattr('/', '/tmp', { size: 0 }, true)), Errno.EISDIR);
  assert.equal(await errno(vfs.setattr('/', '/dev/null', { size: 0 }, true)), Errno.EINVAL);
  assert.equal(await errno(vfs.setattr('/', '/tmp/f', { size: -1 }, true)), Errno.EINVAL);
  // follow=false changes the link itself (lchown).
  await vfs.setattr('/', '/etc/motd-link', { uid: 9 }, false);
  assert.equal((await vfs.stat('/', '/etc/motd-link', false)).uid, 9);
  assert.equal((await vfs.stat('/', '/etc/motd', true)).uid, 3);
  const r = await vfs.open('/', '/tmp/f', O.RDONLY, 0);
  assert.equal(await errno(vfs.ftruncate(r.handle, 0)), Errno.EINVAL);
  await vfs.fsetattr(r.handle, { mode: 0o644 });
  assert.equal((await vfs.fstat(r.handle)).mode, S.IFREG | 0o644);
  await vfs.fsync(r.handle, false);
  const w = await vfs.open('/', '/tmp/f', O.RDWR, 0);
  await vfs.ftruncate(w.handle, 10);
  assert.deepEqual([...await vfs.read(w.handle, 0, 20)], [97, 98, 99, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(await errno(vfs.ftruncate(w.handle, -5)), Errno.EINVAL);
  await vfs.close(r.handle);
  await vfs.close(w.handle);
});

test('readExecutable: whole file, EACCES without x, EISDIR, ENOENT', async () => {
  const vfs = await boot();
  assert.equal(dec.decode(await (await vfs.readExecutable('/', '/bin/sh')).program), '#!kernelkit\nshell');
  assert.equal(dec.decode(await (await vfs.readExecutable('/bin', 'sh')).program), '#!kernelkit\nshell');
  assert.equal(await errno(vfs.readExecutable('/', '/etc/motd')), Errno.EACCES);
  assert.equal(await errno(vfs.readExecutable('/', '/dev/null')), Errno.EACCES);
  assert.equal(await errno(vfs.readExecutable('/', '/bin')), Errno.EISDIR);
  assert.equal(await errno(vfs.readExecutable('/', '/bin/nope')), Errno.ENOENT);
  await vfs.symlink('/', '/bin/sh', '/tmp/shl');
  assert.equal((await vfs.readExecutable('/', '/tmp/shl')).program.length, 17);
  assert.equal(await vfs.openCount(), 0);
});

// Regressions found by differential.test.ts, named after the bug.
test('regression: open-creat-excl-on-dot-is-eexist-not-eisdir', async () => {
  const vfs = await boot();
  assert.equal(await errno(vfs.open('/tmp', '.', O.RDWR | O.CREAT | O.EXCL, 0o644)), Errno.EEXIST);
  assert.equal(await errno(vfs.open('/tmp', './', O.RDWR | O.CREAT | O.EXCL, 0o644)), Errno.EEXIST);
  assert.equal(await errno(vfs.open('/tmp', '..', O.RDWR | O.CREAT | O.EXCL, 0o644)), Errno.EEXIST);
  assert.equal(await errno(vfs.open('/tmp', '..', O.RDWR | O.CREAT, 0o644)), Errno.EISDIR);
  assert.equal(await errno(vfs.open('/tmp', 'new/', O.RDWR | O.CREAT | O.EXCL, 0o644)), Errno.EISDIR);
});

test('paths relative to a directory handle start at the directory itself, wherever it moved', async () => {
  const vfs = await boot();
  await vfs.mkdir('/', '/tmp/a', 0o755);
  await writeFile(vfs, '/tmp/a/f', 'in a');
  const { handle } = await vfs.open('/', '/tmp/a', O.RDONLY | O.DIRECTORY, 0);
  assert.equal(await readAll(vfs, 'f', '/tmp/a'), 'in a');
  await vfs.rename('/', '/tmp/a', '/tmp/moved');
  await vfs.symlink('/', '/', '/tmp/a');
  const dir = { dir: handle };
  assert.equal((await vfs.stat(dir, 'f', true)).size, 4, 'the handle is the moved directory');
  assert.equal(await errno(vfs.stat(dir, 'etc/motd', true)), Errno.ENOENT, 'not what its old name points to now');
  await vfs.mkdir(dir, 'sub', 0o755);
  assert.ok((await vfs.stat('/', '/tmp/moved/sub', true)).mode & S.IFDIR);
  assert.equal((await vfs.stat(dir, '../moved/f', true)).size, 4, "'..' pops the walk that reached the directory");
  assert.equal((await vfs.stat(dir, '/etc/motd', true)).size, 6, 'an absolute path ignores the handle');
  await vfs.close(handle);
  assert.equal(await errno(vfs.stat({ dir: handle }, 'f', true)), Errno.EBADF);
  const file = await vfs.open('/', '/tmp/moved/f', O.RDONLY, 0);
  assert.equal(await errno(vfs.stat({ dir: file.handle }, 'x', true)), Errno.ENOTDIR);
  await vfs.close(file.handle);
  await vfs.shutdown();
});

test('RESOLVE_BENEATH: absolute paths, absolute links and .. above the directory are EXDEV', async () => {
  const vfs = await boot();
  for (const d of ['/tmp/box', '/tmp/box/sub']) await vfs.mkdir('/', d, 0o755);
  await writeFile(vfs, '/tmp/box/f', 'x');
  await writeFile(vfs, '/tmp/outside', 'out');
  await vfs.symlink('/', '../f', '/tmp/box/sub/up');
  await vfs.symlink('/', '../../outside', '/tmp/box/sub/out');
  await vfs.symlink('/', '/tmp/outside', '/tmp/box/abs');
  await vfs.symlink('/', 'sub', '/tmp/box/dirlink');
  const { handle } = await vfs.open('/', '/tmp/box', O.RDONLY | O.DIRECTORY, 0);
  const box = { dir: handle, beneath: true };
  assert.equal((await vfs.stat(box, 'sub/up', true)).size, 1);
  assert.equal((await vfs.stat(box, 'dirlink/up', true)).size, 1);
  assert.ok((await vfs.stat(box, 'sub/up', false)).mode & S.IFLNK, 'not following the last link');
  assert.equal((await vfs.stat(box, 'sub/../f', true)).size, 1);
  for (const p of ['../outside', 'sub/../../outside', '/tmp/outside', 'sub/out', 'abs', '..']) {
    assert.equal(await errno(vfs.stat(box, p, true)), Errno.EXDEV, p);
  }
  assert.equal(await errno(vfs.open(box, 'abs', O.RDONLY, 0)), Errno.EXDEV, 'open through an absolute link');
  assert.equal(await errno(vfs.open(box, 'sub/out', O.WRONLY | O.CREAT, 0o644)), Errno.EXDEV, 'O_CREAT through a link out');
  assert.equal(await errno(vfs.mkdir(box, '../made', 0o755)), Errno.EXDEV);
  assert.equal(await errno(vfs.rename(box, 'f', '../stolen', box)), Errno.EXDEV);
  assert.equal(await errno(vfs.stat(box, 'f/x', true)), Errno.ENOTDIR);
  assert.equal(await errno(vfs.stat(box, 'missing/x', true)), Errno.ENOENT);
  assert.equal(await errno(vfs.stat(box, '', true)), Errno.ENOENT);
  // Without beneath the same handle may climb and follow absolute links.
  assert.equal((await vfs.stat({ dir: handle }, 'abs', true)).size, 3);
  assert.equal((await vfs.stat('/', '/tmp/outside', true)).size, 3, 'the outside file is untouched');
  assert.equal(await errno(vfs.stat('/', '/tmp/made', true)), Errno.ENOENT);
  await vfs.close(handle);
  await vfs.shutdown();
});

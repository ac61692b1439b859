// Unit tests for the mount side of vfs: mount/umount and the mount table, '..' and
// symlinks across mount points, boot mounts (config.mounts, a disk root with a
// stand-in for ext2 and with the real one), sync and shutdown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCpio } from '../../lib/cpio.js';
import { Errno } from '../../abi/errno.js';
import { O, S, makedev } from '../../abi/fs.js';
import { Ramfs } from '../ramfs/index.js';
import { create, createVfs, defaultMakers } from './index.js';
import type { VfsInstance } from './index.js';
import { INITRAMFS, MemoryDisk, boot, context, diskPeers, errno, readAll, writeFile, dec } from './test-fixtures.js';

test('mount and umount: a ramfs on /mnt, .. across the mount point, EBUSY, EXDEV', async () => {
  const vfs = await boot();
  await writeFile(vfs, '/mnt/under', 'hidden');
  await vfs.mount('none', '/mnt', 'ramfs');
  assert.deepEqual((await vfs.mounts()).map((m) => [m.target, m.fstype]), [['/', 'ramfs'], ['/mnt', 'ramfs']]);
  assert.equal(await errno(vfs.stat('/', '/mnt/under', true)), Errno.ENOENT);
  await vfs.mkdir('/', '/mnt/sub', 0o755);
  await writeFile(vfs, '/mnt/sub/f', 'on the mount');
  assert.equal(await vfs.resolveDir('/mnt/sub', '../..'), '/');
  assert.equal(await vfs.resolveDir('/mnt', '..'), '/');
  assert.equal(await readAll(vfs, '../../etc/motd', '/mnt/sub'), 'hello\n');
  assert.notEqual((await vfs.stat('/', '/mnt/sub/f', true)).dev, (await vfs.stat('/', '/etc/motd', true)).dev);
  assert.equal((await vfs.statfs('/', '/mnt')).fsType, 'ramfs');
  assert.equal(await errno(vfs.rename('/', '/mnt/sub/f', '/tmp/f')), Errno.EXDEV);
  assert.equal(await errno(vfs.link('/', '/mnt/sub/f', '/tmp/f')), Errno.EXDEV);
  assert.equal(await errno(vfs.rename('/', '/mnt', '/tmp/m')), Errno.EBUSY);
  assert.equal(await errno(vfs.rmdir('/', '/mnt')), Errno.EBUSY);
  const h = await vfs.open('/', '/mnt/sub/f', O.RDONLY, 0);
  assert.equal(await errno(vfs.umount('/mnt')), Errno.EBUSY);
  await vfs.close(h.handle);
  assert.equal(await errno(vfs.umount('/mnt/sub')), Errno.EINVAL);
  assert.equal(await errno(vfs.umount('/')), Errno.EBUSY);
  assert.equal(await errno(vfs.mount('none', '/etc/motd', 'ramfs')), Errno.ENOTDIR);
  assert.equal(await errno(vfs.mount('none', '/nope', 'ramfs')), Errno.ENOENT);
  assert.equal(await errno(vfs.mount('none', '/mnt', 'vfat')), Errno.ENODEV);
  assert.equal(await errno(vfs.mount('/etc/motd', '/mnt', 'ext2')), Errno.ENOTBLK); // as Linux: not a block device
  await vfs.umount('/mnt/');
  assert.equal(await readAll(vfs, '/mnt/under'), 'hidden');
  assert.equal((await vfs.mounts()).length, 1);
});

test('mounts stack, and the innermost must go first', async () => {
  const vfs = await boot();
  await vfs.mount('a', '/mnt', 'ramfs');
  await vfs.mkdir('/', '/mnt/inner', 0o755);
  await vfs.mount('b', '/mnt/inner', 'ramfs');
  assert.equal(await errno(vfs.umount('/mnt')), Errno.EBUSY);
  await vfs.mount('c', '/mnt', 'ramfs'); // on top of a: hides it
  assert.equal(await errno(vfs.stat('/', '/mnt/inner', true)), Errno.ENOENT);
  await vfs.umount('/mnt');
  assert.equal((await vfs.stat('/', '/mnt/inner', true)).mode & S.IFMT, S.IFDIR);
  await vfs.umount('/mnt/inner');
  await vfs.umount('/mnt');
  assert.deepEqual((await vfs.mounts()).map((m) => m.target), ['/']);
});

test('a symlink into another mount is followed across it', async () => {
  const vfs = await boot();
  await vfs.mount('none', '/mnt', 'ramfs');
  await writeFile(vfs, '/mnt/f', 'there');
  await vfs.symlink('/', '/mnt', '/tmp/to-mnt');
  assert.equal(await readAll(vfs, '/tmp/to-mnt/f'), 'there');
  assert.equal(await vfs.resolveDir('/', '/tmp/to-mnt'), '/mnt');
  assert.equal(await vfs.resolveDir('/', '/tmp/to-mnt/..'), '/');
});

test('config.mounts are mounted at boot', async () => {
  const vfs = await boot({ mounts: [{ source: 'scratch', target: '/mnt', fstype: 'ramfs' }] });
  assert.deepEqual(await vfs.mounts(), [
    { source: 'initramfs', target: '/', fstype: 'ramfs', options: 'rw' },
    { source: 'scratch', target: '/mnt', fstype: 'ramfs', options: 'rw' },
  ]);
});

test('sync and shutdown flush and unmount every filesystem, innermost first', async () => {
  const ctx = context({ initramfs: writeCpio(INITRAMFS) });
  const order: string[] = [];
  const makers = defaultMakers(ctx);
  let n = 0;
  const vfs = createVfs({
    config: ctx.config, log: () => undefined,
    makers: {
      ...makers,
      ramfs: () => {
        const fs = makers.ramfs();
        const name = `fs${n++}`;
        const unmount = fs.unmount.bind(fs);
        const sync = fs.sync.bind(fs);
        fs.unmount = async () => { order.push(`unmount ${name}`); await unmount(); };
        fs.sync = async () => { order.push(`sync ${name}`); await sync(); };
        return fs;
      },
    },
  });
  await vfs.init();
  await vfs.mount('x', '/mnt', 'ramfs');
  await vfs.sync();
  await vfs.open('/', '/etc/motd', O.RDONLY, 0); // left open: shutdown closes it
  await vfs.shutdown();
  assert.deepEqual(order, ['sync fs0', 'sync fs1', 'unmount fs1', 'unmount fs0']);
  // Calls after shutdown get an errno, not a crash.
  assert.equal(await errno(vfs.stat('/', '/etc/motd', true)), Errno.EIO);
  assert.equal(ctx.arena.bytesInUse('vfs'), 0);
  assert.equal(await vfs.openCount(), 0);
});

test('disk root: ext2 at /, ramfs at /dev, /bin and /tmp from the initramfs', async () => {
  // Stand-in for ext2 (tested on its own): a ramfs, recording the device it was given.
  const ctx = context({ initramfs: writeCpio(INITRAMFS), rootDisk: true }, []);
  const makers = defaultMakers(ctx);
  let device: unknown;
  const disk = new Ramfs({ arena: ctx.arena, owner: 'disk' });
  const logs: string[] = [];
  const vfs = createVfs({ config: ctx.config, log: (m) => logs.push(m), makers: { ...makers, ext2: async (d) => { device = d; return disk; } } });
  await vfs.init();
  assert.equal(device, makedev(8, 0));
  assert.deepEqual(await vfs.mounts(), [
    { source: '/dev/blk0', target: '/', fstype: 'ext2', options: 'rw' },
    { source: 'initramfs', target: '/dev', fstype: 'ramfs', options: 'rw' },
    { source: 'initramfs', target: '/bin', fstype: 'ramfs', options: 'rw' },
    { source: 'tmpfs', target: '/tmp', fstype: 'ramfs', options: 'rw' },
  ]);
  assert.equal((await vfs.stat('/', '/dev/null', true)).rdev, makedev(1, 3));
  assert.equal((await vfs.stat('/', '/dev/blk0', true)).rdev, makedev(8, 0));
  assert.equal(dec.decode(await (await vfs.readExecutable('/', '/bin/sh')).program), '#!kernelkit\nshell');
  assert.equal((await vfs.stat('/', '/tmp', true)).mode, S.IFDIR | 0o1777);
  assert.equal(await errno(vfs.stat('/', '/etc/motd', true)), Errno.ENOENT, 'the rest of the initramfs stays out');
  assert.ok(logs.some((l) => l.includes('created /tmp')));
  // Files written outside the overlays land on the disk.
  await writeFile(vfs, '/data', 'persist');
  assert.equal(dec.decode(await disk.read(await disk.lookup(disk.root(), 'data'), 0, 100)), 'persist');
  assert.equal((await vfs.stat('/', '/data', true)).dev, makedev(8, 0));
  await vfs.mkdir('/', '/mnt', 0o755);
  assert.equal(await errno(vfs.mount('/dev/blk0', '/mnt', 'ext2')), Errno.EBUSY);
});

test('ext2 on /dev/blk0 by mount(2) asks for the filesystem on that device', async () => {
  const ctx = context({ initramfs: writeCpio(INITRAMFS) });
  const makers = defaultMakers(ctx);
  const seen: unknown[] = [];
  const vfs = createVfs({ config: ctx.config, log: () => undefined, makers: { ...makers, ext2: async (d) => { seen.push(d); return new Ramfs({ arena: ctx.arena, owner: 'disk' }); } } });
  await vfs.init();
  await vfs.mount('/dev/blk0', '/mnt', 'ext2');
  assert.deepEqual(seen, [makedev(8, 0)]);
  assert.deepEqual((await vfs.mounts())[1], { source: '/dev/blk0', target: '/mnt', fstype: 'ext2', options: 'rw' });
  assert.equal((await vfs.stat('/', '/mnt', true)).dev, makedev(8, 0));
  assert.equal(await errno(vfs.mount('/dev/null', '/tmp', 'ext2')), Errno.ENOTBLK);
});

test('disk root on the real ext2: files persist across a shutdown and a second boot', async () => {
  const { mkfsExt2 } = await import('../ext2/index.js');
  const disk = new MemoryDisk(8 << 20);
  await mkfsExt2(disk, { blockSize: 1024 });
  const bootDisk = async (): Promise<VfsInstance> => {
    const ctx = context({ initramfs: writeCpio(INITRAMFS), rootDisk: true });
    ctx.peer = diskPeers(disk, ctx.arena);
    const vfs = create(ctx) as VfsInstance;
    await vfs.init();
    return vfs;
  };
  const first = await bootDisk();
  assert.equal((await first.mounts())[0]!.fstype, 'ext2');
  await first.mkdir('/', '/home', 0o755);
  await writeFile(first, '/home/note', 'kept on disk');
  await first.symlink('/', 'note', '/home/link');
  await writeFile(first, '/tmp/scratch', 'gone after reboot');
  assert.equal((await first.stat('/', '/dev/console', true)).rdev, makedev(5, 1));
  await first.shutdown();
  const second = await bootDisk();
  assert.equal(await readAll(second, '/home/link'), 'kept on disk');
  assert.equal(await errno(second.stat('/', '/tmp/scratch', true)), Errno.ENOENT);
  const { handle } = await second.open('/', '/', O.RDONLY, 0);
  const names = (await second.getdents(handle, 0, 100)).map((e) => e.name);
  await second.close(handle);
  assert.deepEqual(names.slice(0, 2), ['.', '..']);
  for (const n of ['bin', 'dev', 'tmp', 'home']) assert.ok(names.includes(n), n);
  assert.equal(await errno(second.rename('/', '/home/note', '/tmp/note')), Errno.EXDEV);
  await second.shutdown();
});

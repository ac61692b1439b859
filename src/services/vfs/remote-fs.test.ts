// The adapter vfs mounts the ext2 component through (remote-fs.ts), with the component
// itself in this thread: vfs's mount code serves an ext2 peer as it served ext2 inside
// itself, and a restarted ext2 server (a fresh instance on the same disk) behaves as
// the restart rules say: what was written back is there, what was only cached is not,
// calls that meet the new server with the old session are replayed when idempotent and
// fail with EIO otherwise, and files opened before the restart fail with EIO.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCpio } from '../../lib/cpio.js';
import { Arena } from '../../lib/arena.js';
import type { KernelCalls } from '../../abi/component.js';
import type { Ext2Service } from '../../abi/services.js';
import { Errno } from '../../abi/errno.js';
import { O } from '../../abi/fs.js';
import { asIno } from '../../abi/ids.js';
import { mkfsExt2 } from '../ext2/index.js';
import { create as createExt2 } from '../ext2/component.js';
import { create } from './index.js';
import type { VfsInstance } from './index.js';
import { RemoteFs } from './remote-fs.js';
import { INITRAMFS, MemoryDisk, context, errno, readAll, writeFile, enc } from './test-fixtures.js';

/** An ext2 server on `disk`; `restart()` abandons it (cache and all) for a fresh one that mounts the disk at init. */
async function ext2Server(disk: MemoryDisk, arena: Arena): Promise<{ peer: Ext2Service; restart(): Promise<void>; logs: string[] }> {
  const logs: string[] = [];
  const make = (rootDisk: boolean) => createExt2({ name: 'ext2', arena, config: { rootDisk }, log: (m) => logs.push(m), peer: <T>(): T => disk as T, kernel: {} as KernelCalls });
  let current = make(true);
  await current.init?.();
  // What vfs holds: a stub that always reaches the current instance, as a channel does.
  const peer = Object.fromEntries(Object.keys(current).filter((k) => !['init', 'shutdown', 'busy'].includes(k))
    .map((k) => [k, (...args: unknown[]) => (current as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[k]!(...args)])) as unknown as Ext2Service;
  return {
    peer, logs,
    async restart() { current = make(true); await current.init?.(); },
  };
}

async function freshDisk(): Promise<MemoryDisk> {
  const disk = new MemoryDisk(8 << 20);
  await mkfsExt2(disk, { blockSize: 1024 });
  return disk;
}

test('RemoteFs: the ext2 service mirrors the FileSystem contract; a stale session is ESTALE at the server', async () => {
  const disk = await freshDisk();
  const arena = new Arena('kernel', new SharedArrayBuffer(16 << 20));
  const server = await ext2Server(disk, arena);
  const fs = await RemoteFs.attach(server.peer, 'ext2', () => undefined);
  assert.equal(fs.root(), 2);
  const ino = await fs.create(fs.root(), 'f', 0o100644);
  assert.equal(await fs.write(ino, 0, enc.encode('hello')), 5);
  assert.equal(new TextDecoder().decode(await fs.read(ino, 0, 100)), 'hello');
  assert.equal(await fs.lookup(fs.root(), 'f'), ino);
  assert.ok((await fs.readdir(fs.root())).some((e) => e.name === 'f' && e.ino === ino));
  assert.equal((await fs.statfs()).fsType, 'ext2');
  // Another client attaching ends this session: the server refuses it before doing anything.
  const other = await server.peer.attach();
  await assert.rejects(server.peer.getattr(other.session - 1, 2), (e: unknown) => (e as { errno?: number }).errno === Errno.ESTALE);
  // ... and the adapter attaches again and replays what is idempotent.
  assert.equal((await fs.getattr(ino)).size, 5);
  assert.equal(fs.epoch, 1);
  await fs.unmount();
  assert.equal(arena.bytesInUse('ext2'), 0, 'detach unmounts and frees the cache');
});

test('RemoteFs: after a server restart, idempotent calls replay, the others fail with EIO, fsync does not claim what died', async () => {
  const disk = await freshDisk();
  const arena = new Arena('kernel', new SharedArrayBuffer(32 << 20));
  const server = await ext2Server(disk, arena);
  const logs: string[] = [];
  const fs = await RemoteFs.attach(server.peer, 'ext2', (m) => logs.push(m));
  const kept = await fs.create(fs.root(), 'kept', 0o100644);
  await fs.write(kept, 0, enc.encode('durable'));
  await fs.fsync(kept);
  const lost = await fs.create(fs.root(), 'lost', 0o100644);
  await fs.write(lost, 0, enc.encode('cached only'));
  await server.restart();
  // A write from before the restart is not done again (EIO); the call finds out about the restart.
  assert.equal(await errno(fs.write(kept, 0, enc.encode('again'))), Errno.EIO);
  assert.equal(fs.epoch, 1);
  assert.match(logs.join('\n'), /ext2: the server restarted; attached again/);
  assert.equal(new TextDecoder().decode(await fs.read(kept, 0, 100)), 'durable');
  assert.equal(await errno(fs.lookup(fs.root(), 'lost')), Errno.ENOENT, 'what was only cached died with the server');
  // fsync meeting the new server with the old session must not report success.
  await server.restart();
  assert.equal(await errno(fs.fsync(kept)), Errno.EIO);
  await fs.fsync(kept);
  await fs.unmount();
});

test('vfs on an ext2 server that restarts: open files fail with EIO, new opens work, the synced tree is there', async () => {
  const disk = await freshDisk();
  const ctx = context({ initramfs: writeCpio(INITRAMFS), rootDisk: true });
  const server = await ext2Server(disk, ctx.arena);
  ctx.peer = <T>(name: string): T => (name === 'ext2' ? server.peer : disk) as T;
  const vfs = create(ctx) as VfsInstance;
  await vfs.init();
  await vfs.mkdir('/', '/keep', 0o755);
  await writeFile(vfs, '/keep/a', 'synced');
  await vfs.sync();
  const { handle } = await vfs.open('/', '/keep/a', O.RDWR, 0);
  await writeFile(vfs, '/keep/b', 'not synced');
  await server.restart();
  // The first call that meets the new server learns of the restart (a lookup: replayed).
  assert.equal(await readAll(vfs, '/keep/a'), 'synced');
  assert.equal(await errno(vfs.stat('/', '/keep/b', true)), Errno.ENOENT);
  assert.equal(await errno(vfs.read(handle, 0, 10)), Errno.EIO, 'a file opened before the restart');
  assert.equal(await errno(vfs.write(handle, 0, enc.encode('x'))), Errno.EIO);
  await vfs.close(handle);
  // The mount points made at boot were written back then: the overlays are still reachable.
  assert.equal((await vfs.stat('/', '/tmp', true)).mode & 0o7777, 0o1777);
  await writeFile(vfs, '/keep/c', 'after');
  assert.equal(await readAll(vfs, '/keep/c'), 'after');
  assert.equal(await vfs.openCount(), 0);
  await vfs.shutdown();
  assert.equal(ctx.arena.bytesInUse('vfs'), 0);
});

test('ext2 server: release only unpins what the session opened; a new client releases what the old one held', async () => {
  const disk = await freshDisk();
  const arena = new Arena('kernel', new SharedArrayBuffer(16 << 20));
  const server = await ext2Server(disk, arena);
  const first = await server.peer.attach();
  const ino = await server.peer.create(first.session, first.root, 'orphan', 0o100644, 0);
  await server.peer.open(first.session, ino);
  await server.peer.unlink(first.session, first.root, 'orphan');
  // Unlinked but open: still there for the session that holds it.
  assert.equal((await server.peer.getattr(first.session, ino)).nlink, 0);
  await server.peer.release(first.session, asIno(ino + 1000)); // never opened: nothing happens
  assert.equal((await server.peer.getattr(first.session, ino)).nlink, 0);
  // A new client (a restarted vfs): the orphan is freed.
  const second = await server.peer.attach();
  assert.equal(await errno(server.peer.getattr(second.session, ino)), Errno.ENOENT);
  await server.peer.detach(second.session);
});

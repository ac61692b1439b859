import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkedPm, checkedConsole, checkedVfs, checkedBlk, PM_REPLIES, CONSOLE_REPLIES, VFS_REPLIES, BLK_REPLIES } from './replies.js';
import { BAD_REPLY } from './fault.js';
import { Errno, KernelError } from '../../abi/errno.js';
import type { BlkService, ConsoleService, PmService, VfsService } from '../../abi/services.js';

/** An interface whose every method answers `reply`. */
function answering<T>(methods: readonly string[], reply: (method: string) => unknown): T {
  return Object.fromEntries(methods.map((m) => [m, async () => reply(m)])) as T;
}

const errnoOf = async (p: Promise<unknown>): Promise<number | undefined> => p.then(() => undefined, (e: unknown) => (e instanceof KernelError ? e.errno : -1));

test('every pm method answering a bad reply fails with EIO', async () => {
  const pm = checkedPm(answering<PmService>(Object.keys(PM_REPLIES), () => BAD_REPLY));
  for (const method of Object.keys(PM_REPLIES)) {
    const fn = (pm as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    assert.equal(await errnoOf(fn(1, 1, 1)), Errno.EIO, method);
  }
});

test('every console method answering a bad reply fails with EIO', async () => {
  const con = checkedConsole(answering<ConsoleService>(Object.keys(CONSOLE_REPLIES), () => BAD_REPLY));
  for (const method of Object.keys(CONSOLE_REPLIES)) {
    const fn = (con as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    assert.equal(await errnoOf(fn(1, new Uint8Array(4), 1)), Errno.EIO, method);
  }
});

test('well-formed replies pass through; out-of-range ones do not', async () => {
  const good: Record<string, unknown> = { fork: 7, exit: 1, wait: { pid: 7, code: 0, signal: 0 }, kill: [2, 3], getpid: 7, getppid: 0, setpgid: null, getpgid: 7, count: 3 };
  const pm = checkedPm(answering<PmService>(Object.keys(good), (m) => good[m]));
  assert.equal(await pm.fork(1, 0, 'x'), 7);
  assert.deepEqual(await pm.wait(1, -1, false), { pid: 7, code: 0, signal: 0 });
  assert.equal(await pm.setpgid(1, 0, 0), undefined, 'null across IPC is nothing');
  const bad: Record<string, unknown> = { fork: 0, exit: -1, wait: { pid: 7, code: 'x', signal: 0 }, kill: [2, 1.5], getpid: NaN, getppid: -1, setpgid: 0, getpgid: 2 ** 0.5, count: Infinity };
  const pmBad = checkedPm(answering<PmService>(Object.keys(bad), (m) => bad[m]));
  for (const method of Object.keys(bad)) {
    const fn = (pmBad as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    assert.equal(await errnoOf(fn(1, 1, 1)), Errno.EIO, method);
  }
  const con = checkedConsole(answering<ConsoleService>(['read', 'write'], (m) => (m === 'read' ? new Uint8Array(10) : 9)));
  assert.equal(await errnoOf(con.read(1, 4)), Errno.EIO, 'a read longer than asked');
  assert.equal(await errnoOf(con.write(1, new Uint8Array(4))), Errno.EIO, 'a write of more than was given');
});

test('an errno from the component passes through unchanged', async () => {
  const pm = checkedPm({ getpid: async () => { throw new KernelError(Errno.ESRCH); } } as unknown as PmService);
  assert.equal(await errnoOf(pm.getpid(5)), Errno.ESRCH);
});

test('every vfs and blk method answering a bad reply fails with EIO', async () => {
  const vfs = checkedVfs(answering<VfsService>(Object.keys(VFS_REPLIES), () => BAD_REPLY));
  for (const method of Object.keys(VFS_REPLIES)) {
    const fn = (vfs as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    assert.equal(await errnoOf(fn('/', '/x', new Uint8Array(4), 0)), Errno.EIO, `vfs.${method}`);
  }
  const blk = checkedBlk(answering<BlkService>(Object.keys(BLK_REPLIES), () => BAD_REPLY));
  for (const method of Object.keys(BLK_REPLIES)) {
    const fn = (blk as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    assert.equal(await errnoOf(fn(0, 1)), Errno.EIO, `blk.${method}`);
  }
  const short = checkedBlk(answering<BlkService>(['read'], () => new Uint8Array(100)));
  assert.equal(await errnoOf(short.read(0, 1)), Errno.EIO, 'a short sector read');
  const ok = checkedBlk(answering<BlkService>(['read'], () => new Uint8Array(1024)));
  assert.equal((await ok.read(0, 2)).length, 1024);
});

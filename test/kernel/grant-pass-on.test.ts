// Passing a grant on (MINIX 3's indirect grants): vfs, which the kernel lends a window
// of a process's memory for one call, hands that same window to the filesystem it
// calls for the same call, so ext2 copies from its cache straight into the process's
// memory. Only a component that is itself lent grants (vfs) may pass one on, only a
// live grant it holds (never a reference it made up, never one whose call is over),
// and the filesystem reaches the window and nothing else. On every domain pairing the
// shm transport has: vfs and ext2 both servers, vfs a server and ext2 in the kernel,
// both in the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, isKernelError } from '../../src/abi/errno.js';
import type { ComponentContext, ComponentInstance } from '../../src/abi/component.js';
import type { Grant } from '../../src/abi/grant.js';
import type { VfsService } from '../../src/abi/services.js';
import type { ComponentTable, Domain } from '../../src/kernel/component/table.js';
import type { ComponentModule } from '../../src/kernel/component/server-runtime.js';
import { WindowGrant } from '../../src/kernel/ipc/grant.js';
import { withTable } from './in-process.js';

interface FsPeer { readInto(session: number, ino: number, offset: number, dst: unknown): Promise<number> }

/** What the test vfs's made-up and late grants got. */
const refused: string[] = [];
let keptGrant: Grant | undefined;

/**
 * vfs: handle 1 passes the grant on; 2 passes a reference it made up; 3 keeps the
 * grant; 4 passes the kept one on after its call ended.
 */
const vfs: ComponentModule = {
  manifest: { name: 'vfs', description: 'test vfs', uses: ['ext2'] },
  create: (ctx: ComponentContext): ComponentInstance => ({
    async readInto(handle: number, offset: number, dst: Grant) {
      const ext2 = ctx.peer<FsPeer>('ext2');
      if (handle === 1) return ext2.readInto(0, 7, offset, dst);
      if (handle === 3) { keptGrant = dst; return 0; }
      const fake = handle === 2 ? { grant: 1, offset: 0, length: 64, writable: true } : keptGrant;
      try { await ext2.readInto(0, 7, offset, fake); refused.push('reached'); } catch (e) { refused.push(isKernelError(e) ? e.message : `not an errno: ${String(e)}`); }
      return 0;
    },
  }),
};

/** ext2: inode 7 reads well; inode 8 writes past its window. */
const ext2: ComponentModule = {
  manifest: { name: 'ext2', description: 'test ext2', uses: [] },
  create: (): ComponentInstance => ({
    async readInto(_session: number, ino: number, offset: number, dst: Grant) {
      if (ino === 8) { dst.write(0, new Uint8Array(dst.length + 32).fill(0xee)); return 0; }
      const data = new Uint8Array(Math.min(dst.length, 50)).map((_, i) => (offset * 3 + i) & 0xff);
      dst.write(0, data);
      return data.length;
    },
  }),
};

/** blk: not lent grants itself, so it may not pass one on. */
const blk: ComponentModule = {
  manifest: { name: 'blk', description: 'test blk', uses: ['ext2'] },
  create: (ctx: ComponentContext): ComponentInstance => ({
    async size() {
      try { await ctx.peer<FsPeer>('ext2').readInto(0, 7, 0, { grant: 1, offset: 0, length: 16, writable: true }); refused.push('reached'); } catch (e) { refused.push(isKernelError(e) ? e.message : `not an errno: ${String(e)}`); }
      return 512;
    },
  }),
};

/** A process's memory (0x11 everywhere) lent under `id`, and a grant of [1000, 1100) in it. */
function lendWindow(t: ComponentTable, id: number): { memory: Uint8Array; grant: () => WindowGrant } {
  const sab = new SharedArrayBuffer(4096);
  const memory = new Uint8Array(sab).fill(0x11);
  t.lendMemory(id, sab);
  return { memory, grant: () => new WindowGrant(memory, { grant: id, offset: 1000, length: 100, writable: true }, sab) };
}
const outside = (memory: Uint8Array): number[] => [...memory.subarray(0, 1000), ...memory.subarray(1100)].filter((b) => b !== 0x11);

const pairings: [Domain, Domain][] = [['user', 'user'], ['user', 'kernel'], ['kernel', 'user'], ['kernel', 'kernel']];

for (const [vfsDomain, ext2Domain] of pairings) {
  const where = `vfs ${vfsDomain}, ext2 ${ext2Domain}`;
  const run = (body: (t: ComponentTable) => Promise<void>): Promise<void> =>
    withTable({ vfs, ext2, blk }, 'shm', [[ext2, ext2Domain], [vfs, vfsDomain], [blk, 'user']], body);

  test(`${where}: vfs passes the process's grant on and ext2 fills the window, nothing else`, async () => {
    await run(async (t) => {
      const { memory, grant } = lendWindow(t, 21);
      const v = t.iface<VfsService>('vfs');
      for (const offset of [2, 40]) {
        const g = grant();
        assert.equal(await v.readInto(1, offset, g), 50);
        g.revoke();
        assert.deepEqual([...memory.subarray(1000, 1050)], Array.from({ length: 50 }, (_, i) => (offset * 3 + i) & 0xff));
      }
      assert.deepEqual(outside(memory), []);
    });
  });

  test(`${where}: a reference vfs made up, or a grant whose call is over, is refused; the memory is unchanged`, async () => {
    refused.length = 0;
    keptGrant = undefined;
    await run(async (t) => {
      const { memory, grant } = lendWindow(t, 1);
      const v = t.iface<VfsService>('vfs');
      assert.equal(await v.readInto(2, 0, grant()), 0);
      const g = grant();
      assert.equal(await v.readInto(3, 0, g), 0);
      g.revoke();
      assert.equal(await v.readInto(4, 0, grant()), 0);
      assert.equal(refused.length, 2, refused.join('\n'));
      for (const r of refused) assert.match(r, /^EPERM: vfs cannot lend memory/);
      assert.deepEqual([...memory], new Array(4096).fill(0x11));
    });
  });
}

test('a component that is not lent grants may not pass one on: blk -> ext2 is refused with EPERM', async () => {
  refused.length = 0;
  await withTable({ vfs, ext2, blk }, 'shm', [[ext2, 'user'], [vfs, 'user'], [blk, 'user']], async (t) => {
    const { memory } = lendWindow(t, 1);
    assert.equal(await t.iface<{ size(): Promise<number> }>('blk').size(), 512);
    assert.equal(refused.length, 1);
    assert.match(refused[0]!, /^EPERM: blk cannot lend memory: ext2\.readInto takes grants from the kernel only$/);
    assert.deepEqual([...memory.subarray(0, 16)], new Array(16).fill(0x11));
  });
});

test('a user-domain ext2 that writes outside the window vfs passed it faults and is restarted; the process\'s other memory is unchanged', async () => {
  const faulty: ComponentModule = {
    ...vfs,
    create: (ctx: ComponentContext): ComponentInstance => ({
      readInto: async (_h: number, offset: number, dst: Grant) => ctx.peer<FsPeer>('ext2').readInto(0, 8, offset, dst),
    }),
  };
  await withTable({ vfs: faulty, ext2, blk }, 'shm', [[ext2, 'user'], [faulty, 'user'], [blk, 'user']], async (t) => {
    const { memory, grant } = lendWindow(t, 31);
    await assert.rejects(t.iface<VfsService>('vfs').readInto(1, 0, grant()), (e: unknown) => isKernelError(e) && e.errno === Errno.EIO);
    assert.ok(t.get('ext2')!.restarts >= 1, 'the supervisor restarted ext2');
    assert.deepEqual(outside(memory), [], 'nothing outside the window changed');
  });
});

// Grants: the kernel lends a window of a process's memory to vfs for one read, and vfs
// copies the file's bytes straight into it. A server that writes outside its window,
// or through a grant after its call, faults and is restarted; the lender's other
// memory is unchanged. Only the kernel lends: a component's forged grant is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, isKernelError } from '../../src/abi/errno.js';
import type { ComponentContext, ComponentInstance } from '../../src/abi/component.js';
import type { Grant } from '../../src/abi/grant.js';
import type { VfsService } from '../../src/abi/services.js';
import { ComponentTable, type Domain } from '../../src/kernel/component/table.js';
import type { ComponentModule } from '../../src/kernel/component/server-runtime.js';
import type { Transport } from '../../src/kernel/component/server.js';
import { WindowGrant } from '../../src/kernel/ipc/grant.js';
import { withTable } from './in-process.js';

/** Grants a test vfs kept past their call. */
const kept: Grant[] = [];

/** vfs: handle 1 reads well, 2 writes past its window, 3 keeps the grant, 4 uses the one kept. */
const vfs: ComponentModule = {
  manifest: { name: 'vfs', description: 'test vfs', uses: [] },
  create: (): ComponentInstance => ({
    async readInto(handle: number, offset: number, dst: Grant) {
      const data = new Uint8Array(Math.min(dst.length, 40)).map((_, i) => (offset + i) & 0xff);
      if (handle === 2) { dst.write(0, new Uint8Array(dst.length + 64).fill(0xee)); return 0; }
      if (handle === 3) kept.push(dst);
      if (handle === 4) { kept[0]!.write(0, new Uint8Array(8).fill(0xdd)); return 0; }
      dst.write(0, data);
      return data.length;
    },
  }),
};

/** What a test blk's forged grant got. */
const forged: string[] = [];

/** blk: a client of vfs that tries to lend memory it was never given. */
const blk: ComponentModule = {
  manifest: { name: 'blk', description: 'test blk', uses: ['vfs'] },
  create: (ctx: ComponentContext): ComponentInstance => ({
    async size() {
      try {
        await ctx.peer<{ readInto(h: number, o: number, g: unknown): Promise<number> }>('vfs').readInto(1, 0, { grant: 1, offset: 0, length: 16, writable: true });
        forged.push('reached');
      } catch (e) { forged.push(isKernelError(e) ? e.message : `not an errno: ${String(e)}`); }
      return 512;
    },
  }),
};

const withVfs = (transport: Transport, domain: Domain, body: (t: ComponentTable) => Promise<void>): Promise<void> =>
  withTable({ vfs, blk }, transport, [[vfs, domain], [blk, 'user']], body);

/** A process's memory (filled with 0x11) and a grant of [1000, 1100) in it, as kernel.lend makes. */
function lendWindow(t: ComponentTable, id: number): { memory: Uint8Array; grant: () => WindowGrant } {
  const sab = new SharedArrayBuffer(4096);
  const memory = new Uint8Array(sab).fill(0x11);
  t.lent.set(id, sab);
  return { memory, grant: () => new WindowGrant(memory, { grant: id, offset: 1000, length: 100, writable: true }, sab) };
}

const outside = (memory: Uint8Array): number[] => [...memory.subarray(0, 1000), ...memory.subarray(1100)].filter((b) => b !== 0x11);

for (const transport of ['shm', 'mach', 'postmessage'] as const) {
  test(`${transport}: a user-domain vfs fills the granted window and nothing else; the same memory serves later calls`, async () => {
    await withVfs(transport, 'user', async (t) => {
      const { memory, grant } = lendWindow(t, 7);
      const v = t.iface<VfsService>('vfs');
      for (const offset of [5, 300]) {
        const g = grant();
        assert.equal(await v.readInto(1, offset, g), 40);
        g.revoke();
        assert.deepEqual([...memory.subarray(1000, 1040)], Array.from({ length: 40 }, (_, i) => (offset + i) & 0xff));
      }
      assert.deepEqual(outside(memory), []);
    });
  });

  test(`${transport}: a user-domain vfs that writes outside its grant faults, is restarted, and the process's other memory is unchanged`, async () => {
    await withVfs(transport, 'user', async (t) => {
      const { memory, grant } = lendWindow(t, 8);
      const v = t.iface<VfsService>('vfs');
      await assert.rejects(v.readInto(2, 0, grant()), (e: unknown) => isKernelError(e) && e.errno === Errno.EIO);
      assert.ok(t.get('vfs')!.restarts >= 1, 'the supervisor restarted vfs');
      assert.deepEqual(outside(memory), [], 'nothing outside the window changed');
      // The restarted server has the memory mapped again when it needs it.
      assert.equal(await v.readInto(1, 9, grant()), 40);
      assert.equal(memory[1000], 9);
    });
  });

  test(`${transport}: a grant kept past its call is dead: using it faults the server`, async () => {
    kept.length = 0;
    await withVfs(transport, 'user', async (t) => {
      const { memory, grant } = lendWindow(t, 9);
      const v = t.iface<VfsService>('vfs');
      assert.equal(await v.readInto(3, 0, grant()), 40);
      const before = t.get('vfs')!.restarts;
      await assert.rejects(v.readInto(4, 0, grant()), (e: unknown) => isKernelError(e) && e.errno === Errno.EIO);
      assert.ok(t.get('vfs')!.restarts > before);
      assert.ok(!memory.subarray(1000, 1100).includes(0xdd), 'the revoked grant wrote nothing');
    });
  });

  test(`${transport}: only the kernel lends memory: a component's forged grant is refused with EPERM`, async () => {
    forged.length = 0;
    await withVfs(transport, 'user', async (t) => {
      const { memory } = lendWindow(t, 1);
      assert.equal(await t.iface<{ size(): Promise<number> }>('blk').size(), 512);
      assert.equal(forged.length, 1);
      assert.match(forged[0]!, /^EPERM: blk cannot lend memory: .*readInto takes grants from the kernel only$/);
      assert.deepEqual([...memory.subarray(0, 16)], new Array(16).fill(0x11));
    });
  });
}

test('kernel domain: the grant is a direct reference; a write outside it is not an errno (the syscall dispatcher panics on it)', async () => {
  await withVfs('shm', 'kernel', async (t) => {
    const { memory, grant } = lendWindow(t, 10);
    const v = t.iface<VfsService>('vfs');
    assert.equal(await v.readInto(1, 3, grant()), 40);
    assert.equal(memory[1000], 3);
    await assert.rejects(v.readInto(2, 0, grant()), (e: unknown) => !isKernelError(e) && e instanceof Error && e.name === 'GrantViolation');
    assert.deepEqual(outside(memory), []);
  });
});

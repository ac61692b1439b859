// Channels are capabilities: the component table wires one channel per `uses` edge,
// server-to-server calls go directly between the two threads (nothing relayed by the
// kernel under shm), a call to anything not granted fails at the caller, and a
// restarted server is re-wired while its clients' calls queue and replay; the kernel
// counts what goes along each edge (peerTraffic) without being on the path.
//
// The servers run in this thread (an in-process Platform) so the test can load
// components of its own under the names of the service list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelError, Errno, isKernelError } from '../../src/abi/errno.js';
import type { ComponentContext, ComponentInstance } from '../../src/abi/component.js';
import type { BlkService, PmService } from '../../src/abi/services.js';
import { ComponentTable } from '../../src/kernel/component/table.js';
import type { ComponentModule } from '../../src/kernel/component/server-runtime.js';
import { withTable as withTableIn } from './in-process.js';
import type { Transport } from '../../src/kernel/component/server.js';

/** What a test blk found when it tried to reach past its capabilities. */
const probes: string[] = [];

const errnoOf = async (f: () => Promise<unknown>): Promise<string> => {
  try { await f(); return 'reached'; } catch (e) { return isKernelError(e) ? e.message : `not an errno: ${String(e)}`; }
};

/** blk: uses nothing. Its read tries pm and the kernel's process calls first, then answers. */
const blk: ComponentModule = {
  manifest: { name: 'blk', description: 'test blk', uses: [] },
  create: (ctx: ComponentContext): ComponentInstance & BlkService => ({
    async size() { return 512 * 8; },
    async read(sector: number, count: number) {
      if (sector === 99) {
        probes.push(await errnoOf(async () => ctx.peer<PmService>('pm').getpid(1)));
        probes.push(await errnoOf(() => ctx.kernel.terminate(1, 0, 9)));
        probes.push(await errnoOf(() => ctx.kernel.processTable()));
      }
      return new Uint8Array(count * 512).fill(sector & 0xff);
    },
    async write() {},
    async flush() {},
  }),
};

/** pm: a bystander blk must not reach. */
const pm: ComponentModule = {
  manifest: { name: 'pm', description: 'test pm', uses: [] },
  create: () => ({ async getpid(pid: number) { return pid; } }),
};

/** vfs: uses blk; its read reads the sector of that number through blk. */
const vfs: ComponentModule = {
  manifest: { name: 'vfs', description: 'test vfs', uses: ['blk'] },
  create: (ctx: ComponentContext): ComponentInstance => ({
    async read(_handle: number, offset: number, length: number) {
      const data = await ctx.peer<BlkService>('blk').read(offset, 1);
      return data.subarray(0, length);
    },
  }),
};

const MODULES = { blk, pm, vfs };

const withTable = (transport: Transport, body: (t: ComponentTable) => Promise<void>): Promise<void> =>
  withTableIn(MODULES, transport, [[blk, 'user'], [pm, 'user'], [vfs, 'user']], body);

const read = (t: ComponentTable, sector: number): Promise<Uint8Array> =>
  t.iface<{ read(h: number, o: number, l: number): Promise<Uint8Array> }>('vfs').read(0, sector, 4);

for (const transport of ['shm', 'mach'] as const) {
  test(`${transport}: blk holds no capability for pm or the kernel's process calls; the caller gets EPERM`, async () => {
    probes.length = 0;
    await withTable(transport, async (t) => {
      assert.deepEqual([...await t.iface<BlkService>('blk').read(99, 1)].slice(0, 2), [99, 99]);
      assert.equal(probes.length, 3);
      assert.match(probes[0]!, /^EPERM: blk holds no capability for pm$/);
      assert.match(probes[1]!, /^EPERM: blk holds no capability for kernel\.terminate$/);
      assert.match(probes[2]!, /^EPERM: blk holds no capability for kernel\.processTable$/);
    });
  });
}

test('shm: vfs reaches blk on their own channel, without the kernel thread; mach relays every call', async () => {
  for (const [transport, relayed] of [['shm', false], ['mach', true]] as const) {
    await withTable(transport, async (t) => {
      for (let i = 1; i <= 5; i++) assert.deepEqual([...await read(t, i)], [i, i, i, i], transport);
      assert.equal(t.relayed > 0, relayed, `${transport}: ${t.relayed} calls relayed`);
      if (relayed) assert.equal(t.relayed, 5);
    });
  }
});

test('shm: a restarted blk is re-wired to vfs; the read in flight is replayed and later reads go to the new channel', async () => {
  await withTable('shm', async (t) => {
    assert.deepEqual([...await read(t, 7)], [7, 7, 7, 7]);
    await t.armFault('blk', 'crash');
    // The read that crashes blk: vfs's call is taken back, queued, and replayed on the new blk.
    assert.deepEqual([...await read(t, 8)], [8, 8, 8, 8]);
    assert.equal(t.get('blk')?.restarts, 1);
    for (let i = 9; i < 12; i++) assert.deepEqual([...await read(t, i)], [i, i, i, i]);
    assert.equal(t.relayed, 0);
  });
});

test('shm: a call to an unloaded peer fails with ENODEV, and works again once it is loaded', async () => {
  await withTable('shm', async (t) => {
    await t.unload('blk');
    await assert.rejects(read(t, 1), (e: unknown) => e instanceof KernelError && e.errno === Errno.ENODEV);
    await t.load(blk, 'kernel');
    assert.deepEqual([...await read(t, 3)], [3, 3, 3, 3], 'vfs (user) reaches a kernel-domain blk through a kernel end');
  });
});

test('peerTraffic: the kernel counts what goes between components — direct and relayed calls one by one, shm channel bytes from the rings, kept across a restart', async () => {
  const edge = (t: ComponentTable): { calls?: number; bytes?: number } | undefined => t.peerTraffic().find((x) => x.from === 'vfs' && x.to === 'blk');
  // Relayed (mach): every call is the kernel's to count, and it counts each.
  await withTable('mach', async (t) => {
    for (let i = 1; i <= 5; i++) await read(t, i);
    assert.deepEqual(edge(t), { from: 'vfs', to: 'blk', calls: t.relayed });
    assert.equal(t.relayed, 5);
  });
  // Direct calls between kernel-domain components.
  await withTableIn(MODULES, 'shm', [[blk, 'kernel'], [pm, 'kernel'], [vfs, 'kernel']], async (t) => {
    for (let i = 1; i <= 4; i++) await read(t, i);
    assert.deepEqual(edge(t), { from: 'vfs', to: 'blk', calls: 4 });
  });
  // shm between two servers: the kernel is not on the path; it reads the rings' counters.
  await withTable('shm', async (t) => {
    await read(t, 1);
    const one = edge(t)?.bytes ?? 0;
    assert.ok(one > 0, `one read: ${one} bytes`);
    for (let i = 2; i <= 4; i++) await read(t, i);
    const four = edge(t)?.bytes ?? 0;
    // Every read is the same call and reply, so four reads carry four times one's bytes.
    assert.equal(four, 4 * one);
    await t.armFault('blk', 'crash');
    await read(t, 5);
    for (let i = 6; i <= 9; i++) await read(t, i);
    assert.ok((edge(t)?.bytes ?? 0) >= 8 * one, `after the restart: ${edge(t)?.bytes} bytes (the old channel's kept)`);
    assert.equal(edge(t)?.calls, undefined);
  });
});

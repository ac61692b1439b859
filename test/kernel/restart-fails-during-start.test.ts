// Regression: a restart whose new server failed while starting (killed as hung during
// its init, or its init threw) left the calls that were in flight in the dead server
// unanswered for good, and a failed init left the component 'restarting' for good: the
// process that made the call never returned (a fault campaign's boot stuck). Now the
// next attempt runs and the calls are replayed on the server that did start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComponentInstance } from '../../src/abi/component.js';
import type { BlkService } from '../../src/abi/services.js';
import type { ComponentModule } from '../../src/kernel/component/server-runtime.js';
import { withTable } from './in-process.js';

let instances = 0;

/** blk whose second instance (the first restart) fails in init. */
const blk: ComponentModule = {
  manifest: { name: 'blk', description: 'test blk', uses: [] },
  create: (): ComponentInstance & BlkService => {
    const n = ++instances;
    return {
      async init() { if (n === 2) throw new Error('EIO: test: this restart fails while starting'); },
      async size() { return 512 * 8; },
      async read(sector: number, count: number) { return new Uint8Array(count * 512).fill(sector & 0xff); },
      async write() {},
      async flush() {},
    };
  },
};

test('a call in flight when a server died is answered even when its first restart fails while starting', async () => {
  await withTable({ blk }, 'shm', [[blk, 'user']], async (t) => {
    const b = t.iface<BlkService>('blk');
    assert.deepEqual([...await b.read(3, 1)].slice(0, 2), [3, 3]);
    await t.armFault('blk', 'crash');
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      b.read(5, 1).then((d) => [...d].slice(0, 2), (e: unknown) => `failed: ${String(e)}`),
      new Promise<string>((resolve) => { timer = setTimeout(() => resolve('no answer within 10 s'), 10000); }),
    ]);
    clearTimeout(timer);
    assert.deepEqual(answer, [5, 5], 'the read in flight is replayed on the server that started');
    assert.equal(instances, 3);
    assert.equal(t.get('blk')?.restarts, 2);
    assert.equal(t.get('blk')?.state, 'running');
    assert.deepEqual([...await b.read(6, 1)].slice(0, 2), [6, 6]);
  });
});

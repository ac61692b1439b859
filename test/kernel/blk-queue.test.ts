// The blk driver against the block device model (it joins services and hw, so it lives in test/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '../../src/services/blk/blk.js';
import { BlockDeviceModel, RamBacking } from '../../src/hw/block-device.js';
import { bindDevice } from '../../src/kernel/device.js';
import { Arena } from '../../src/lib/arena.js';
import { DEV_DOORBELL } from '../../src/abi/device.js';
import type { ComponentContext } from '../../src/abi/component.js';
import type { BlkService } from '../../src/abi/services.js';

// The device on a RAM disk, served whenever its doorbell rings (as the host does).
function machine(bytes: number): { blk: ReturnType<typeof create>; backing: RamBacking; model: BlockDeviceModel; stop(): void } {
  const backing = new RamBacking(bytes);
  for (let i = 0; i < bytes; i++) backing.data[i] = (i * 131 + (i >> 9)) & 0xff;
  const model = new BlockDeviceModel(backing);
  const words = new Int32Array(model.memory, 0, 1);
  let stopped = false;
  const loop = (seen: number): void => {
    if (stopped) return;
    model.service();
    const w = Atomics.waitAsync(words, DEV_DOORBELL, seen);
    if (w.async) void w.value.then(() => loop(Atomics.load(words, DEV_DOORBELL)));
    else setImmediate(() => loop(Atomics.load(words, DEV_DOORBELL)));
  };
  loop(Atomics.load(words, DEV_DOORBELL));
  const ctx = {
    name: 'blk', arena: new Arena('test', new SharedArrayBuffer(1 << 20)), config: {}, log: () => {}, peer: () => { throw new Error('no peers'); },
    kernel: {} as ComponentContext['kernel'], device: bindDevice('block', model.memory),
  } as ComponentContext;
  const blk = create(ctx);
  return { blk, backing, model, stop: () => { stopped = true; void blk.shutdown?.(); Atomics.add(words, DEV_DOORBELL, 1); Atomics.notify(words, DEV_DOORBELL); } };
}

test('blk: concurrent reads queued in one tick never share a slot (each gets its own bytes)', async () => {
  const m = machine(4 << 20);
  try {
    await m.blk.init?.();
    const service = m.blk as BlkService;
    // 40 reads at once: more than the 16 slots, several of them larger than one slot.
    const asks = Array.from({ length: 40 }, (_, i) => ({ sector: (i * 197) % 6000, count: 1 + ((i * 53) % 300) }));
    const got = await Promise.all(asks.map((a) => service.read(a.sector, a.count)));
    asks.forEach((a, i) => {
      const want = m.backing.data.subarray(a.sector * 512, (a.sector + a.count) * 512);
      assert.equal(got[i]!.length, want.length);
      assert.ok(Buffer.from(got[i]!).equals(Buffer.from(want)), `read ${i} (sector ${a.sector} x ${a.count}) has its own bytes`);
    });
  } finally { m.stop(); }
});

test('blk: a 1 MiB read queues its sixteen 64 KiB pieces at once and rings the doorbell once', async () => {
  const m = machine(4 << 20);
  try {
    await m.blk.init?.();
    const bell = new Int32Array(m.model.memory, 0, 1);
    const requests = m.model.requests;
    const rings = Atomics.load(bell, DEV_DOORBELL);
    const data = await (m.blk as BlkService).read(100, 2048);
    assert.ok(Buffer.from(data).equals(Buffer.from(m.backing.data.subarray(100 * 512, 2148 * 512))));
    assert.equal(m.model.requests - requests, 16, 'sixteen requests');
    assert.equal(Atomics.load(bell, DEV_DOORBELL) - rings, 1, 'one doorbell for all of them');
  } finally { m.stop(); }
});

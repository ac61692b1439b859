// Read-ahead: a sequential reader's blocks reach the cache in few, large device
// requests, whatever the cache held before. The case that once defeated it: a file
// about the cache's size, just written. Its tail is still cached (the newest blocks)
// and its head is not; read from the start, every block fetched ahead evicted the
// oldest cached one — the blocks the reader needed next — and those came back one
// device request per block (1-KiB blocks: 4 MiB read at ~10 MB/s through the system).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S } from '../../src/abi/fs.js';
import { mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { memoryDevice, newArena } from './device.js';

const pattern = (at: number): number => ((at * 2654435761) >>> 24) & 0xff;

for (const blockSize of [1024, 4096] as const) {
  for (const ratio of [0.5, 0.9, 1, 1.1, 2]) {
    test(`ext2 (${blockSize}-byte blocks): a file ${ratio}x the cache, just written, reads back in large requests`, async () => {
      const cacheBytes = 1 << 20;
      const { device } = memoryDevice(16 << 20);
      await mkfsExt2(device, { blockSize });
      const fs = await mountExt2(device, { arena: newArena(), cacheBytes });
      const ino = await fs.create(fs.root(), 'f', S.IFREG | 0o644);
      const size = Math.round((cacheBytes * ratio) / 65536) * 65536;
      const chunk = new Uint8Array(65536);
      for (let at = 0; at < size; at += chunk.length) {
        for (let k = 0; k < chunk.length; k++) chunk[k] = pattern(at + k);
        await fs.write(ino, at, chunk);
      }
      await fs.fsync(ino);
      const before = device.reads;
      let bad = -1;
      for (let at = 0; at < size && bad < 0; at += 65536) {
        const got = await fs.read(ino, at, 65536);
        assert.equal(got.length, 65536, `read at ${at}`);
        for (let k = 0; k < got.length; k++) if (got[k] !== pattern(at + k)) { bad = at + k; break; }
      }
      assert.equal(bad, -1, `byte ${bad} read back differs`);
      const requests = device.reads - before;
      // The file's data blocks (and, with 1-KiB blocks, its indirect blocks) in runs of
      // up to 64 blocks: a file of N blocks needs about N/64 requests; one per 16 blocks
      // leaves room for runs the indirect blocks cut.
      const blocks = size / blockSize;
      assert.ok(requests <= Math.ceil(blocks / 16) + 4, `${requests} device reads for ${blocks} blocks`);
      await fs.unmount();
    });
  }
}

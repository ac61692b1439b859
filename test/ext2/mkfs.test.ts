// mkfsExt2 images judged by e2fsck, and our fsck agreeing on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fsckExt2, mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { debugfs, e2fsck, memoryDevice, newArena, saveImage } from './device.js';

for (const blockSize of [1024, 4096] as const) {
  for (const mib of [8, 64, 200]) {
    test(`mkfsExt2 ${mib} MiB, ${blockSize}-byte blocks passes e2fsck -fn and our fsck`, async () => {
      const { device, memory } = memoryDevice(mib << 20);
      await mkfsExt2(device, { blockSize, label: 'kk' });
      const image = saveImage(memory.bytes, `mkfs-${mib}-${blockSize}.img`);
      const r = e2fsck(image, '-fn');
      assert.equal(r.status, 0, r.output);
      const ours = await fsckExt2(device);
      assert.deepEqual(ours, { clean: true, errors: [] });
      const stats = debugfs(image, 'stats');
      assert.match(stats, new RegExp(`Block size:\\s+${blockSize}`));
      assert.match(stats, /Filesystem features:\s+filetype sparse_super large_file/);
      assert.match(debugfs(image, 'ls -l /'), /lost\+found/);
      const fs = await mountExt2(device, { arena: newArena() });
      const st = await fs.statfs();
      assert.equal(st.blockSize, blockSize);
      assert.ok(st.freeBlocks > 0 && st.freeBlocks < st.blocks);
      await fs.unmount();
      assert.equal(e2fsck(image, '-fn').status, 0);
    });
  }
}

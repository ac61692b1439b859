// The host-side tools behind `kernelkit mkfs` and `kernelkit fsck`, judged by e2fsck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync, readFileSync } from 'node:fs';
import { parseSize, runFsck, runMkfs } from '../../src/cli/fs-tools.js';
import { e2fsck, debugfs, tempPath } from './device.js';

test('runMkfs writes an image e2fsck finds clean; runFsck says 0 on it and 1 after damage, and repairs', async () => {
  assert.equal(parseSize('64M'), 64 << 20);
  assert.equal(parseSize('4096'), 4096);
  for (const blockSize of [1024, 4096, undefined]) {
    const image = tempPath(`tool-${blockSize ?? 'default'}.img`);
    assert.equal(await runMkfs(image, { size: '24M', ...(blockSize ? { blockSize } : {}) }), 0);
    assert.equal(statSync(image).size, 24 << 20);
    const r = e2fsck(image, '-fn');
    assert.equal(r.status, 0, r.output);
    assert.match(debugfs(image, 'stats'), new RegExp(`Block size:\\s+${blockSize ?? 1024}\\b`));
    assert.equal(await runFsck(image, {}), 0);
  }
  const image = tempPath('tool-1024.img');
  const bytes = new Uint8Array(readFileSync(image));
  const bitmap = new DataView(bytes.buffer).getUint32(2048, true);
  bytes[bitmap * 1024 + 900] = 0xff; // blocks marked used that nothing owns
  writeFileSync(image, bytes);
  assert.notEqual(e2fsck(image, '-fn').status, 0);
  assert.equal(await runFsck(image, {}), 1);
  assert.equal(await runFsck(image, { repair: true }), 1);
  assert.equal(await runFsck(image, {}), 0);
  assert.equal(e2fsck(image, '-fn').status, 0, 'our repair satisfies e2fsck');
  assert.equal(await runMkfs(tempPath('bad.img'), { size: 'lots' }), 1);
  assert.equal(await runMkfs(tempPath('bad.img'), { size: '8M', blockSize: 2000 }), 1);
  assert.equal(await runFsck(tempPath('missing.img'), {}), 8);
});

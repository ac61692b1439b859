// The ramfs self-check (page-pool.ts check): its own writes are never taken for damage;
// a byte changed in the arena behind its back is found, wherever it lands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/lib/arena.js';
import { Ramfs } from '../../src/services/ramfs/ramfs.js';
import { S } from '../../src/abi/fs.js';
import type { Ino } from '../../src/abi/ids.js';

async function filled(): Promise<{ arena: Arena; fs: Ramfs; inos: Ino[] }> {
  const arena = new Arena('vfs', new SharedArrayBuffer(4 << 20));
  const fs = new Ramfs({ arena, owner: 'vfs' });
  const inos: Ino[] = [];
  for (let f = 0; f < 8; f++) {
    const ino = await fs.create(fs.root(), `f${f}`, S.IFREG | 0o644);
    await fs.write(ino, 0, new Uint8Array(40000).fill(f + 1));
    inos.push(ino);
  }
  return { arena, fs, inos };
}

test('ramfs self-check: its own writes, truncates and frees are not damage', async () => {
  const { fs, inos } = await filled();
  assert.equal(fs.selfCheck(), undefined, 'first pass takes the checksums');
  assert.equal(fs.selfCheck(), undefined, 'second pass verifies them');
  await fs.write(inos[2]!, 100, new Uint8Array(5000).fill(9));
  await fs.setattr(inos[3]!, { size: 1234 });
  await fs.unlink(fs.root(), 'f4');
  for (let i = 0; i < 3; i++) assert.equal(fs.selfCheck(), undefined, `pass ${i} after ramfs changed its pages`);
});

test('ramfs self-check: a byte changed behind its back is found, in any chunk', async () => {
  for (const at of [0, 70000, 200000, 319999]) {
    const { arena, fs } = await filled();
    fs.selfCheck(); fs.selfCheck();
    const region = arena.list('vfs').find((r) => r.offset <= at && at < r.offset + r.length);
    assert.ok(region !== undefined, `offset ${at} is in a ramfs chunk`);
    arena.memory[at] = arena.memory[at]! ^ 0x40;
    const damage = fs.selfCheck();
    assert.match(damage ?? '', /changed behind ramfs's back \(a wild write\)/, `a flipped bit at ${at}`);
  }
});

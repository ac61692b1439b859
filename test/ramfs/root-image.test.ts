// The root image (services/ramfs/image.ts, services/vfs/boot.ts rootImage): a vfs that
// restores it holds the tree an unpack of the initramfs gives, in the same arena
// memory; writes after a restore work and never reach the image, so damage in one
// instance does not show in the next; an image whose bytes changed is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { O, isDir, isLnk, isReg } from '../../src/abi/fs.js';
import { create, rootImage, type VfsInstance } from '../../src/services/vfs/index.js';
import { context, INITRAMFS } from '../../src/services/vfs/test-fixtures.js';
import { writeCpio } from '../../src/lib/cpio.js';
import { checkImage, type RamfsImage } from '../../src/services/ramfs/index.js';
import type { Value } from '../../src/lib/codec.js';
import type { ComponentContext } from '../../src/abi/component.js';

const built = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../build/initramfs.cpio');
// The image the system boots (6 MB, over a hundred programs) when it is built; the test fixture otherwise.
const CPIO = fs.existsSync(built) ? new Uint8Array(fs.readFileSync(built)) : writeCpio(INITRAMFS);
const enc = new TextEncoder();
const started = (Date.now() - 1000) * 1e6;

async function booted(config: Record<string, Value>, logs: string[] = []): Promise<{ vfs: VfsInstance; ctx: ComponentContext }> {
  const ctx = context(config, logs);
  const vfs = create(ctx) as VfsInstance;
  await vfs.init();
  return { vfs, ctx };
}

async function read(vfs: VfsInstance, p: string): Promise<Uint8Array> {
  const { handle } = await vfs.open('/', p, O.RDONLY, 0);
  try {
    const st = await vfs.fstat(handle);
    return await vfs.read(handle, 0, st.size);
  } finally { await vfs.close(handle); }
}

// Every path under / (proc left out: not ramfs) with its metadata and contents.
async function tree(vfs: VfsInstance, dir = '/', out = new Map<string, string>()): Promise<Map<string, string>> {
  const { handle } = await vfs.open('/', dir, O.RDONLY | O.DIRECTORY, 0);
  const names: string[] = [];
  try {
    for (let at = 0; ;) {
      const batch = await vfs.getdents(handle, at, 64);
      if (batch.length === 0) break;
      at += batch.length;
      for (const e of batch) if (e.name !== '.' && e.name !== '..') names.push(e.name);
    }
  } finally { await vfs.close(handle); }
  for (const name of names) {
    const p = (dir === '/' ? '' : dir) + '/' + name;
    if (p === '/proc') continue;
    const st = await vfs.stat('/', p, false);
    const body = isReg(st.mode) ? createHash('sha256').update(await read(vfs, p)).digest('hex') : isLnk(st.mode) ? await vfs.readlink('/', p) : '';
    // Times the archive does not give (a directory it only implies) are when it was unpacked, or frozen: recent in both.
    const time = (ns: number): number | string => (ns >= started ? 'recent' : ns);
    out.set(p, JSON.stringify([st.ino, st.mode, st.uid, st.gid, st.rdev, st.nlink, st.size, time(st.mtimeNs), time(st.atimeNs), body]));
    if (isDir(st.mode)) await tree(vfs, p, out);
  }
  return out;
}

const image = rootImage(CPIO);

test('a vfs restored from the root image holds the tree an unpack gives, in the same arena memory', async () => {
  const unpacked = await booted({ initramfs: CPIO });
  const restored = await booted({ initramfs: CPIO, rootImage: await image });
  const a = await tree(unpacked.vfs), b = await tree(restored.vfs);
  assert.ok(a.size > 10, `a tree to compare: ${a.size} paths`);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [p, meta] of a) assert.equal(b.get(p), meta, p);
  // A wild write meets the same memory: the same regions at the same offsets, the same bytes in them.
  const regions = (ctx: ComponentContext): string[] => ctx.arena.list('vfs').map((r) => `${r.offset}+${r.length}`);
  assert.deepEqual(regions(restored.ctx), regions(unpacked.ctx));
  for (const r of unpacked.ctx.arena.list('vfs')) assert.ok(Buffer.from(r.bytes).equals(Buffer.from(restored.ctx.arena.memory.subarray(r.offset, r.offset + r.length))), `region at ${r.offset}`);
});

test('writes after a restore work, stay in that instance, and damage in a dead instance does not show in the next', async () => {
  const frozen = await image;
  const first = await booted({ initramfs: CPIO, rootImage: frozen });
  const motd = await read(first.vfs, '/etc/motd');
  const sh = await read(first.vfs, '/bin/sh');
  // Writes: a system file rewritten, a new file.
  const { handle } = await first.vfs.open('/', '/etc/motd', O.WRONLY | O.TRUNC, 0);
  await first.vfs.write(handle, 0, enc.encode('changed\n'));
  await first.vfs.close(handle);
  assert.equal(Buffer.from(await read(first.vfs, '/etc/motd')).toString(), 'changed\n');
  const made = await first.vfs.open('/', '/tmp/new', O.WRONLY | O.CREAT, 0o644);
  await first.vfs.write(made.handle, 0, enc.encode('new'));
  await first.vfs.close(made.handle);
  assert.equal(Buffer.from(await read(first.vfs, '/tmp/new')).toString(), 'new');
  // A wild write over every page the first instance holds, as a damaged server leaves
  // its memory (after a full round of self-checks, so every chunk has its checksum).
  for (let k = 0; k < 64; k++) first.vfs.selfCheck?.();
  for (const r of first.ctx.arena.list('vfs')) r.bytes.fill(0xa5);
  assert.notDeepEqual(await read(first.vfs, '/bin/sh'), sh, 'the first instance is damaged');
  let damage: string | undefined;
  for (let k = 0; k < 64 && damage === undefined; k++) damage = first.vfs.selfCheck?.();
  assert.match(damage ?? '', /changed behind ramfs's back/);
  // The next instance, from the same image: none of it.
  assert.equal(typeof checkImage(frozen), 'object', 'the image is unchanged');
  const next = await booted({ initramfs: CPIO, rootImage: frozen });
  assert.deepEqual(await read(next.vfs, '/etc/motd'), motd);
  assert.deepEqual(await read(next.vfs, '/bin/sh'), sh);
  await assert.rejects(read(next.vfs, '/tmp/new'), /ENOENT|no such/i);
  for (let k = 0; k < 64; k++) assert.equal(next.vfs.selfCheck?.(), undefined);
});

test('a wild write right after a restore, before any self-check, is found by the self-check', async () => {
  const restored = await booted({ initramfs: CPIO, rootImage: await image });
  const sh = await read(restored.vfs, '/bin/sh');
  // Garbage over the middle of every region ramfs holds, before the first self-check.
  for (const r of restored.ctx.arena.list('vfs')) r.bytes.fill(0x5a, r.length >> 2, r.length >> 1);
  assert.notDeepEqual(await read(restored.vfs, '/bin/sh'), sh, 'the instance is damaged');
  let damage: string | undefined;
  for (let k = 0; k < 64 && damage === undefined; k++) damage = restored.vfs.selfCheck?.();
  assert.match(damage ?? '', /changed behind ramfs's back/);
  // An undamaged restore passes every round of self-checks.
  const clean = await booted({ initramfs: CPIO, rootImage: await image });
  for (let k = 0; k < 64; k++) assert.equal(clean.vfs.selfCheck?.(), undefined);
});

test('an image whose bytes changed is refused, and vfs unpacks the initramfs instead', async () => {
  const frozen = await image;
  const bytes = new Uint8Array(frozen.bytes);
  const k = bytes.length >> 1;
  bytes[k] = bytes[k]! ^ 0xff;
  const changed: RamfsImage = { ...frozen, bytes };
  assert.match(String(checkImage(changed)), /the image changed/);
  const logs: string[] = [];
  const { vfs } = await booted({ initramfs: CPIO, rootImage: changed }, logs);
  assert.ok(logs.some((l) => /root image refused \(chunk \d+: checksum .*the image changed\); unpacking the initramfs/.test(l)), logs.join('\n'));
  const unpacked = await booted({ initramfs: CPIO });
  assert.deepEqual([...(await tree(vfs)).entries()], [...(await tree(unpacked.vfs)).entries()]);
  assert.match(String(checkImage({ ...frozen, format: 'other' })), /format other/);
  assert.match(String(checkImage(null)), /not an object/);
});

// Crash consistency: power cuts at seeded random writes (half of them with a reordering
// drive cache) during a create/append/fsync/rename/unlink workload on ext2. After each
// cut e2fsck -fy must repair the image (exit < 4), a second e2fsck -fn must find it
// clean, and every file fsync'd before the cut must hold exactly its fsync'd bytes
// (files appended to since then must still start with them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { isKernelError } from '../../src/abi/errno.js';
import { S } from '../../src/abi/fs.js';
import type { FileSystem } from '../../src/abi/fs.js';
import type { Ino } from '../../src/abi/ids.js';
import { MemoryBacking, PowerCutBacking, seededRandom } from '../../src/hw/power-cut.js';
import { mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { BackingDevice, e2fsck, loadImage, memoryDevice, newArena, tempPath } from './device.js';

export const CUTS = 240;

interface FileModel { dir: 'root' | 'd'; name: string; data: Uint8Array }
interface Durable { dir: 'root' | 'd'; name: string; data: Uint8Array; appendedSince: boolean; movedSince: boolean }

/** The workload; `onDurable` is called after every successful fsync. Returns when done or when the device dies. */
async function workload(fs: FileSystem, seed: number, durable: Map<number, Durable>): Promise<void> {
  const rnd = seededRandom(seed * 7919);
  const root = fs.root();
  const d = await fs.mkdir(root, 'd', 0o755).catch(async () => fs.lookup(root, 'd'));
  const files = new Map<number, FileModel & { ino: Ino }>();
  let next = 0;
  const dirIno = (which: 'root' | 'd'): Ino => (which === 'root' ? root : d);
  for (let step = 0; step < 80; step++) {
    const r = rnd();
    const live = [...files.keys()];
    const id = live[Math.floor(rnd() * live.length)];
    if (r < 0.25 || live.length === 0) {
      const dir = rnd() < 0.5 ? 'root' : 'd';
      const name = `f${next}`;
      const ino = await fs.create(dirIno(dir), name, S.IFREG | 0o644);
      files.set(next++, { dir, name, data: new Uint8Array(0), ino });
    } else if (r < 0.6) {
      const f = files.get(id!)!;
      const chunk = new Uint8Array(1 + Math.floor(rnd() * (rnd() < 0.1 ? 40_000 : 3000))).map(() => Math.floor(rnd() * 256));
      await fs.write(f.ino, f.data.length, chunk);
      const grown = new Uint8Array(f.data.length + chunk.length);
      grown.set(f.data);
      grown.set(chunk, f.data.length);
      f.data = grown;
      const m = durable.get(id!);
      if (m) m.appendedSince = true;
    } else if (r < 0.8) {
      const f = files.get(id!)!;
      await fs.fsync(f.ino);
      // fsync makes this file durable (see docs/ext2.md): its bytes and its name.
      durable.set(id!, { dir: f.dir, name: f.name, data: f.data.slice(), appendedSince: false, movedSince: false });
    } else if (r < 0.9) {
      const f = files.get(id!)!;
      const dir = rnd() < 0.5 ? 'root' : 'd';
      const name = `r${next++}`;
      await fs.rename(dirIno(f.dir), f.name, dirIno(dir), name);
      f.dir = dir;
      f.name = name;
      const m = durable.get(id!);
      if (m) m.movedSince = true;
    } else {
      const f = files.get(id!)!;
      await fs.unlink(dirIno(f.dir), f.name);
      files.delete(id!);
      const m = durable.get(id!);
      if (m) m.movedSince = true;
    }
  }
}

async function lookupPath(fs: FileSystem, dir: 'root' | 'd', name: string): Promise<Ino> {
  const root = fs.root();
  return fs.lookup(dir === 'root' ? root : await fs.lookup(root, 'd'), name);
}

test(`crash consistency: ${CUTS} seeded power cuts, e2fsck -fy repairs, fsync'd data survives`, async () => {
  const bases = new Map<number, Uint8Array>();
  for (const bs of [1024, 4096] as const) {
    const { device, memory } = memoryDevice(bs === 1024 ? 3 << 20 : 6 << 20);
    await mkfsExt2(device, { blockSize: bs });
    bases.set(bs, memory.bytes);
  }
  let repairedImages = 0, cleanImages = 0, filesChecked = 0, cutsDuringWorkload = 0;
  for (let cut = 0; cut < CUTS; cut++) {
    const seed = cut + 1;
    const bs = cut % 3 === 2 ? 4096 : 1024;
    const reorder = cut % 2 === 1;
    // Calibrate: how many writes does this seed's workload issue with no cut?
    const probe = new PowerCutBacking(new MemoryBacking(bases.get(bs)!.slice()));
    const probeFs = await mountExt2(new BackingDevice(probe), { arena: newArena(8) });
    await workload(probeFs, seed, new Map());
    await probeFs.sync();
    const total = probe.writes;
    const disk = new MemoryBacking(bases.get(bs)!.slice());
    const pc = new PowerCutBacking(disk, { seed, randomWithin: total, reorder });
    const durable = new Map<number, Durable>();
    try {
      const fs = await mountExt2(new BackingDevice(pc), { arena: newArena(8) });
      await workload(fs, seed, durable);
      await fs.sync();
    } catch (e) {
      assert.ok(isKernelError(e), `seed ${seed}: the power cut surfaces as a KernelError, got ${String(e)}`);
      assert.equal(pc.powered, false, `seed ${seed}: ${String(e)}`);
      cutsDuringWorkload++;
    }
    pc.powerCut();
    const image = tempPath(`crash-${seed}.img`);
    writeFileSync(image, disk.bytes);
    const fix = e2fsck(image, '-fy');
    assert.ok(fix.status < 4, `seed ${seed} (cut at write ${pc.cutPoint} of ${total}, reorder ${reorder}): e2fsck -fy exit ${fix.status}\n${fix.output}`);
    if (fix.status === 0) cleanImages++; else repairedImages++;
    const again = e2fsck(image, '-fn');
    assert.equal(again.status, 0, `seed ${seed}: still dirty after repair\n${again.output}`);
    const { device } = memoryDevice(loadImage(image));
    const fs = await mountExt2(device, { arena: newArena(8), readOnly: true });
    for (const [id, f] of durable) {
      if (f.movedSince) continue;
      const where = `seed ${seed} file ${id} (${f.dir}/${f.name}, ${f.data.length} bytes fsync'd, cut at write ${pc.cutPoint} of ${total}, reorder ${reorder})`;
      const ino = await lookupPath(fs, f.dir, f.name).catch((e: unknown) => assert.fail(`${where}: lost: ${String(e)}`));
      const st = await fs.getattr(ino);
      const data = await fs.read(ino, 0, st.size);
      if (f.appendedSince) assert.deepEqual(data.subarray(0, f.data.length), f.data, `${where}: fsync'd prefix changed`);
      else assert.deepEqual(data, f.data, `${where}: contents differ`);
      filesChecked++;
    }
    await fs.unmount();
  }
  assert.equal(cutsDuringWorkload, CUTS, 'every cut landed inside the workload');
  console.log(`crash: ${CUTS} cuts, ${cutsDuringWorkload} during the workload, e2fsck -fy repaired ${repairedImages} images and found ${cleanImages} clean; ${filesChecked} fsync'd files verified`);
});

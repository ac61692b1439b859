// Differential test: one seeded random sequence of file operations (create, write at
// offsets, truncate, rename, link, unlink, mkdir, rmdir) on kernelkit's ext2 and on the
// host's own filesystem in a temp dir; contents, sizes, link counts and errors must
// agree after every step, and the image must pass e2fsck -fn at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as host from 'node:fs';
import path from 'node:path';
import { errnoName, isKernelError } from '../../src/abi/errno.js';
import { S, isDir } from '../../src/abi/fs.js';
import type { FileSystem } from '../../src/abi/fs.js';
import type { Ino } from '../../src/abi/ids.js';
import { fsckExt2, mkfsExt2, mountExt2 } from '../../src/services/ext2/index.js';
import { seededRandom } from '../../src/hw/power-cut.js';
import { e2fsck, memoryDevice, newArena, saveImage, tempPath } from './device.js';

type Outcome = string; // 'ok' or an errno name

async function ours(fn: () => Promise<unknown>): Promise<Outcome> {
  try { await fn(); return 'ok'; } catch (e) {
    if (isKernelError(e)) return errnoName(e.errno);
    throw e;
  }
}
function theirs(fn: () => void): Outcome {
  try { fn(); return 'ok'; } catch (e) { return (e as NodeJS.ErrnoException).code ?? String(e); }
}

async function walk(fs: FileSystem, p: string): Promise<Ino> {
  let ino = fs.root();
  for (const part of p.split('/').filter(Boolean)) {
    if (!isDir((await fs.getattr(ino)).mode)) throw Object.assign(new Error('walk'), { errno: 20, name: 'KernelError' });
    ino = await fs.lookup(ino, part);
  }
  return ino;
}
const parentOf = (p: string): string => path.posix.dirname(p);
const baseOf = (p: string): string => path.posix.basename(p);

/** Every path under `dir` with type, size, nlink and content, from our filesystem. */
async function snapshotOurs(fs: FileSystem, ino: Ino, prefix: string, out: Map<string, string>): Promise<void> {
  for (const e of (await fs.readdir(ino)).filter((x) => x.name !== '.' && x.name !== '..').sort((a, b) => a.name.localeCompare(b.name))) {
    const child = await fs.lookup(ino, e.name);
    const st = await fs.getattr(child);
    const p = `${prefix}/${e.name}`;
    if (isDir(st.mode)) { out.set(p, `dir nlink=${st.nlink}`); await snapshotOurs(fs, child, p, out); } else {
      const data = await fs.read(child, 0, st.size);
      out.set(p, `file size=${st.size} nlink=${st.nlink} sum=${Buffer.from(data).toString('base64').length}:${hash(data)}`);
    }
  }
}
function snapshotHost(dir: string, prefix: string, out: Map<string, string>): void {
  for (const name of host.readdirSync(dir).sort((a, b) => a.localeCompare(b))) {
    const full = path.join(dir, name);
    const st = host.lstatSync(full);
    const p = `${prefix}/${name}`;
    if (st.isDirectory()) { out.set(p, `dir nlink=${st.nlink}`); snapshotHost(full, p, out); } else {
      const data = new Uint8Array(host.readFileSync(full));
      out.set(p, `file size=${st.size} nlink=${st.nlink} sum=${Buffer.from(data).toString('base64').length}:${hash(data)}`);
    }
  }
}
function hash(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

async function run(seed: number, blockSize: 1024 | 4096, steps: number): Promise<void> {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hostRoot = tempPath(`diff-${seed}-${blockSize}`);
  host.mkdirSync(hostRoot);
  const { device, memory } = memoryDevice(16 << 20);
  await mkfsExt2(device, { blockSize });
  const fs = await mountExt2(device, { arena: newArena() });
  // Small namespace so operations collide: names reused across a few directories.
  const dirs = ['', '/a', '/b', '/a/c', '/a/c/d'];
  const names = ['x', 'y', 'z', 'a', 'c'];
  const randomPath = (): string => `${pick(dirs)}/${pick(names)}`;
  const H = (p: string): string => path.join(hostRoot, p);
  const log: string[] = [];
  for (let step = 0; step < steps; step++) {
    const op = pick(['create', 'create', 'write', 'write', 'write', 'truncate', 'rename', 'link', 'unlink', 'mkdir', 'mkdir', 'rmdir'] as const);
    const p = randomPath();
    const q = randomPath();
    let a: Outcome, b: Outcome, what: string;
    switch (op) {
      case 'create':
        what = `create ${p}`;
        a = await ours(async () => fs.create(await walk(fs, parentOf(p)), baseOf(p), S.IFREG | 0o644));
        b = theirs(() => host.closeSync(host.openSync(H(p), 'wx')));
        break;
      case 'write': {
        const offset = Math.floor(rnd() * (rnd() < 0.2 ? 400_000 : 20_000));
        const data = new Uint8Array(Math.floor(rnd() * 9000) + 1).map(() => Math.floor(rnd() * 256));
        what = `write ${p} @${offset} +${data.length}`;
        a = await ours(async () => fs.write(await walk(fs, p), offset, data));
        b = theirs(() => { const fd = host.openSync(H(p), 'r+'); try { host.writeSync(fd, data, 0, data.length, offset); } finally { host.closeSync(fd); } });
        break;
      }
      case 'truncate': {
        const size = Math.floor(rnd() * 30_000);
        what = `truncate ${p} ${size}`;
        a = await ours(async () => fs.setattr(await walk(fs, p), { size }));
        b = theirs(() => host.truncateSync(H(p), size));
        break;
      }
      case 'rename':
        what = `rename ${p} ${q}`;
        a = await ours(async () => fs.rename(await walk(fs, parentOf(p)), baseOf(p), await walk(fs, parentOf(q)), baseOf(q)));
        b = theirs(() => host.renameSync(H(p), H(q)));
        break;
      case 'link':
        what = `link ${p} ${q}`;
        a = await ours(async () => { const t = await walk(fs, p); await fs.link(await walk(fs, parentOf(q)), baseOf(q), t); });
        b = theirs(() => host.linkSync(H(p), H(q)));
        break;
      case 'unlink':
        what = `unlink ${p}`;
        a = await ours(async () => fs.unlink(await walk(fs, parentOf(p)), baseOf(p)));
        b = theirs(() => host.unlinkSync(H(p)));
        break;
      case 'mkdir': {
        const d = pick(dirs.slice(1));
        what = `mkdir ${d}`;
        a = await ours(async () => fs.mkdir(await walk(fs, parentOf(d)), baseOf(d), 0o755));
        b = theirs(() => host.mkdirSync(H(d)));
        break;
      }
      case 'rmdir': {
        const d = rnd() < 0.7 ? pick(dirs.slice(1)) : p;
        what = `rmdir ${d}`;
        a = await ours(async () => fs.rmdir(await walk(fs, parentOf(d)), baseOf(d)));
        b = theirs(() => host.rmdirSync(H(d)));
        break;
      }
    }
    log.push(`${what} -> ${b}`);
    // Our walk cannot tell "a file in the middle" from Linux's ENOTDIR any other way; both agree on the name.
    assert.equal(a, b, `seed ${seed} (${blockSize}) step ${step}: ${what}: ours ${a}, host ${b}\n${log.slice(-15).join('\n')}`);
    if (step % 25 === 24 || step === steps - 1) {
      const x = new Map<string, string>(), y = new Map<string, string>();
      await snapshotOurs(fs, fs.root(), '', x);
      snapshotHost(hostRoot, '', y);
      x.delete('/lost+found');
      assert.deepEqual(x, y, `seed ${seed} (${blockSize}) after step ${step}\n${log.slice(-15).join('\n')}`);
    }
  }
  await fs.unmount();
  const image = saveImage(memory.bytes, `diff-${seed}-${blockSize}.img`);
  const r = e2fsck(image, '-fn');
  assert.equal(r.status, 0, `seed ${seed}: ${r.output}`);
  assert.deepEqual(await fsckExt2(device), { clean: true, errors: [] }, `seed ${seed}`);
  host.rmSync(hostRoot, { recursive: true });
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  const blockSize = seed % 2 === 0 ? 4096 : 1024;
  test(`differential vs the host filesystem, seed ${seed}, ${blockSize}-byte blocks`, async () => {
    await run(seed, blockSize, 600);
  });
}

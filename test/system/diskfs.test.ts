// A disk that carries its own filesystem driver (abi/disk-driver.ts), on every preset:
// chainfs images made by its embedded driver (hosts/disk-image.ts) are mounted by a
// kernel that has no code for the format, used from the shell, judged clean by the
// driver's own checker and read back after a reboot; a crash, hang or wild write in the
// driver ends only its instance and loses nothing acknowledged; hostile drivers and
// damaged images are refused with the reason while the kernel runs on; and an image
// made by a newer driver mounts because its driver travels with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleDiskImage, checkDiskImage, formatDiskImage } from '../../src/hosts/disk-image.js';
import { parseDiskDriverHeader } from '../../src/abi/disk-driver.js';
import { RamBacking } from '../../src/hw/block-device.js';
import { sha256 } from '../../src/lib/sha256.js';
import { readCpio } from '../../src/lib/cpio.js';
import { boot, noLeaks, sh, PRESETS } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const driver = new Uint8Array(readFileSync(path.join(root, 'build/fs-drivers/chainfs.wasm')));
// The kernel watchdog's patience, as the other disk tests give it: a loaded host
// deschedules the kernel thread for seconds. A driver's hang is caught by fuel, not by it.
const SLOW_HOST_MS = 30_000;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kernelkit-diskfs-'));

function imageFile(name: string, bytes = 1 << 20, drv = driver): string {
  const file = path.join(scratch, name);
  writeFileSync(file, formatDiskImage(drv, 'chainfs', bytes));
  return file;
}

const check = (file: string): ReturnType<typeof checkDiskImage> => checkDiskImage(new Uint8Array(readFileSync(file)));

for (const preset of PRESETS) {
  test(`diskfs: files and directories on a disk that carries its driver; clean by its fsck, there after a reboot (${preset})`, async () => {
    const img = imageFile(`files-${preset}.img`);
    const first = await sh(preset, [
      'mkdir /disk/d /disk/e', 'seq 1 20000 > /disk/a', 'cp /disk/a /disk/d/copy', 'echo small > /disk/d/s',
      'echo gone > /disk/g', 'rm /disk/g', 'mv /disk/d/s /disk/e/moved', 'rmdir /disk/e || echo e-not-empty',
      'mkdir /disk/x', 'rmdir /disk/x', 'ln -s a /disk/link', 'echo; ls /disk', 'ls /disk/d /disk/e', 'mount | grep /disk', 'lsmod | grep diskfs', 'sync',
    ].join('; '), { disk: img, watchdogMs: SLOW_HOST_MS });
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /e-not-empty/);
    assert.match(first.stdout, /\na\nd\ne\nlink\n/);
    assert.match(first.stdout, /^\/dev\/blk0 on \/disk type diskfs \(rw\)$/m);
    assert.match(first.stdout, /^diskfs\s+sandbox\s+running\s+0$/m);
    assert.equal(noLeaks(first), undefined);
    const after = check(img);
    assert.deepEqual(after.errors, []);
    assert.equal(after.clean, true);

    const second = await sh(preset, 'seq 1 20000 > /tmp/s; cmp /tmp/s /disk/a && cmp /tmp/s /disk/d/copy && echo a-intact; cat /disk/e/moved; readlink /disk/link; ls /disk; test -e /disk/g || echo g-gone', { disk: img, watchdogMs: SLOW_HOST_MS });
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /^a-intact\nsmall\na\na\nd\ne\nlink\ng-gone\n$/);
    assert.equal(noLeaks(second), undefined);
    assert.equal(check(img).clean, true);
  });

  test(`diskfs: a crash, a hang and a wild write in the driver end only its instance; nothing acknowledged is lost (${preset})`, async () => {
    const img = imageFile(`faults-${preset}.img`);
    const r = await sh(preset, [
      'seq 1 20000 > /disk/a',
      'fault diskfs crash', 'cat /disk/a > /disk/b || cat /disk/a > /disk/b',
      'fault diskfs hang', 'cat /disk/b > /disk/c || cat /disk/b > /disk/c',
      'memstat -f diskfs wild-write', 'cat /disk/c > /disk/d',
      'seq 1 20000 > /tmp/s', 'cmp /tmp/s /disk/a && cmp /tmp/s /disk/b && cmp /tmp/s /disk/c && cmp /tmp/s /disk/d && echo all-intact',
      'lsmod | grep diskfs', 'dmesg | grep "diskfs: trapped"', 'sync',
    ].join('; '), { disk: img, watchdogMs: SLOW_HOST_MS });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^all-intact$/m);
    assert.match(r.stdout, /diskfs: trapped \(unreachable executed\); restarting \(restart 1\)/);
    assert.match(r.stdout, /diskfs: trapped \(fuel exhausted: a hang\); restarting \(restart 2\)/);
    // The wild write traps nothing: it stays in the instance's own memory.
    assert.match(r.stdout, /^changed sandbox:diskfs diskfs heap /m);
    assert.match(r.stdout, /^\d+ regions changed, 0 outside diskfs$/m);
    assert.match(r.stdout, /^diskfs\s+sandbox\s+running\s+2$/m);
    assert.equal(noLeaks(r), undefined);
    assert.equal(check(img).clean, true);
    const again = await sh(preset, 'seq 1 20000 > /tmp/s; for f in a b c d; do cmp /tmp/s /disk/$f && echo $f-ok; done; dmesg | grep diskfs', { disk: img, watchdogMs: SLOW_HOST_MS });
    assert.match(again.stdout, /a-ok\nb-ok\nc-ok\nd-ok/, again.stdout + again.stderr);
  });
}

// ---- hostile drivers and damaged images -------------------------------------------------

/** A WebAssembly module made by hand: the given imports (all of type () -> ()), one memory, one function; `start` makes it the start function. */
function wasmModule(o: { imports?: [string, string][]; pages: number; loopingStart?: boolean }): Uint8Array {
  const u = (n: number): number[] => { const out: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n !== 0) b |= 0x80; out.push(b); } while (n !== 0); return out; };
  const str = (s: string): number[] => [...u(s.length), ...Buffer.from(s)];
  const section = (id: number, body: number[]): number[] => [id, ...u(body.length), ...body];
  const imports = o.imports ?? [];
  const body = o.loopingStart === true ? [0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b] : [0x00, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 0]),
    ...(imports.length > 0 ? section(2, [...u(imports.length), ...imports.flatMap(([m, n]) => [...str(m), ...str(n), 0x00, 0x00])]) : []),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...u(o.pages)]),
    ...section(7, [1, ...str('memory'), 0x02, 0]),
    ...(o.loopingStart === true ? section(8, u(imports.length)) : []),
    ...section(10, [1, ...u(body.length), ...body]),
  ]);
}

/** The images the hostile test writes to the disk one after another, and the reason dmesg must give for each. */
function hostileImages(): { name: string; image: Uint8Array; reason: RegExp }[] {
  const good = formatDiskImage(driver, 'chainfs', 256 << 10);
  const h = parseDiskDriverHeader(good.subarray(0, 512), good.length);
  const fsArea = good.slice(h.fsOffset, h.fsOffset + h.fsLength);
  const badMagic = good.slice();
  badMagic.set(Buffer.from('NOTADRVR'), 0);
  const badSuper = assembleDiskImage(driver, 'chainfs', fsArea.slice());
  const superAt = parseDiskDriverHeader(badSuper.subarray(0, 512), badSuper.length).fsOffset;
  badSuper[superAt] = badSuper[superAt]! ^ 0xff;
  // The FAT (block 1 of the filesystem) says the first data block after the root
  // continues into the superblock: a chain that leaves the data area.
  const badFat = fsArea.slice();
  const rootIno = new DataView(badFat.buffer).getUint32(28, true);
  new DataView(badFat.buffer).setUint16(512 + rootIno * 2, 0x0001, true);
  const lies = good.slice();
  new DataView(lies.buffer).setUint32(28, 64 << 20, true);
  const huge = new Uint8Array(1_100_000);
  return [
    { name: 'bad-magic', image: badMagic, reason: /no embedded driver: bad magic 'NOTADRVR'/ },
    { name: 'hash-mismatch', image: assembleDiskImage(driver, 'chainfs', fsArea, 'ab'.repeat(32)), reason: /does not match the SHA-256 in its header/ },
    { name: 'ungranted-import', image: assembleDiskImage(wasmModule({ imports: [['kernelkit', 'spawn']], pages: 1 }), 'evil', fsArea), reason: /import kernelkit\.spawn is not granted/ },
    { name: 'host-import', image: assembleDiskImage(wasmModule({ imports: [['env', 'system']], pages: 1 }), 'evil', fsArea), reason: /import env\.system is not granted/ },
    { name: 'huge-memory', image: assembleDiskImage(wasmModule({ pages: 1024 }), 'evil', fsArea), reason: /memory of 1024 pages .* more than the sandbox's limit of 64 pages/ },
    { name: 'looping-start', image: assembleDiskImage(wasmModule({ pages: 1, loopingStart: true }), 'evil', fsArea), reason: /its start function trapped: fuel exhausted/ },
    { name: 'too-big', image: assembleDiskImage(huge, 'evil', fsArea), reason: /driver is 1100000 bytes; the sandbox takes at most 1048576/ },
    { name: 'not-wasm', image: assembleDiskImage(new Uint8Array(4096).fill(7), 'evil', fsArea), reason: /no \\0asm magic number/ },
    { name: 'no-exports', image: assembleDiskImage(wasmModule({ pages: 1 }), 'evil', fsArea), reason: /must export fs_image/ },
    { name: 'bad-superblock', image: badSuper, reason: /diskfs: bad superblock magic/ },
    { name: 'bad-fat', image: assembleDiskImage(driver, 'chainfs', badFat), reason: /problems found; refusing to mount/ },
    { name: 'header-lies', image: lies, reason: /filesystem area .* lies outside the disk/ },
  ];
}

for (const preset of PRESETS) {
  test(`diskfs: hostile embedded drivers and damaged images are refused with the reason; the kernel runs on (${preset})`, async () => {
    const dir = mkdtempSync(path.join(scratch, `hostile-${preset}-`));
    const cases = hostileImages();
    for (const c of cases) writeFileSync(path.join(dir, c.name), c.image);
    writeFileSync(path.join(dir, 'good'), formatDiskImage(driver, 'chainfs', 256 << 10));
    const line = [
      ...cases.map((c) => `cat /img/${c.name} > /dev/blk0; mount -t diskfs /dev/blk0 /mnt 2>/dev/null && echo ${c.name}:MOUNTED || echo ${c.name}:refused`),
      'cat /img/good > /dev/blk0',
      // Only root mounts: an ordinary user is refused before the kernel reads the disk.
      'su user -c "mount -t diskfs /dev/blk0 /mnt" 2>/dev/null && echo user:MOUNTED || echo user:refused',
      'mount -t diskfs /dev/blk0 /mnt && echo hi > /mnt/f && cat /mnt/f && umount /mnt && echo good:mounted',
      'dmesg | grep "diskfs"',
    ].join('; ');
    const r = await sh(preset, line, { backing: new RamBacking(2 << 20), mounts: [{ host: dir, guest: '/img', readOnly: true }], watchdogMs: SLOW_HOST_MS });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const c of cases) {
      assert.match(r.stdout, new RegExp(`^${c.name}:refused$`, 'm'), `${c.name}\n${r.stdout}`);
      assert.match(r.stdout, c.reason, `${c.name}'s reason\n${r.stdout}`);
    }
    assert.match(r.stdout, /^user:refused$/m);
    assert.match(r.stdout, /^hi\ngood:mounted$/m);
    assert.equal(noLeaks(r), undefined);
  });

  test(`diskfs: --pin loads only the driver with that SHA-256 (${preset})`, async () => {
    const dir = mkdtempSync(path.join(scratch, `pin-${preset}-`));
    writeFileSync(path.join(dir, 'pinned'), formatDiskImage(driver, 'chainfs', 256 << 10));
    // Another build of the same driver: a different module, so a different hash.
    // (a custom section appended: the same code, another hash).
    const otherDriver = new Uint8Array([...driver, 0x00, 0x02, 0x01, 0x78]);
    writeFileSync(path.join(dir, 'other'), formatDiskImage(otherDriver, 'chainfs', 256 << 10));
    const line = 'cat /img/other > /dev/blk0; mount -t diskfs /dev/blk0 /mnt 2>/dev/null || echo other:refused; cat /img/pinned > /dev/blk0; mount -t diskfs /dev/blk0 /mnt && echo pinned:mounted; dmesg | grep "not the pinned"';
    const r = await sh(preset, line, { backing: new RamBacking(1 << 20), mounts: [{ host: dir, guest: '/img', readOnly: true }], diskDriverPin: sha256(driver), watchdogMs: SLOW_HOST_MS });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^other:refused$/m);
    assert.match(r.stdout, /^pinned:mounted$/m);
    assert.match(r.stdout, new RegExp(`driver's SHA-256 ${sha256(otherDriver)} is not the pinned ${sha256(driver)}`));
  });
}

// ---- the seed's scenario: a newer driver, a kernel that never saw the format --------------

test('diskfs: the kernel has no code for chainfs; an image made by a newer driver mounts because the driver travels with it', async () => {
  // Nothing the kernel thread loads knows the format: no chainfs magic in the kernel,
  // the services or the initramfs.
  const offenders: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.js') && readFileSync(p, 'latin1').includes('CHAINFS1')) offenders.push(p);
    }
  };
  for (const d of ['kernel', 'services', 'abi', 'lib']) walk(path.join(root, 'dist/src', d));
  assert.deepEqual(offenders, []);
  const initramfs = readCpio(new Uint8Array(readFileSync(path.join(root, 'build/initramfs.cpio'))));
  assert.deepEqual(initramfs.filter((e) => /chainfs/.test(e.name) || Buffer.from(e.data).includes('CHAINFS1')).map((e) => e.name), []);

  // A newer driver: on-disk version 2, which the driver this build made cannot read.
  const newer = path.join(scratch, 'chainfs-v2.wasm');
  const cc = spawnSync('clang', ['--target=wasm32', '-O2', '-nostdlib', '-ffreestanding', '-Wall', '-Werror', `-I${path.join(root, 'build/wasm-drivers')}`, '-DCHAINFS_VERSION=2',
    '-Wl,--no-entry', '-Wl,--strip-all', '-Wl,-z,stack-size=65536', '-Wl,--initial-memory=3145728', '-Wl,--max-memory=4194304',
    '-o', newer, path.join(root, 'src/services/diskfs/chainfs/chainfs.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const v2 = new Uint8Array(readFileSync(newer));
  const img = imageFile('newer.img', 1 << 20, v2);
  const r = await sh('monolithic', 'echo written by v2 > /disk/f; mkdir /disk/sub; cat /disk/f; dmesg | grep "carries a chainfs"', { disk: img, watchdogMs: SLOW_HOST_MS });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^written by v2$/m);
  assert.match(r.stdout, new RegExp(`carries a chainfs driver \\(${v2.length} bytes, sha256 ${sha256(v2)}\\)`));
  assert.equal(check(img).clean, true);

  // The same filesystem with this build's (older) driver in its place: refused, and why.
  const bytes = new Uint8Array(readFileSync(img));
  const h = parseDiskDriverHeader(bytes.subarray(0, 512), bytes.length);
  const older = path.join(scratch, 'older.img');
  writeFileSync(older, assembleDiskImage(driver, 'chainfs', bytes.slice(h.fsOffset, h.fsOffset + h.fsLength)));
  const refused = await boot('monolithic', ['/bin/sh', '-c', 'ls /disk; dmesg | grep diskfs'], { disk: older, watchdogMs: SLOW_HOST_MS });
  assert.match(refused.stdout, /diskfs: superblock version 2; this driver reads 1/);
  assert.match(refused.stdout, /diskfs: cannot mount \/dev\/blk0 on \/disk/);
});

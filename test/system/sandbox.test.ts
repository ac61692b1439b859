// The sandbox domain on every preset: the block driver written in C and compiled to
// WebAssembly (services/blk-wasm) under `--place blk=sandbox` serves an ext2 root
// disk (usertests, writes judged by e2fsck and debugfs), and its faults end only the
// instance: a crash traps, a hang runs out of fuel, a wild write stays in its linear
// memory; the supervisor starts a fresh instance and nothing written is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMkfs } from '../../src/cli/fs-tools.js';
import { parsePlacement } from '../../src/presets/names.js';
import { boot, noLeaks, sh, PRESETS } from './harness.js';
import { debugfsCat, e2fsck, tempPath } from '../ext2/device.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PLACE = 'blk=sandbox';

async function image(name: string): Promise<string> {
  const file = tempPath(name);
  assert.equal(await runMkfs(file, { size: '16M' }), 0);
  return file;
}

/** What `seq 1 n` prints, made here. */
const seq = (n: number): string => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

for (const preset of PRESETS) {
  test(`sandbox: usertests and writes on an ext2 disk through the WebAssembly block driver (${preset})`, async () => {
    const img = await image(`sandbox-${preset}.img`);
    const r = await boot(preset, ['/bin/sh', '-c', 'lsmod; /bin/usertests; seq 1 20000 > /a; mkdir /d; cp /a /d/copy; echo small > /d/s; sync'], { place: PLACE, disk: img });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^blk\s+sandbox\s+running\s+0$/m);
    assert.match(r.stdout, /usertests: \d+ passed, 0 failed/, r.stdout);
    assert.equal(noLeaks(r), undefined);
    const fsck = e2fsck(img, '-fn');
    assert.equal(fsck.status, 0, fsck.output);
    assert.equal(new TextDecoder().decode(debugfsCat(img, '/a')), seq(20000));
    assert.equal(new TextDecoder().decode(debugfsCat(img, '/d/copy')), seq(20000));
    assert.equal(new TextDecoder().decode(debugfsCat(img, '/d/s')), 'small\n');
  });

  test(`sandbox: crash traps, hang runs out of fuel, wild write stays inside; the instance is restarted and no data is lost (${preset})`, async () => {
    const img = await image(`sandbox-faults-${preset}.img`);
    const line = [
      'seq 1 30000 > /a; sync',
      'fault blk crash; cat /a > /b; sync',
      'fault blk hang; cat /b > /c; sync',
      'fault blk wild-write; cat /c > /d; sync',
      'cmp /a /d && echo same',
      'lsmod | grep blk; dmesg | grep "blk:"',
    ].join('; ');
    const r = await sh(preset, line, { place: PLACE, disk: img });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^same$/m);
    assert.match(r.stdout, /blk: trapped \(unreachable executed\); restarting \(restart 1\)/);
    assert.match(r.stdout, /blk: trapped \(fuel exhausted: a hang\); restarting \(restart 2\)/);
    // The wild write traps nothing: it lands in the instance's own heap.
    assert.match(r.stdout, /^blk\s+sandbox\s+running\s+2$/m);
    assert.equal(noLeaks(r), undefined);
    const fsck = e2fsck(img, '-fn');
    assert.equal(fsck.status, 0, fsck.output);
    for (const f of ['/a', '/b', '/c', '/d']) assert.equal(new TextDecoder().decode(debugfsCat(img, f)), seq(30000), f);
  });

  test(`sandbox: a wild write changes only the instance's own linear memory (memstat, ${preset})`, async () => {
    const r = await sh(preset, 'memstat -f blk wild-write; memstat | grep -c "^sandbox:blk "', { place: PLACE });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^changed sandbox:blk blk heap /m);
    assert.match(r.stdout, /^\d+ regions changed, 0 outside blk$/m);
    assert.doesNotMatch(r.stdout, /^changed kernel /m);
  });

  test(`sandbox: a bad reply is caught by the service list's check (${preset})`, async () => {
    const r = await sh(preset, 'fault blk bad-reply; head -c 512 /dev/blk0 | wc -c; head -c 512 /dev/blk0 | wc -c', { place: PLACE });
    assert.match(r.stdout + r.stderr, /Input\/output error|EIO/);
    assert.match(r.stdout, /^512$/m, 'the next read is answered');
  });
}

// Hostile modules, each named blk.wasm in its own directory of a read-only share.
const EXPORTS = 'int kk_init(void){return 0;} void kk_fault(int t){} unsigned blk_window(void){return 4096;} double blk_size(void){return 0;} int blk_submit(int o,double s,int c){return -22;} void blk_kick(void){} unsigned blk_done(void){return 0;} int blk_complete(int s){return -22;}';
const HOSTILE: Record<string, { source?: string; bytes?: Uint8Array; link?: string[]; reason: RegExp }> = {
  magic: { bytes: new TextEncoder().encode('#!/bin/sh\necho not a module\n'), reason: /no \\0asm magic number/ },
  imports: { source: `extern int kernel_arena_read(int); ${EXPORTS.replace('int kk_init(void){return 0;}', 'int kk_init(void){return kernel_arena_read(0);}')}`, link: ['-Wl,--allow-undefined'], reason: /import env\.kernel_arena_read is not granted/ },
  memory: { source: EXPORTS, link: ['-Wl,--initial-memory=67108864'], reason: /1024 pages .* more than the sandbox's limit of 64 pages/ },
  start: {
    bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 0, 8, 1, 0, 10, 9, 1, 7, 0, 0x03, 0x40, 0x0c, 0, 0x0b, 0x0b]),
    reason: /start function trapped: fuel exhausted/,
  },
  // Full drivers whose init reaches for what they were not given: memory past their own, a device range past theirs.
  pointer: { source: EXPORTS.replace('int kk_init(void){return 0;}', 'int kk_init(void){return *(volatile int *)0x7ffffff0;}'), reason: /init trapped \(out-of-bounds access/ },
  dma: { source: `__attribute__((import_module("kernelkit"), import_name("dev_read"))) void dev_read(void *, int, int); static char b[64]; ${EXPORTS.replace('int kk_init(void){return 0;}', 'int kk_init(void){dev_read(b, 0x7ffffff0, 64); return b[0];}')}`, reason: /init trapped \(import refused: device range 2147483632\+64 is outside the device\)/ },
};

function hostileShare(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-hostile-'));
  for (const [name, h] of Object.entries(HOSTILE)) {
    const sub = path.join(dir, name);
    spawnSync('mkdir', ['-p', sub]);
    const out = path.join(sub, 'blk.wasm');
    if (h.bytes !== undefined) writeFileSync(out, h.bytes);
    else {
      writeFileSync(path.join(sub, 'blk.c'), h.source!);
      const r = spawnSync('clang', ['--target=wasm32', '-O2', '-nostdlib', '-Wl,--no-entry', '-Wl,--export-all', ...(h.link ?? []), '-o', out, path.join(sub, 'blk.c')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    chmodSync(out, 0o755);
  }
  return dir;
}

for (const preset of PRESETS) {
  test(`sandbox: insmod of the portable driver file, and hostile modules refused with the reason (${preset})`, async () => {
    const share = hostileShare();
    const lines = ['rmmod blk', ...Object.keys(HOSTILE).map((n) => `insmod /mnt/evil/${n}/blk.wasm`), 'lsmod | grep -c "^blk " ; insmod /lib/modules/blk.wasm', 'lsmod | grep "^blk "', 'head -c 4096 /dev/blk0 | wc -c', 'echo alive'];
    const r = await sh(preset, lines.join('; '), { mounts: [{ host: share, guest: '/mnt/evil', readOnly: true }] });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const [name, h] of Object.entries(HOSTILE)) {
      const line = r.stderr.split('\n').find((l) => l.startsWith(`insmod: /mnt/evil/${name}/blk.wasm: `));
      assert.ok(line !== undefined, `${name} refused: ${r.stderr}`);
      assert.match(line!, h.reason, name);
    }
    assert.match(r.stdout, /^0$/m, 'no hostile module stayed loaded');
    assert.match(r.stdout, /^blk\s+sandbox\s+running\s+0$/m);
    assert.match(r.stdout, /^4096$/m);
    assert.match(r.stdout, /^alive$/m);
    assert.equal(noLeaks(r), undefined);
  });
}

test('kernel-wasm: the same module unsandboxed in the kernel arena: its wild write lands in a neighbour, its trap panics (monolithic)', async () => {
  const same = await sh('monolithic', 'memstat -f blk wild-write', { place: 'blk=kernel-wasm' });
  assert.equal(same.status, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /^changed kernel blk WebAssembly_memory_\(unsandboxed\) /m);
  assert.match(same.stdout, /^changed kernel vfs ramfs /m, 'the ramfs page after it');
  assert.match(same.stdout, /^\d+ regions changed, [1-9]\d* outside blk$/m);
  const sandboxed = await sh('monolithic', 'memstat -f blk wild-write', { place: PLACE });
  assert.match(sandboxed.stdout, /^\d+ regions changed, 0 outside blk$/m);
  const crash = await sh('monolithic', 'fault blk crash; head -c 512 /dev/blk0 | wc -c; echo survived', { place: 'blk=kernel-wasm' });
  assert.equal(crash.status, 70, crash.stdout + crash.stderr);
  assert.match(crash.stdout + crash.stderr, /kernel panic: blk: unreachable executed \(unsandboxed WebAssembly\)/);
  assert.doesNotMatch(crash.stdout, /survived/);
});

test('kernel-wasm: insmod --unsandboxed loads the module file into the kernel domain', async () => {
  const r = await sh('microkernel', 'rmmod blk; insmod --unsandboxed /lib/modules/blk.wasm; lsmod | grep "^blk "; head -c 2048 /dev/blk0 | wc -c; memstat | grep -c "^kernel blk WebAssembly_memory"');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^blk\s+kernel\s+running\s+0$/m);
  assert.match(r.stdout, /^2048$/m);
  assert.match(r.stdout, /^1$/m);
});

test('user-wasm: the same module in its own server thread serves an ext2 disk (microkernel)', async () => {
  const img = await image('user-wasm.img');
  const r = await sh('microkernel', 'lsmod | grep "^blk "; seq 1 20000 > /a; fault blk crash; cp /a /b; sync', { place: 'blk=user-wasm', disk: img });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^blk\s+user\s+running\s+0$/m);
  assert.equal(noLeaks(r), undefined);
  const fsck = e2fsck(img, '-fn');
  assert.equal(fsck.status, 0, fsck.output);
  for (const f of ['/a', '/b']) assert.equal(new TextDecoder().decode(debugfsCat(img, f)), seq(20000), f);
});

for (const preset of PRESETS) {
  test(`insmod of diskfs (by name or as a .wasm file) says its driver comes from a disk, by a mount (${preset})`, async () => {
    const r = await sh(preset, 'cp /lib/modules/blk.wasm /tmp/diskfs.wasm; insmod /tmp/diskfs.wasm; insmod diskfs; lsmod | grep -c "^diskfs "; echo alive');
    const reason = 'diskfs runs the driver a disk carries: it is loaded from that disk by mounting it (mount -t diskfs /dev/blk0 DIR, or --disk at boot), not by insmod';
    for (const what of ['/tmp/diskfs.wasm', 'diskfs']) assert.ok(r.stderr.split('\n').includes(`insmod: ${what}: ${reason}`), `${what}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /has no WebAssembly build/);
    assert.match(r.stdout, /^0\nalive$/m, 'nothing loaded, the system runs on');
    assert.equal(noLeaks(r), undefined);
  });
}

test('sandbox: a component without a WebAssembly build is refused with the reason', () => {
  assert.throws(() => parsePlacement('vfs=sandbox'), /vfs has no WebAssembly build, so it cannot run in the sandbox domain \(components with one: blk\)/);
  assert.deepEqual(parsePlacement('blk=sandbox'), { blk: 'sandbox' });
  const r = spawnSync(process.execPath, [path.join(root, 'bin/kernelkit.js'), 'run', '--preset', 'hybrid', '--place', 'ext2=sandbox', '--', 'true'], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ext2 has no WebAssembly build/);
  const campaign = spawnSync(process.execPath, [path.join(root, 'bin/kernelkit.js'), 'faults', '--presets', 'hybrid', '--place', 'vfs=kernel-wasm', '-n', '1'], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(campaign.status, 0);
  assert.match(campaign.stderr, /vfs has no WebAssembly build, so it cannot run in the kernel-wasm domain/);
});

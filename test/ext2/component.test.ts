// ext2 as a component of its own (services/ext2/component.ts), booted on an ext2 root:
// placed by the preset or by --place like any other component, a restarted ext2 server
// mounts what was written back (and only that), and a fault in a kernel-domain ext2 is a
// panic named after it. The disk is judged by e2fsck afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMkfs } from '../../src/cli/fs-tools.js';
import { sh, noLeaks } from '../system/harness.js';
import { e2fsck, tempPath } from './device.js';

async function image(name: string): Promise<string> {
  const file = tempPath(`component-${name}.img`);
  assert.equal(await runMkfs(file, { size: '16M' }), 0);
  return file;
}

const run = (preset: string, disk: string, line: string, place?: string) =>
  sh(preset, line, { disk, watchdogMs: 30_000, ...(place !== undefined ? { place } : {}) });

test('ext2 is placed like any other component: the presets, and --place both ways', async () => {
  const disk = await image('place');
  for (const [preset, place, ext2, vfs] of [
    ['monolithic', undefined, 'kernel', 'kernel'], ['microkernel', undefined, 'user', 'user'], ['hybrid', undefined, 'kernel', 'kernel'],
    ['microkernel', 'ext2=kernel', 'kernel', 'user'], ['hybrid', 'ext2=user', 'user', 'kernel'],
  ] as const) {
    const r = await run(preset, disk, 'echo on-disk > /f; cat /f; lsmod', place);
    assert.equal(r.status, 0, `${preset} ${place ?? ''}: ${r.stderr}`);
    assert.match(r.stdout, /^on-disk$/m);
    assert.match(r.stdout, new RegExp(`^ext2\\s+${ext2}\\s+running\\s+0$`, 'm'), `${preset} ${place ?? ''}`);
    assert.match(r.stdout, new RegExp(`^vfs\\s+${vfs}\\s+running\\s+0$`, 'm'), `${preset} ${place ?? ''}`);
    assert.equal(noLeaks(r), undefined);
  }
  assert.equal(e2fsck(disk, '-fn').status, 0);
});

test('ext2 crash under microkernel: the restarted server mounts what was written back, not what was only cached', async () => {
  const disk = await image('crash');
  const r = await run('microkernel', disk, [
    'mkdir /keep', 'echo synced > /keep/a', 'sync', 'echo cached > /keep/b',
    'fault ext2 crash', 'cat /keep/a', 'cat /keep/b; echo b=$?', 'echo after > /keep/c', 'cat /keep/c', 'lsmod | grep ext2', 'rmmod ext2; echo rmmod=$?',
  ].join('; '));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^synced$/m);
  assert.match(r.stdout, /^b=1$/m, 'the cached-only file died with the server');
  assert.match(r.stderr, /cat: \/keep\/b: No such file or directory/);
  assert.match(r.stdout, /^after$/m, 'the new server serves new files');
  assert.match(r.stdout, /^ext2\s+user\s+running\s+1$/m);
  assert.match(r.stdout, /^rmmod=1$/m, 'a mounted ext2 cannot be unloaded');
  assert.equal(noLeaks(r), undefined);
  assert.equal(e2fsck(disk, '-fn').status, 0, e2fsck(disk, '-fn').output);
});

test('ext2 in the kernel domain: a crash there is a kernel panic named ext2; the disk keeps its last sync', async () => {
  const disk = await image('panic');
  for (const [preset, place] of [['monolithic', undefined], ['microkernel', 'ext2=kernel']] as const) {
    const r = await run(preset, disk, 'echo kept > /k; sync; fault ext2 crash; cat /k', place);
    assert.equal(r.status, 70, `${preset}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /kernel panic: ext2: InjectedCrash: injected crash in ext2/);
    assert.equal(e2fsck(disk, '-fn').status, 0);
  }
});

test('a vfs crash under microkernel leaves the ext2 server and its cache alone', async () => {
  const disk = await image('vfs-crash');
  const r = await run('microkernel', disk, 'echo not-yet-synced > /n; fault vfs crash; /bin/true; cat /n; lsmod | grep -E "^(vfs|ext2) "');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^not-yet-synced$/m, 'what the old vfs wrote is still in the ext2 server');
  assert.match(r.stdout, /^ext2\s+user\s+running\s+0$/m);
  assert.match(r.stdout, /^vfs\s+user\s+running\s+1$/m);
  assert.equal(e2fsck(disk, '-fn').status, 0);
});

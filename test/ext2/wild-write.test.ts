// wild-write-sync-corrupts-disk: after a wild write into ext2's buffer cache on an ext2
// root, `sync` used to write the corrupted cache back (e2fsck found garbage in inode 1
// and files synced in an earlier boot were gone). Now ext2 finds the changed buffers by
// their checksums, refuses to write anything back, and the component fails: under
// microkernel the supervisor restarts the ext2 server (which mounts what was written
// back), the kernel-domain presets panic. Either way the disk keeps its last good
// state, judged by e2fsck and debugfs.
//
// ext2 is a component of its own (services/ext2/component.ts), so the wild write that
// reaches its cache is `fault ext2 wild-write` (or a kernel-domain neighbour's). A
// wild write in vfs stays in vfs's memory — its own arena under microkernel, its ramfs
// pages in the shared kernel arena, where ext2's regions come before vfs's — and the
// disk is untouched there too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMkfs } from '../../src/cli/fs-tools.js';
import { sh } from '../system/harness.js';
import { debugfsCat, e2fsck, tempPath } from './device.js';

async function kernelkit(preset: string, image: string, line: string): Promise<{ status: number; out: string; err: string }> {
  // In-process, like `kernelkit run --disk`, with a long watchdog: on this shared 2-vCPU
  // host a loaded kernel thread must not count as hung (nothing here measures time).
  const r = await sh(preset, line, { disk: image, watchdogMs: 30_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const NUMBERS = Array.from({ length: 3000 }, (_, i) => `${i + 1}\n`).join('');
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

async function syncedImage(preset: string, name: string): Promise<string> {
  const image = tempPath(`${name}-${preset}.img`);
  assert.equal(await runMkfs(image, { size: '16M' }), 0);
  const r = await kernelkit(preset, image, 'mkdir /keep; seq 1 3000 > /keep/numbers; echo first > /keep/a; mkdir /keep/sub; echo deep > /keep/sub/b; sync');
  assert.equal(r.status, 0, r.out + r.err);
  return image;
}

function intact(preset: string, image: string): void {
  const fsck = e2fsck(image, '-fn');
  assert.equal(fsck.status, 0, `${preset}: e2fsck -fn after the wild write:\n${fsck.output}`);
  assert.equal(text(debugfsCat(image, '/keep/numbers')), NUMBERS);
  assert.equal(text(debugfsCat(image, '/keep/a')), 'first\n');
  assert.equal(text(debugfsCat(image, '/keep/sub/b')), 'deep\n');
}

/** After a wild write into ext2's memory: the right failure for the domain, and the disk as last synced. */
function judge(preset: string, image: string, r: { status: number; out: string; err: string }): void {
  if (preset === 'microkernel') {
    assert.equal(r.status, 0, r.out + r.err);
  } else {
    // ext2 is in the kernel: the failure is a panic (named after ext2, or after the
    // syscall whose direct call into vfs and ext2 failed), and nothing more is written.
    assert.equal(r.status, 70, r.out + r.err);
    assert.match(r.err, /kernel panic: (ext2|vfs|syscall \d+): MemoryCorruption: ext2: .*changed without going through ext2/);
  }
  intact(preset, image);
}

for (const preset of ['microkernel', 'hybrid', 'monolithic']) {
  test(`wild-write-sync-corrupts-disk (${preset}): the wild write lands in ext2's buffer cache, and sync refuses to write it back`, async () => {
    const image = await syncedImage(preset, 'ww-memstat');
    // memstat -f arms the fault and pokes ext2 in one process: it shows the write landed in ext2's cache.
    const r = await kernelkit(preset, image, 'memstat -f ext2 wild-write; echo late > /keep/late; seq 1 100 > /keep/more; sync; echo after-sync; dmesg');
    // Either memstat saw the cache region change, or (when memstat's own request already
    // touched a changed block) ext2 failed at once naming a cached block; both show the cache was hit.
    assert.ok(/^changed \S+ ext2 ext2_buffer_cache /m.test(r.out) || /MemoryCorruption: ext2: the cached \w+ block \d+/.test(r.out + r.err), r.out + r.err);
    judge(preset, image, r);
    if (preset === 'microkernel') {
      assert.match(r.out, /^after-sync$/m, 'the restarted ext2 serves the rest of the line');
      assert.match(r.out, /ext2: .*restarting \(restart 1\)/);
      // A fresh boot on the image reads the synced files back.
      const again = await kernelkit(preset, image, 'cat /keep/a /keep/sub/b; wc -l /keep/numbers');
      assert.equal(again.status, 0, again.out + again.err);
      assert.match(again.out, /^first\ndeep\n\s*3000/m);
    }
  });

  test(`wild-write-sync-corrupts-disk (${preset}): fault ext2 wild-write, sync, halt: e2fsck clean, synced files intact`, async () => {
    const image = await syncedImage(preset, 'ww-fault');
    const r = await kernelkit(preset, image, 'fault ext2 wild-write; ls /keep; echo late > /keep/late; sync');
    judge(preset, image, r);
  });

  test(`wild-write-sync-corrupts-disk (${preset}): fault vfs wild-write, sync, halt: ext2's memory is not reached, e2fsck clean`, async () => {
    const image = await syncedImage(preset, 'ww-vfs');
    const r = await kernelkit(preset, image, 'memstat -f vfs wild-write; ls /keep; echo late > /keep/late; sync; echo synced=$?');
    assert.match(r.out, /^\d+ regions changed, 0 outside vfs$/m, r.out + r.err);
    assert.doesNotMatch(r.out, /^changed \S+ ext2 /m);
    if (preset === 'microkernel') {
      assert.equal(r.status, 0, r.out + r.err);
      assert.match(r.out, /^synced=0$/m);
    }
    intact(preset, image);
  });
}

test('wild-write-sync-corrupts-disk (monolithic, fault blk): a neighbour\'s wild write into the superblock copy is refused too', async () => {
  const image = await syncedImage('monolithic', 'ww-blk');
  // In the shared kernel arena blk's bounce buffer is followed by ext2's superblock and
  // descriptor copies (ext2 mounts the root disk at its init, right after blk's), then
  // its cache: memstat shows both hit.
  const r = await kernelkit('monolithic', image, 'memstat -f blk wild-write; echo late > /keep/late; sync');
  assert.match(r.out, /^changed kernel ext2 ext2_superblock_and_group_descriptors /m, r.out + r.err);
  assert.equal(r.status, 70, r.out + r.err);
  assert.match(r.err, /kernel panic: (ext2|vfs|syscall \d+): MemoryCorruption: ext2: the in-memory superblock or group descriptors changed/);
  const fsck = e2fsck(image, '-fn');
  assert.equal(fsck.status, 0, fsck.output);
  assert.equal(text(debugfsCat(image, '/keep/numbers')), NUMBERS);
  assert.equal(text(debugfsCat(image, '/keep/sub/b')), 'deep\n');
});

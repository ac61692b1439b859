// ext2 as the root disk of a booted system, on every preset, judged by e2fsprogs:
// what the shell writes inside kernelkit reads back byte-identical with debugfs and
// the image passes e2fsck -fn; what debugfs -w wrote shows the same contents, sizes
// and modes through cat, ls -l and stat inside kernelkit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMkfs } from '../../src/cli/fs-tools.js';
import { debugfs, debugfsCat, debugfsScript, e2fsck, mke2fs, tempPath } from './device.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PRESETS = ['monolithic', 'microkernel', 'hybrid'];

function kernelkit(preset: string, image: string, line: string): { status: number; out: string } {
  // The limit only turns a hang into a failure; nothing here measures time.
  const r = spawnSync(process.execPath, [path.join(root, 'bin/kernelkit.js'), 'run', '--preset', preset, '--disk', image, '--', line], { encoding: 'utf8', timeout: 60_000 });
  const hung = r.status === null ? '\n(kernelkit did not exit: at halt the disk must be unmounted while IPC to blk still runs)' : '';
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}${hung}` };
}

for (const preset of PRESETS) {
  test(`${preset}: files written by the shell on an ext2 root read back with debugfs; e2fsck -fn clean`, async () => {
    const image = tempPath(`preset-${preset}.img`);
    assert.equal(await runMkfs(image, { size: '16M' }), 0);
    const r = kernelkit(preset, image, 'mkdir /w; mkdir /w/sub; echo first line > /w/a; seq 1 3000 > /w/sub/numbers; ln -s a /w/link; ln /w/a /w/hard; chmod 600 /w/a; sync');
    assert.equal(r.status, 0, r.out);
    const fsck = e2fsck(image, '-fn');
    assert.equal(fsck.status, 0, fsck.output);
    assert.equal(new TextDecoder().decode(debugfsCat(image, '/w/a')), 'first line\n');
    const numbers = Array.from({ length: 3000 }, (_, i) => `${i + 1}\n`).join('');
    assert.equal(new TextDecoder().decode(debugfsCat(image, '/w/sub/numbers')), numbers);
    const ls = debugfs(image, 'ls -l /w');
    assert.match(ls, /100600 \(1\)\s+\d+\s+\d+\s+11 .* a\n/);
    assert.match(ls, /120777 \(7\)\s+\d+\s+\d+\s+1 .* link\n/);
    assert.match(debugfs(image, 'stat /w/a'), /Links: 2/);
  });

  test(`${preset}: an image from mke2fs + debugfs -w shows the same contents, sizes and modes inside kernelkit`, () => {
    const image = tempPath(`preset-host-${preset}.img`);
    mke2fs(image, ['-t', 'ext2', '-b', '4096']);
    const src = tempPath(`preset-src-${preset}`);
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    writeFileSync(src, text);
    debugfsScript(image, ['mkdir /h', 'cd /h', `write ${src} text`, 'symlink sym text', 'set_inode_field text mode 0100640']);
    const r = kernelkit(preset, image, 'cat /h/sym | wc -c; ls -l /h; stat /h/text');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`^\\s*${text.length}\\s*$`, 'm'));
    assert.match(r.out, /-rw-r-----\s+1\s+root\s+root\s+\d+ .* text/);
    assert.match(r.out, /sym -> text/);
    assert.match(r.out, new RegExp(`Size: ${text.length}`));
    assert.equal(e2fsck(image, '-fn').status, 0);
  });
}

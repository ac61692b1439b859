// A restarted vfs restores its initramfs root from the image the host made once
// (services/ramfs/image.ts): the same tree as before the crash, files written before
// it gone with the dead instance, writes after it working, on the real restart path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks } from './harness.js';

const LISTING = 'echo "tree $(ls -lR /bin /etc /dev | sha256sum)"; echo "data $(sha256sum /bin/* /etc/motd | sha256sum)"';

test('a vfs crash under microkernel: the root comes back as it booted, the dead instance\'s writes do not', async () => {
  const r = await sh('microkernel', [
    LISTING,
    'echo before > /etc/written-before',
    'fault vfs crash > /dev/null', 'ls / > /dev/null 2>&1', 'ls / > /dev/null 2>&1',
    LISTING.replace(/"tree/, '"tree-after').replace(/"data/, '"data-after'),
    'cat /etc/written-before 2>/dev/null || echo "written-before gone"',
    'echo after > /etc/written-after; cat /etc/written-after',
    'dmesg | grep -c "vfs: .*restarting"', 'dmesg | grep -c "root image refused"; dmesg | grep -c "root restored from the image"',
  ].join('; '));
  assert.equal(r.status, 0, r.stderr);
  const field = (name: string): string | undefined => new RegExp(`^${name} ([0-9a-f]{64})`, 'm').exec(r.stdout)?.[1];
  assert.ok(field('tree') !== undefined && field('data') !== undefined, r.stdout);
  assert.equal(field('tree-after'), field('tree'), 'the same names, modes, owners, sizes and times');
  assert.equal(field('data-after'), field('data'), 'the same contents');
  assert.match(r.stdout, /^written-before gone$/m);
  assert.match(r.stdout, /^after$/m);
  assert.match(r.stdout, /^1\n0\n2$/m, 'one restart; the root restored from the image at boot and at the restart');
  assert.equal(noLeaks(r), undefined);
});

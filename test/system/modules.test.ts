// Loadable modules: insmod puts a component where the preset says (kernel domain under
// monolithic, a new server under microkernel); rmmod refuses what is in use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks } from './harness.js';

for (const [preset, domain] of [['monolithic', 'kernel'], ['microkernel', 'user'], ['hybrid', 'user']] as const) {
  test(`insmod/rmmod on ${preset}`, async () => {
    const r = await sh(preset, [
      'insmod echo', 'lsmod | grep echo', 'insmod echo; echo dup=$?', 'rmmod vfs; echo vfs=$?',
      'rmmod blk < /dev/blk0; echo open=$?', 'rmmod echo; echo echo=$?', 'lsmod | grep -c echo', 'rmmod blk; echo blk=$?',
      'cat /dev/blk0; echo gone=$?', 'insmod blk', 'cat /dev/blk0 | wc -c',
    ].join('; '));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^echo\\s+${domain}\\s+running\\s+0$`, 'm'));
    assert.match(r.stdout, /^dup=1$/m);
    assert.match(r.stdout, /^vfs=1$/m);
    assert.match(r.stderr, /rmmod: vfs: Device or resource busy/);
    assert.match(r.stdout, /^open=1$/m);
    assert.match(r.stdout, /^echo=0\n0$/m);
    assert.match(r.stdout, /^blk=0$/m);
    assert.match(r.stdout, /^gone=1$/m);
    assert.match(r.stderr, /cat: \/dev\/blk0: No such device/);
    assert.match(r.stdout, /^4194304$/m);
    assert.equal(noLeaks(r), undefined);
  });
}

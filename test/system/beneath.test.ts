// RESOLVE_BENEATH on the *at calls that name a file without opening it (linkat,
// symlinkat, unlinkat, readlinkat, utimensat), through the kernel on every preset:
// absolute paths, absolute links and '..' above the directory fd are EXDEV, and the
// file outside stays as it was (the cases: src/user/bin/_usertests-beneath.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, noLeaks, PRESETS } from './harness.js';

const CASES = [
  'linkat-resolve-beneath-reaches-outside-the-directory',
  'symlinkat-resolve-beneath-creates-outside-the-directory',
  'unlinkat-resolve-beneath-removes-outside-the-directory',
  'readlinkat-resolve-beneath-reads-outside-the-directory',
  'utimensat-resolve-beneath-touches-outside-the-directory',
];

for (const preset of PRESETS) {
  test(`RESOLVE_BENEATH holds for linkat, symlinkat, unlinkat, readlinkat and utimensat (${preset})`, async () => {
    const r = await boot(preset, ['/bin/usertests', ...CASES]);
    for (const name of CASES) assert.match(r.stdout, new RegExp(`^${name}: OK$`, 'm'), r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`usertests: ${CASES.length} passed, 0 failed`), r.stdout + r.stderr);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}

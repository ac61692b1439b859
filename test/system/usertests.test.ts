// The system test suite (bin/usertests) on every preset and every IPC transport:
// the presets must be observably equivalent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, noLeaks, PRESETS } from './harness.js';

for (const preset of PRESETS) {
  for (const ipc of ['shm', 'mach', 'postmessage'] as const) {
    if (preset === 'monolithic' && ipc !== 'shm') continue; // no IPC to choose under monolithic
    test(`usertests pass on ${preset} (${ipc})`, async () => {
      const r = await boot(preset, ['/bin/usertests'], { ipc });
      assert.match(r.stdout, /usertests: \d+ passed, 0 failed/, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /FAILED/);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(noLeaks(r), undefined);
    });
  }
}

// The socket tests (bin/nettests) on every preset, and on the first-generation
// transport: AF_UNIX and loopback TCP/UDP sockets behave the same wherever net runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, noLeaks, PRESETS } from './harness.js';

const runs = [...PRESETS.map((p) => [p, undefined] as const), ['microkernel', 'mach'] as const];

for (const [preset, ipc] of runs) {
  test(`nettests pass on ${preset}${ipc === undefined ? '' : ` (${ipc})`}`, async () => {
    const r = await boot(preset, ['/bin/nettests'], ipc === undefined ? {} : { ipc });
    assert.match(r.stdout, /nettests: \d+ passed, 0 failed/, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /FAILED/);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}

// The project's C test programs (test/c, built to WASI by scripts/build-c.mjs) through
// `kernelkit wasi-test` on every preset, and a broken module that must not take the
// system down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { sh, noLeaks, PRESETS } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'bin/kernelkit.js');
const suite = path.join(root, 'build/c-tests');

for (const preset of PRESETS) {
  test(`C test programs pass through kernelkit wasi-test on ${preset}`, () => {
    assert.ok(fs.existsSync(suite), 'build/c-tests exists (scripts/build-c.mjs builds it; clang is installed by .ci/run)');
    const r = spawnSync(process.execPath, [bin, 'wasi-test', '--preset', preset, suite], { encoding: 'utf8', timeout: 600_000 });
    const count = fs.readdirSync(suite).filter((f) => f.endsWith('.wasm')).length;
    assert.ok(count >= 10, `at least ten C tests (found ${count})`);
    assert.match(r.stdout, new RegExp(`^${count} passed, 0 failed$`, 'm'), r.stdout + r.stderr);
    assert.equal(r.status, 0);
  });
}

test('a truncated module, a module with unknown imports and a trapping module end only their process', async () => {
  const r = await sh('microkernel', [
    'head -c 100 /bin/sqlite3 > /tmp/cut.wasm', 'chmod 755 /tmp/cut.wasm', '/tmp/cut.wasm; echo cut=$?',
    '/usr/lib/wasi-tests/unknown_import.wasm; echo imports=$?', '/usr/lib/wasi-tests/trap.wasm; echo trap=$?', 'echo still here',
  ].join('; '));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^cut=126$/m);
  assert.match(r.stdout, /^imports=126$/m);
  assert.match(r.stdout, /^trap=134$/m);
  assert.match(r.stdout, /^still here$/m);
  assert.equal(noLeaks(r), undefined);
});

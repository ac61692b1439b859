// The same C program (test/c/errnos.c: WASI calls at their corners, one answer per
// line) under node:wasi (uvwasi, against a host temp directory) and inside kernelkit
// (against an empty directory of its own) on every preset, compared line by line.
// Where the two differ, this layer answers as wasmtime does; every such line is listed
// below with wasmtime's answer (from its source, crates/wasi/src/preview1.rs) and
// uvwasi's, and docs/wasi.md ("wasmtime and uvwasi") explains each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sh, noLeaks, PRESETS } from '../system/harness.js';

const wasm = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../build/c-tests/errnos.wasm');

/** Line (its text before " -> ") → [our line = wasmtime's answer, uvwasi's line]. */
export const WASMTIME_NOT_UVWASI: Record<string, [string, string]> = {
  // uvwasi reports the host's Linux open flags (O_LARGEFILE|O_RDWR...) as fdflags.
  'f fdstat': ['0 type 4 flags 0', '0 type 4 flags 32770'],
  'f after APPEND fdstat': ['0 type 4 flags 1', '0 type 4 flags 33794'],
  'f after 0 fdstat': ['0 type 4 flags 0', '0 type 4 flags 32770'],
  'f after NONBLOCK fdstat': ['0 type 4 flags 4', '0 type 4 flags 34818'],
  'g fdstat': ['0 type 4 flags 3', '0 type 4 flags 37889'],
  // wasmtime changes only APPEND and NONBLOCK, only on files.
  'set_flags DSYNC': ['28', '0'],
  'set_flags SYNC': ['28', '0'],
  'set_flags RSYNC': ['28', '0'],
  'set_flags on the preopen': ['8', '0'],
  'set_flags on stdout': ['8', '0'],
  // Leaving the preopen: wasmtime EPERM (cap-std); uvwasi resolves '..' lexically and
  // stops at the preopen's root (so "../stolen" is the root's "stolen").
  'open .. out of the preopen': ['63', '44'],
  'open an absolute path': ['63', '76'],
  'open through the climbing link': ['63', '44'],
  'stat follow the climbing link': ['63', '0'],
  'readlink through the climbing link': ['63', '44'],
  'link out of the preopen': ['63', '0'],
  'rename out of the preopen': ['63', '0'],
  // Calls on a directory's data, and fd_readdir/prestat on a file: wasmtime EBADF
  // (ENOTDIR for prestat_dir_name); uvwasi checks rights first.
  'read the preopen': ['8', '76'],
  'write the preopen': ['8', '76'],
  'seek the preopen': ['8', '76'],
  'set_size of the preopen': ['8', '76'],
  'readdir a file': ['8', '76'],
  'prestat of a file': ['8', '28'],
  'prestat_dir_name of a file': ['54', '8'],
  // No rights in wasmtime, but a file opened without write access may not change its
  // size or times (EPERM) nor be written (EBADF); uvwasi checks rights.
  'set_size read-only': ['63', '76'],
  'set_times read-only': ['63', '76'],
  'write read-only': ['8', '76'],
  // Socket calls on a file: wasmtime ENOTSOCK.
  'sock_recv on a file': ['57', '76'],
  'sock_send on a file': ['57', '76'],
  'sock_shutdown on a file': ['57', '58'],
  'sock_accept on a file': ['57', '76'],
  // wasmtime: ESPIPE for seeking stdin.
  'seek stdin (a pipe)': ['70', '76'],
};

// node:wasi in a child process, so that its stdin is a pipe as in kernelkit.
const RUNNER = `
const { WASI } = require('node:wasi');
const fs = require('node:fs');
const [wasm, dir] = process.argv.slice(1);
const wasi = new WASI({ version: 'preview1', args: ['errnos.wasm'], env: {}, preopens: { '/': dir }, returnOnExit: true });
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasm)), { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
`;

function underUvwasi(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-errnos-'));
  try {
    const r = spawnSync(process.execPath, ['--no-warnings', '-e', RUNNER, wasm, dir], { input: '', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const split = (line: string): [string, string] => {
  const at = line.indexOf(' -> ');
  return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 4)];
};

const reference = underUvwasi();

test('uvwasi runs the program to its end (the reference is complete)', () => {
  assert.match(reference, /^create f -> 0$/m);
  assert.match(reference, /^done$/m);
  // Every listed difference is still one: uvwasi answers as written down.
  const theirs = new Map(reference.split('\n').map(split));
  for (const [what, [, uv]] of Object.entries(WASMTIME_NOT_UVWASI)) assert.equal(theirs.get(what), uv, `uvwasi: ${what}`);
});

for (const preset of PRESETS) {
  test(`errnos.wasm answers as uvwasi except where wasmtime differs, and there as wasmtime (${preset})`, async () => {
    const r = await sh(preset, 'rm -rf /tmp/e; mkdir /tmp/e; true | KERNELKIT_WASI_PREOPENS=/=/tmp/e /usr/lib/wasi-tests/errnos.wasm; echo status=$?');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^status=0$/m, r.stdout + r.stderr);
    const ours = r.stdout.replace(/^status=0\n/m, '').split('\n');
    const theirs = reference.split('\n');
    assert.equal(ours.length, theirs.length, `${ours.length} lines against uvwasi's ${theirs.length}`);
    ours.forEach((line, i) => {
      const [what, answer] = split(line);
      const [theirWhat, theirAnswer] = split(theirs[i]!);
      assert.equal(what, theirWhat, `line ${i + 1}`);
      const known = WASMTIME_NOT_UVWASI[what];
      if (known === undefined) assert.equal(answer, theirAnswer, `${what}: uvwasi says ${theirAnswer}`);
      else assert.equal(answer, known[0], `${what}: wasmtime says ${known[0]}`);
    });
    assert.equal(noLeaks(r), undefined);
  });
}

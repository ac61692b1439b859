// Differential test of the everyday tools: the same pipelines over the same inputs
// run in the host's bash with GNU coreutils (LC_ALL=C) and inside kernelkit on every
// preset; stdout and exit status must agree byte for byte. The inputs come from a
// seeded generator (the seed is printed on failure); one script runs every pipeline
// in one boot, writing "STATUS LENGTH\n" then the output bytes per pipeline to a
// results file in a shared directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sh, noLeaks, PRESETS } from './harness.js';
import { seededRandom } from '../../src/lib/random.js';
import { toolInputs, toolPipelines } from './tools-cases.js';

const seed = Number(process.env['TOOLS_SEED'] ?? 20261206);

// Each pipeline's stdout goes to a scratch file whose length, with the status, heads
// its copy in the results file (so outputs without a final newline stay exact).
function script(pipelines: readonly string[], scratch: string, results: string): string {
  const lines = [`: > ${results}`];
  for (const p of pipelines) {
    lines.push(`{ ${p}\n} > ${scratch} 2>/dev/null; echo "$? $(wc -c < ${scratch})" >> ${results}; cat ${scratch} >> ${results}`);
  }
  return lines.join('\n') + '\n';
}

interface Outcome { status: number; output: Buffer }

function parseResults(data: Buffer): Outcome[] {
  const out: Outcome[] = [];
  let at = 0;
  while (at < data.length) {
    const nl = data.indexOf(10, at);
    const [status, length] = data.subarray(at, nl).toString('latin1').trim().split(/\s+/).map(Number) as [number, number];
    out.push({ status, output: data.subarray(nl + 1, nl + 1 + length) });
    at = nl + 1 + length;
  }
  return out;
}

function writeInputs(dir: string, files: Map<string, Uint8Array>): void {
  for (const [name, data] of files) fs.writeFileSync(path.join(dir, name), data);
  fs.symlinkSync('words.txt', path.join(dir, 'link'));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub/inner.txt'), 'inner\n');
  fs.symlinkSync('..', path.join(dir, 'sub/up'));
  fs.symlinkSync('chain2', path.join(dir, 'chain'));
  fs.symlinkSync('link', path.join(dir, 'chain2'));
}

const random = seededRandom(seed);
const inputs = toolInputs(random);
const pipelines = toolPipelines(random);

// The host's answers, computed once. `awk` there is gawk (Debian's default awk may be
// mawk): a directory holding only that name goes first in PATH; without gawk it holds
// a stand-in that exits 127, so the first test names the awk pipelines as missing.
const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-tools-host-'));
writeInputs(hostDir, inputs);
const hostBin = path.join(hostDir, '.bin');
fs.mkdirSync(hostBin);
const gawk = (process.env['PATH'] ?? '/usr/bin:/bin').split(':').map((d) => path.join(d, 'gawk')).find((f) => fs.existsSync(f));
if (gawk !== undefined) fs.symlinkSync(gawk, path.join(hostBin, 'awk'));
else fs.writeFileSync(path.join(hostBin, 'awk'), '#!/bin/sh\nexit 127\n', { mode: 0o755 });
fs.writeFileSync(path.join(hostDir, 'run.sh'), script(pipelines, path.join(hostDir, '.scratch'), path.join(hostDir, '.results')));
execFileSync('bash', ['run.sh'], { cwd: hostDir, env: { PATH: `${hostBin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, LC_ALL: 'C', TZ: 'UTC' }, stdio: 'ignore' });
const expected = parseResults(fs.readFileSync(path.join(hostDir, '.results')));
fs.rmSync(hostDir, { recursive: true, force: true });

test('the host ran every pipeline with its GNU tools', () => {
  assert.equal(expected.length, pipelines.length);
  // 127: a tool the comparison needs is missing on the host (xxd, hexdump, diff, sed, ...).
  const missing = pipelines.filter((_, i) => expected[i]?.status === 127);
  assert.deepEqual(missing, []);
});

for (const preset of PRESETS) {
  test(`tools agree with GNU on ${preset} (${pipelines.length} pipelines, seed ${seed})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-tools-'));
    try {
      writeInputs(dir, inputs);
      fs.writeFileSync(path.join(dir, 'run.sh'), script(pipelines, '/tmp/scratch', '/t/.results'));
      const r = await sh(preset, 'cd /t && sh run.sh', { mounts: [{ host: dir, guest: '/t', readOnly: false }] });
      const actual = parseResults(fs.readFileSync(path.join(dir, '.results')));
      assert.equal(r.status, 0, `the script ended with ${r.status} after ${actual.length} pipelines: ${r.stderr.slice(-2000)}`);
      const differences: string[] = [];
      pipelines.forEach((p, i) => {
        const want = expected[i] as Outcome;
        const got = actual[i];
        if (got === undefined) { differences.push(`${p}: no result`); return; }
        if (got.status !== want.status) differences.push(`${p}: status ${got.status}, GNU ${want.status}`);
        if (!got.output.equals(want.output)) differences.push(`${p}: output differs\n  kernelkit: ${JSON.stringify(got.output.toString('latin1').slice(0, 300))}\n  GNU:       ${JSON.stringify(want.output.toString('latin1').slice(0, 300))}`);
      });
      assert.equal(differences.length, 0, `seed ${seed}: ${differences.length} of ${pipelines.length} pipelines differ:\n${differences.join('\n')}`);
      assert.equal(noLeaks(r), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

// The native column's build: without a C compiler the lab says so instead of failing;
// with one, nbench runs the workloads and prints kbench's line shape; the host runs
// the same script text as kbench.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildNative, runNative, SCRIPT } from '../../src/lab/native.js';
import { SCRIPT as KBENCH_SCRIPT } from '../../src/user/bin/kbench.js';

test('no C compiler: the native column is "not measured: no C compiler"', () => {
  const b = buildNative(['kernelkit-no-such-compiler'], fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-native-')));
  assert.equal(b.ok, false);
  assert.match(!b.ok ? b.reason : '', /^not measured: no C compiler/);
});

test('the host runs the same script as kbench', () => {
  assert.equal(SCRIPT, KBENCH_SCRIPT);
});

test('nbench prints one line per workload with samples, medians and MB/s where data moves', async (t) => {
  const b = buildNative();
  if (!b.ok) { t.diagnostic(b.reason); assert.match(b.reason, /^not measured/); return; }
  const lines = await runNative(b, ['null', 'smallfile', 'seqio', 'script'], 0.01, 50);
  assert.deepEqual(lines.map((l) => l.workload), ['null', 'smallfile', 'seqio', 'script']);
  for (const l of lines) {
    assert.equal(l.error, undefined, l.error);
    assert.ok(l.n > 0 && l.median_ns > 0 && l.p99_ns >= l.median_ns, JSON.stringify(l));
    assert.ok(l.samples !== undefined && l.samples.length === Math.min(50, l.n));
  }
  assert.equal(lines.find((l) => l.workload === 'seqio')?.unit, 'MB/s');
  assert.equal(lines.find((l) => l.workload === 'null')?.unit, undefined);
});

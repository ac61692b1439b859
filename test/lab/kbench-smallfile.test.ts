// kbench smallfile says which of its five syscalls costs what: beside the median of the
// whole create/stat/unlink it reports the median of each syscall, on every preset (the
// lab and the docs read where a preset's extra time goes from these).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';

const STEPS = ['open', 'write', 'close', 'stat', 'unlink'];

for (const preset of ['monolithic', 'microkernel', 'hybrid']) {
  test(`kbench smallfile reports each syscall's median (${preset})`, async () => {
    const r = await kernelkit(['run', '--preset', preset, 'kbench -s 0.01 smallfile; ls /tmp | grep -c kb-f; true']);
    assert.equal(r.status, 0, r.stderr);
    const [json, left] = r.stdout.trim().split('\n');
    const line = JSON.parse(json!) as { workload: string; n: number; median_ns: number; extra: Record<string, number> };
    assert.equal(line.workload, 'smallfile');
    assert.deepEqual(Object.keys(line.extra), STEPS.map((s) => `${s}_median_ns`));
    for (const s of STEPS) {
      const v = line.extra[`${s}_median_ns`]!;
      assert.ok(Number.isFinite(v) && v > 0, `${s}: ${v}`);
    }
    // Every file it made is gone (each iteration unlinks its file; grep -c exits 1 on none, hence true).
    assert.equal(left, '0');
  });
}

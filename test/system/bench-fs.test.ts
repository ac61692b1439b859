// `kernelkit bench fs --json` fills every cell (shape only; never timing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

test('bench fs --json reports every workload for the host and every preset', () => {
  const r = spawnSync(process.execPath, [bin, 'bench', 'fs', '--files', '30', '--mib', '2', '--json'], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { rows: { runtime: string; workload: string; per_op_us?: number; mb_per_s?: number }[] };
  for (const runtime of ['host', 'monolithic', 'microkernel', 'hybrid']) {
    for (const workload of ['create-fsync', 'stat', 'seq-write', 'seq-read']) {
      const row = out.rows.find((x) => x.runtime === runtime && x.workload === workload);
      assert.ok(row !== undefined, `${workload} on ${runtime}`);
      const v = row.per_op_us ?? row.mb_per_s;
      assert.ok(v !== undefined && Number.isFinite(v) && v > 0, `${workload} on ${runtime}: ${JSON.stringify(row)}`);
    }
  }
});

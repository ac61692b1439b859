// `kernelkit bench wasi --json` fills every cell (a benchmark, not a timed test: the
// assertions are about shape, never about speed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

test('bench wasi --quick --json reports both workloads on node:wasi and every preset', () => {
  const r = spawnSync(process.execPath, [bin, 'bench', 'wasi', '--quick', '--runs', '1', '--json'], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { machine: { cores: number }; rows: { workload: string; runtime: string; median_ms: number; ratio_to_node_wasi: number }[] };
  assert.ok(out.machine.cores >= 1);
  for (const workload of ['cpu', 'sqlite']) {
    for (const runtime of ['node:wasi', 'monolithic', 'microkernel', 'hybrid']) {
      const row = out.rows.find((x) => x.workload === workload && x.runtime === runtime);
      assert.ok(row !== undefined, `${workload} on ${runtime}`);
      assert.ok(row.median_ms > 0 && Number.isFinite(row.ratio_to_node_wasi) && row.ratio_to_node_wasi > 0, `${workload} on ${runtime}: ${JSON.stringify(row)}`);
    }
  }
});

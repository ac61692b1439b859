// The fault campaign's damaged-server cell: wild writes into vfs on microkernel damage
// the system's files without crashing vfs; the supervisor's self-check restarts it and
// the workload's last pass finds every file intact (damage_recovered_pct).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';

test('faults: vfs wild-write on microkernel shows damaged-server recovery', async () => {
  const r = await kernelkit(['faults', '--presets', 'microkernel', '--components', 'vfs', '--types', 'wild-write', '-n', '2', '--seed', '3', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const [cell] = (JSON.parse(r.stdout) as { cells: Record<string, number | string | null>[] }).cells;
  assert.ok(cell !== undefined);
  const what = JSON.stringify(cell);
  assert.equal(cell.injected, 2, what);
  assert.ok((cell.damaged_boots as number) >= 1, `the wild writes damaged system files: ${what}`);
  assert.equal(cell.damage_recovered_pct, 100, `and the supervisor repaired them: ${what}`);
  assert.equal(cell.data_lost, 0, what);
  assert.equal(cell.panics, 0, what);
});

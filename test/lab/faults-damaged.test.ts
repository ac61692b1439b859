// The fault campaign's damaged-server cell: wild writes into vfs on microkernel damage
// the system's files without crashing vfs; the supervisor's self-check restarts it and
// the workload's last pass finds every file intact (damage_recovered_pct).
//
// Where a wild write lands in vfs's arena depends on what vfs had allocated by then,
// which timing decides: the same seed may hit a cached system file (damage, then the
// self-check's restart repairs it) or vfs's own structures (the self-check restarts it
// before any file reads wrong). So the test tries up to three seeds for a boot whose
// files were damaged; every run, damaged or not, must lose nothing and never panic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';

test('faults: vfs wild-write on microkernel shows damaged-server recovery', async () => {
  const seen: string[] = [];
  for (const seed of [3, 5, 7]) {
    const r = await kernelkit(['faults', '--presets', 'microkernel', '--components', 'vfs', '--types', 'wild-write', '-n', '2', '--seed', String(seed), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const [cell] = (JSON.parse(r.stdout) as { cells: Record<string, number | string | null>[] }).cells;
    assert.ok(cell !== undefined);
    const what = JSON.stringify(cell);
    seen.push(what);
    assert.equal(cell.injected, 2, what);
    assert.equal(cell.data_lost, 0, what);
    assert.equal(cell.panics, 0, what);
    if ((cell.damaged_boots as number) >= 1) {
      assert.equal(cell.damage_recovered_pct, 100, `and the supervisor repaired them: ${what}`);
      return;
    }
  }
  assert.fail(`no seed's wild writes damaged system files:\n${seen.join('\n')}`);
});

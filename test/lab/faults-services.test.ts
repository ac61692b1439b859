// A fault campaign on the process manager and the console, on microkernel (where each
// is a user-domain server the supervisor restarts): every fault type, a few faults
// each. The campaign must finish (no machine given up on as stuck), report every
// cell in full, and lose nothing the workload saw fsync'd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_TYPES } from '../../src/lab/faults.js';
import { kernelkit } from './cli.js';

const N = 2;
const KEYS = ['preset', 'component', 'type', 'injected', 'survived_pct', 'completed_pct', 'recovery_ms_p50', 'recovery_ms_p99',
  'failed_requests', 'data_lost', 'corruption_caught', 'volatile_lost', 'boots', 'stuck', 'panics', 'ops'];

test('faults on pm and console (microkernel, every fault type): no hang, a complete table, no acknowledged data lost', async () => {
  const r = await kernelkit(['faults', '--presets', 'microkernel', '--components', 'pm,console', '--types', FAULT_TYPES.join(','), '-n', String(N), '--seed', '17', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { cells: Record<string, number | string | null>[] };
  const seen = j.cells.map((c) => `${c.component}/${c.type}`).sort();
  assert.deepEqual(seen, ['console', 'pm'].flatMap((c) => FAULT_TYPES.map((t) => `${c}/${t}`)).sort(), 'one cell per component and fault type');
  assert.ok(j.cells.reduce((a, c) => a + (c.boots as number), 0) >= 1, 'the campaign booted');
  for (const c of j.cells) {
    const cell = `${c.component}/${c.type}: ${JSON.stringify(c)}`;
    for (const k of KEYS) assert.ok(k in c, `${cell} lacks ${k}`);
    assert.equal(c.preset, 'microkernel');
    assert.equal(c.injected, N, `${cell}: every planned fault was injected`);
    assert.equal(c.stuck, 0, `${cell}: no boot stopped answering`);
    // Cells share boots (a boot is counted for the cell it starts with): at most one of
    // its own plus one per panic.
    assert.ok((c.boots as number) <= 1 + (c.panics as number), `${cell}: no boot beyond one per panic`);
    assert.equal(c.data_lost, 0, `${cell}: acknowledged data survives`);
    assert.ok((c.ops as number) > 0, `${cell}: the workload ran`);
  }
});

// A fault campaign on diskfs: every preset boots on a chainfs disk mounted through the
// driver the disk carries (in the sandbox domain), the workload keeps its fsync'd files
// there, and every fault type is injected into the driver a few times. Every fault
// must be survived (a trap, fuel out or a bad reply ends the instance or the request,
// never the kernel), a fresh boot must read back every acknowledged file, and the
// image's own fsck must find the filesystem clean afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_TYPES } from '../../src/lab/faults.js';
import { kernelkit } from './cli.js';

const N = 2;
const PRESETS = ['monolithic', 'microkernel', 'hybrid'];

test('faults on diskfs (every preset, every fault type): all survived, no acknowledged file lost, fsck clean', async () => {
  const r = await kernelkit(['faults', '--presets', PRESETS.join(','), '--components', 'diskfs', '--types', FAULT_TYPES.join(','), '-n', String(N), '--seed', '23', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { cells: Record<string, number | string | null>[]; storage: string; fsck?: string[] };
  assert.match(j.storage, /chainfs disk mounted through the driver it carries/);
  const seen = j.cells.map((c) => `${c.preset}/${c.type}`).sort();
  assert.deepEqual(seen, PRESETS.flatMap((p) => FAULT_TYPES.map((t) => `${p}/${t}`)).sort(), 'one cell per preset and fault type');
  for (const c of j.cells) {
    const cell = `${c.preset}/${c.type}: ${JSON.stringify(c)}`;
    assert.equal(c.component, 'diskfs');
    assert.equal(c.injected, N, `${cell}: every planned fault was injected`);
    assert.equal(c.survived_pct, 100, `${cell}: the kernel survived every fault in its sandboxed driver`);
    assert.equal(c.panics, 0, `${cell}: no panic`);
    assert.equal(c.stuck, 0, `${cell}: no boot stopped answering`);
    assert.equal(c.data_lost, 0, `${cell}: every acknowledged file reads back after a fresh boot`);
    assert.equal(c.corruption_caught, 0, `${cell}: nothing read back differed`);
    assert.ok((c.ops as number) > 0, `${cell}: the workload ran`);
  }
  // One fsck line per job (a job per cell here), each clean.
  assert.equal(j.fsck?.length, j.cells.length, `an fsck line per cell: ${JSON.stringify(j.fsck)}`);
  for (const line of j.fsck!) assert.match(line, /^\w+\/diskfs\/[\w-]+ faults 0-1: clean$/, line);
});

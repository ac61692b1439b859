// The faster campaign keeps the table: boots shared across cells (planBoots) and hangs
// seen by CPU time give the same outcome table, on what the seed decides, as a boot
// per cell; and which cells may share a boot follows the fault model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planJobs, planBoots, runFaultCampaign, jobKey, type CampaignSpec } from '../../src/lab/faults.js';
import { outcomes } from './campaign-small.js';

test('planBoots: calm user-domain cells share boots, each damaging cell ends one, kernel-domain cells keep their own', () => {
  const spec: CampaignSpec = { presets: ['microkernel', 'monolithic'], components: ['blk', 'vfs'], types: ['crash', 'wild-write', 'hang', 'bad-reply', 'leak'], n: 10, seed: 1, jobFaults: 5 };
  const jobs = planJobs(spec);
  const groups = planBoots(spec, jobs, 2);
  // Every job exactly once.
  assert.deepEqual(groups.flat().map((j) => jobKey(spec, j)).sort(), jobs.map((j) => jobKey(spec, j)).sort());
  for (const g of groups) {
    const damaging = g.filter((j) => j.type === 'wild-write' || j.type === 'leak');
    assert.ok(damaging.length <= 1, `two damaging jobs in one boot: ${JSON.stringify(g)}`);
    if (damaging.length === 1) assert.equal(g.at(-1), damaging[0], 'the damaging job ends its boot');
    if (g.some((j) => j.preset === 'monolithic')) assert.equal(g.length, 1, 'a kernel-domain job boots alone');
  }
  const shared = groups.filter((g) => g.length > 1);
  assert.ok(shared.length > 0 && shared.every((g) => g.every((j) => j.preset === 'microkernel')));
  // Balanced: the costly cells (hangs, crashes) go to different boots, so that the
  // lanes end together (the goal command's cells: one job each, two lanes).
  const goal: CampaignSpec = { presets: ['microkernel'], components: ['blk', 'vfs'], types: ['crash', 'wild-write', 'hang', 'bad-reply', 'leak'], n: 200, seed: 1 };
  const goalGroups = planBoots(goal, planJobs(goal), 2);
  assert.equal(goalGroups.length, 4);
  for (const g of goalGroups) assert.ok(g.filter((j) => j.type === 'hang' || j.type === 'crash').length <= 1, `two costly cells in one boot: ${JSON.stringify(g)}`);
  // Asked for the old way, or on an ext2 root: a boot per job.
  assert.ok(planBoots({ ...spec, shareBoots: false }, jobs, 2).every((g) => g.length === 1));
  assert.ok(planBoots({ ...spec, disk: true }, jobs, 2).every((g) => g.length === 1));
});

test('boots shared across cells give the table of a boot per cell, with the same seed; fewer boots', { timeout: 900000 }, async () => {
  // NOTE: --hang-ms far above the run: a hang is seen only by the CPU-time rule (50 ms
  // of CPU without a heartbeat), so the hang cells finishing at all shows it works,
  // and no healthy server on a loaded host can be taken for hung by silence.
  const spec: CampaignSpec = { presets: ['microkernel'], components: ['blk', 'vfs'], types: ['crash', 'hang', 'bad-reply', 'leak'], n: 3, seed: 2, hangMs: 600000, hangCpuMs: 50, stuckMs: 60000 };
  const shared = await runFaultCampaign({ ...spec, parallel: 2 });
  const alone = await runFaultCampaign({ ...spec, shareBoots: false, parallel: 2 });
  const cells = (r: typeof shared): Record<string, unknown>[] => outcomes(r.cells as unknown as Record<string, unknown>[]);
  assert.deepEqual(cells(shared), cells(alone));
  for (const c of shared.cells) {
    assert.equal(c.injected, 3, JSON.stringify(c));
    assert.equal(c.survived_pct, 100, JSON.stringify(c));
    assert.equal(c.data_lost, 0, JSON.stringify(c));
    assert.equal(c.panics, 0, JSON.stringify(c));
    assert.equal(c.stuck, 0, JSON.stringify(c));
  }
  // A vfs crash or hang loses /tmp (volatile): found in its own cell, by the settle pass at the latest.
  for (const c of shared.cells) assert.equal(c.volatile_lost > 0, c.component === 'vfs' && (c.type === 'crash' || c.type === 'hang'), JSON.stringify(c));
  const boots = (r: typeof shared): number => r.cells.reduce((a, c) => a + c.boots - c.failed_boots, 0);
  assert.equal(boots(alone), 8);
  assert.equal(boots(shared), planBoots(spec, planJobs(spec), 2).length);
  assert.ok(boots(shared) < boots(alone));
});

// A fault campaign in slices: `faults --shard I/N` runs every N-th job, and `faults
// --merge` of all the slices gives the table of one run with the same seed. Merging
// refuses a missing slice, a slice given twice and slices of another campaign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planJobs, shardJobs, jobKey, campaignParams, CAMPAIGN_SPIN_US } from '../../src/lab/faults.js';
import { kernelkit } from './cli.js';
import { SMALL, outcomes } from './campaign-small.js';


test('every job lands in exactly one slice; job names depend on the seed', () => {
  const spec = { presets: ['microkernel', 'hybrid'], components: ['blk', 'vfs'], types: ['crash', 'hang'], n: 10, seed: 7, jobFaults: 3 };
  const plan = planJobs(spec);
  assert.equal(plan.length, 2 * 2 * 2 * 4);
  const keys = plan.map((j) => jobKey(spec, j));
  assert.equal(new Set(keys).size, keys.length);
  const sliced = [1, 2, 3].flatMap((i) => shardJobs(plan, i, 3).map((j) => jobKey(spec, j)));
  assert.deepEqual([...sliced].sort(), [...keys].sort());
  assert.notEqual(jobKey({ ...spec, seed: 8 }, plan[0]!), keys[0]);
  for (const k of keys) assert.ok(!k.includes(':'), 'BullMQ refuses ":" in a job id');
  // The machines' spin budget changes the recovery times: a job run with another is another job.
  assert.notEqual(jobKey({ ...spec, spinUs: 50 }, plan[0]!), keys[0]);
  assert.equal(jobKey({ ...spec, spinUs: CAMPAIGN_SPIN_US }, plan[0]!), keys[0]);
});

test('a campaign machine spins as told (none by default) and looks for hangs five times per CPU limit', () => {
  const byDefault = campaignParams(2000, 30);
  for (const k of ['kernelSpinUs', 'serverSpinUs', 'processSpinUs'] as const) {
    assert.equal(byDefault[k], CAMPAIGN_SPIN_US);
    assert.equal(campaignParams(2000, 30, 40)[k], 40);
  }
  assert.equal(byDefault.heartbeatPeriodMs, 6);
  assert.equal(byDefault.supervisorTickMs, 6);
  // Never below 5 ms, however small the limit.
  assert.equal(campaignParams(2000, 10).heartbeatPeriodMs, 5);
  // Without the CPU rule: ten beats and five looks per silence limit.
  assert.deepEqual([campaignParams(1000, 0).heartbeatPeriodMs, campaignParams(1000, 0).supervisorTickMs], [100, 200]);
});

test('faults: one run equals the merge of its 4 slices with the same seed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-shards-'));
  try {
    const whole = await kernelkit(['faults', ...SMALL, '--parallel', '2', '--json']);
    assert.equal(whole.status, 0, whole.stderr);
    const one = JSON.parse(whole.stdout) as { cells: Record<string, unknown>[]; parallel: number };
    assert.equal(one.parallel, 2, 'the run records its parallelism');
    assert.equal(one.cells.length, 3);
    const files: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const r = await kernelkit(['faults', ...SMALL, '--parallel', '1', '--shard', `${i}/4`, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const slice = JSON.parse(r.stdout) as { shard: string; jobs: unknown[] };
      assert.equal(slice.shard, `${i}/4`);
      assert.equal(slice.jobs.length, i <= 2 ? 2 : 1, 'six jobs dealt round-robin over four slices');
      files.push(path.join(dir, `slice${i}.json`));
      fs.writeFileSync(files[i - 1]!, r.stdout);
    }
    // In another order, too: the merge follows the campaign's plan, not the files.
    const merged = await kernelkit(['faults', '--merge', ...[...files].reverse(), '--json']);
    assert.equal(merged.status, 0, merged.stderr);
    const m = JSON.parse(merged.stdout) as { cells: Record<string, unknown>[]; seed: number };
    assert.equal(m.seed, 3);
    assert.deepEqual(outcomes(m.cells), outcomes(one.cells));
    for (const c of m.cells) assert.equal(c.injected, 4);

    const missing = await kernelkit(['faults', '--merge', ...files.slice(0, 3), '--json']);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /in no slice.*a shard is missing/);
    const twice = await kernelkit(['faults', '--merge', ...files, files[0]!, '--json']);
    assert.notEqual(twice.status, 0);
    assert.match(twice.stderr, /is in two slices/);
    const other = JSON.parse(fs.readFileSync(files[1]!, 'utf8')) as { campaign: { seed: number } };
    other.campaign.seed = 4;
    fs.writeFileSync(files[1]!, JSON.stringify(other));
    const foreign = await kernelkit(['faults', '--merge', ...files, '--json']);
    assert.notEqual(foreign.status, 0);
    assert.match(foreign.stderr, /is another campaign/);
    fs.writeFileSync(files[1]!, '{"cells": []}');
    const notSlice = await kernelkit(['faults', '--merge', files[1]!]);
    assert.notEqual(notSlice.status, 0);
    assert.match(notSlice.stderr, /not the JSON of 'kernelkit faults --shard/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('faults: bad --shard, --queue and --merge combinations are refused with one line', async () => {
  for (const [args, want] of [
    [['--shard', '0/4'], /--shard needs I\/N/],
    [['--shard', '5/4'], /--shard needs I\/N/],
    [['--shard', 'x'], /--shard needs I\/N/],
    [['--queue', 'http://localhost:1/x'], /scheme must be redis/],
    [['--queue', 'redis://localhost:1/a:b'], /queue name/],
    [['--collect'], /--collect needs --queue/],
    [['--queue', 'redis://localhost:1/q', '--shard', '1/2'], /do not go together/],
  ] as const) {
    const r = await kernelkit(['faults', ...args]);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, want);
  }
  const labQueue = await kernelkit(['lab', '--queue', 'http://localhost:1/x']);
  assert.equal(labQueue.status, 2);
  assert.match(labQueue.stderr, /scheme must be redis/);
  // Nothing listens on port 1: one line and status 1, from the enqueuers and a worker alike.
  const sweep = ['lab', '--quick', '--presets', 'monolithic', '--workloads', 'null', '--runs', '1', '--no-native', '--faults', '0', '--out', path.join(os.tmpdir(), `kernelkit-lab-${process.pid}`)];
  for (const args of [['faults', ...SMALL, '--queue', 'redis://127.0.0.1:1/q'], ['worker', '--queue', 'redis://127.0.0.1:1/q'], [...sweep, '--queue', 'redis://127.0.0.1:1/q']]) {
    const r = await kernelkit(args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^kernelkit: --queue redis:\/\/127\.0\.0\.1:1\/q: cannot reach Redis at 127\.0\.0\.1:1 \(.+\)\n$/);
  }
});

// Claim verdicts from a run's figures: C13 from the gadget probe's four outcomes, C1
// from its ratio interval, C2 from the geometric means of the macro workloads, C7 from
// the bridge rows of the network section, C14 from the nic and net crash cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeClaims, judgeC14, type LabInput, type RatioOf } from './claims.js';
import type { FaultCell } from './fault-tally.js';
import { probeUsbGadget, type GadgetProbe } from './gadget.js';
import type { Bootstrapped } from './bootstrap.js';
import type { NetRow } from './net-rows.js';

const input = { faults: [], tcb: [], rows: [], results: [], reference: { spin_rt_ns: 100, spin_rt_p99_ns: 200, ipc_rt_ns: {}, ipc_rt_p99_ns: {} } } as unknown as LabInput;
const fixed = (point: number, low: number, high: number): Bootstrapped => ({ point, low, high, replicates: Float64Array.from({ length: 200 }, (_, i) => low + ((high - low) * i) / 199) });
const none: RatioOf = () => undefined;
const c = (id: string, ratioOf: RatioOf, gadget: GadgetProbe = { tested: false, reason: 'not tested: no usbgadget module in this build' }) => judgeClaims(input, ratioOf, gadget).find((x) => x.id === id)!;

test('C13: not tested without the module; held, not held, inconclusive from where the secret showed up', async () => {
  const absent = await probeUsbGadget({});
  assert.deepEqual(absent, { tested: false, reason: 'not tested: no usbgadget module in this build' });
  assert.equal(c('C13', none, absent).verdict, 'not tested');
  assert.match(c('C13', none, absent).measured, /no usbgadget module/);
  const run = (leaked: boolean) => ({ insmod: 'ok', leaked });
  assert.equal(c('C13', none, { tested: true, kernel: run(true), user: run(false) }).verdict, 'held');
  assert.equal(c('C13', none, { tested: true, kernel: run(true), user: run(true) }).verdict, 'not held');
  assert.equal(c('C13', none, { tested: true, kernel: run(false), user: run(false) }).verdict, 'inconclusive');
});

test('C1 follows the smallfile ratio interval against 2x', () => {
  const at = (i: Bootstrapped): RatioOf => (p, ipc, w) => (p === 'microkernel' && ipc === 'shm' && w === 'smallfile' ? i : undefined);
  assert.equal(c('C1', at(fixed(4, 3, 6))).verdict, 'held');
  assert.equal(c('C1', at(fixed(1.5, 1.2, 1.8))).verdict, 'not held');
  const unsure = c('C1', at(fixed(2.2, 0.04, 5)));
  assert.equal(unsure.verdict, 'inconclusive');
  assert.match(unsure.reason, /straddles the threshold 2\.00x/);
  assert.equal(c('C1', none).verdict, 'not tested');
});

test('C2 uses mach as the first generation where it was measured, else postmessage', () => {
  const slow = fixed(1.6, 1.4, 1.8), fast = fixed(1.05, 1.0, 1.08);
  const withPm: RatioOf = (p, ipc) => (p !== 'microkernel' ? undefined : ipc === 'shm' ? fast : ipc === 'postmessage' ? slow : undefined);
  const v = c('C2', withPm);
  assert.equal(v.verdict, 'held');
  assert.match(v.threshold, /^postmessage/);
  const withMach: RatioOf = (p, ipc) => (p !== 'microkernel' ? undefined : ipc === 'shm' ? fast : ipc === 'mach' ? fixed(1.2, 1.1, 1.25) : slow);
  const m = c('C2', withMach);
  assert.match(m.threshold, /^mach/);
  assert.equal(m.verdict, 'not held', m.reason);
});

test('C7 follows the bridge rows: kernel / user throughput interval against 1.1x', () => {
  const row = (preset: string, MBps: number, slowdown: [number, number, number] | null, intact = true): NetRow => ({
    preset, path: 'bridge', placement: preset === 'monolithic' ? 'bridge kernel' : 'bridge user', MBps, ci95_low: MBps * 0.9, ci95_high: MBps * 1.1,
    frames_per_s: { value: Math.round((MBps * 1e6) / 1514), ci95_low: 1, ci95_high: 2 },
    slowdown_vs_monolithic: slowdown?.[0] ?? null, slowdown_ci95_low: slowdown?.[1] ?? null, slowdown_ci95_high: slowdown?.[2] ?? null,
    run_MBps: [MBps], runs: 2, samples: 4, intact,
  });
  const withNet = (rows: NetRow[] | undefined): LabInput => ({ ...input, ...(rows === undefined ? {} : { net: { rows, goals: [], latency: [], lossy: [], options: { runs: 2, bytes: 1, transfers: 1, frames: 1, rrRounds: 0, lossRates: [], lossBytes: 1 }, seconds: 1 } }) });
  const c7 = (rows: NetRow[] | undefined) => judgeClaims(withNet(rows), none, { tested: false, reason: '-' }).find((x) => x.id === 'C7')!;
  const mono = row('monolithic', 30, [1, 1, 1]);
  assert.equal(c7(undefined).verdict, 'not tested');
  assert.equal(c7([mono]).verdict, 'not tested', 'the user-domain row is missing');
  assert.equal(c7([mono, row('microkernel', 10, [3, 2.5, 3.6])]).verdict, 'held');
  assert.equal(c7([mono, row('microkernel', 32, [0.94, 0.8, 1.05])]).verdict, 'not held');
  const unsure = c7([mono, row('microkernel', 27, [1.11, 0.9, 1.4])]);
  assert.equal(unsure.verdict, 'inconclusive');
  assert.match(unsure.reason, /straddles the threshold 1\.10x/);
  assert.match(unsure.measured, /kernel \/ user 1\.11x/);
  assert.equal(c7([mono, row('microkernel', 10, [3, 2.5, 3.6], false)]).verdict, 'not tested', 'a bridge that damaged frames says nothing about speed');
  // The rule reads the ratio interval, not the two medians: a wide interval is not a verdict.
  assert.equal(c7([mono, row('microkernel', 10, [3, 1.05, 9])]).verdict, 'inconclusive');
});

test('C14: held when nic crashes cost no connection and net crashes break every one; not held, inconclusive, not tested otherwise', () => {
  const at = (preset: string, component: string, o: Partial<FaultCell> = {}): FaultCell => ({
    preset, component, type: 'crash', injected: 10, survived_pct: 100, completed_pct: 100, recovery_ms_p50: 300, recovery_ms_p99: 900,
    failed_requests: 0, data_lost: 0, corruption_caught: 0, volatile_lost: 0, boots: 1, stuck: 0, panics: 0, failed_boots: 0, ops: 40,
    damaged_boots: 0, damage_recovered_pct: null, connections_open: 20, connections_lost: 0, ...o,
  });
  const nicOk = at('microkernel', 'nic'), netBreaks = at('microkernel', 'net', { connections_lost: 20, completed_pct: 0 });
  assert.equal(judgeC14([nicOk, netBreaks]).verdict, 'held');
  assert.match(judgeC14([nicOk, netBreaks]).measured, /microkernel nic crash x10: .*connections lost 0 of 20.*microkernel net crash x10: .*connections lost 20 of 20/);
  // A nic crash that cost a connection, lost a chunk, or left a transfer unfinished is noticed.
  for (const bad of [{ connections_lost: 1 }, { data_lost: 1 }, { completed_pct: 90 }, { survived_pct: 90 }]) {
    const v = judgeC14([at('microkernel', 'nic', bad), netBreaks]);
    assert.equal(v.verdict, 'not held', JSON.stringify(bad));
    assert.match(v.reason, /noticed: microkernel nic crash/);
  }
  // Hybrid's nic cell counts when it was measured.
  assert.equal(judgeC14([nicOk, at('hybrid', 'nic', { connections_lost: 2 }), netBreaks]).verdict, 'not held');
  // A net crash that left a connection standing does not break "every established connection".
  const partly = judgeC14([nicOk, at('microkernel', 'net', { connections_lost: 19 })]);
  assert.equal(partly.verdict, 'not held');
  assert.match(partly.reason, /only 19 of 20/);
  // Nothing established at the net crashes: the second half is not shown.
  assert.equal(judgeC14([nicOk, at('microkernel', 'net', { connections_open: 0, connections_lost: 0 })]).verdict, 'inconclusive');
  // Missing cells, or cells with no fault injected.
  assert.equal(judgeC14([nicOk]).verdict, 'not tested');
  assert.equal(judgeC14([at('hybrid', 'nic'), netBreaks]).verdict, 'not tested');
  assert.equal(judgeC14([at('microkernel', 'nic', { injected: 0 }), netBreaks]).verdict, 'not tested');
  // judgeClaims reports it with the others.
  assert.equal(judgeClaims({ ...input, faults: [nicOk, netBreaks] } as LabInput, none, { tested: false, reason: 'x' }).find((x) => x.id === 'C14')?.verdict, 'held');
});

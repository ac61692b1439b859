// `kernelkit lab` (every workload on every preset x transport, faults, TCB, report).
// Fault campaigns on their own are faults.ts. See src/lab/ and docs/lab.md.

import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { UsageError, type StatusSink } from '../usage.js';
import { parseList, parseTransports, parsePositiveInt } from './bench.js';
import { runLab, type LabResult } from '../../lab/lab.js';
import { busyWarning } from '../../lab/machine-info.js';
import { FAULT_TYPES, mergeJobs, storageOf, isNetCell, type FaultCell } from '../../lab/faults.js';
import { parseQueueUrl, reach, runQueuedCampaign, runQueuedLabBoots, RedisUnreachable } from '../../lab/campaign-queue.js';
import { presetNames } from '../../lab/boot.js';
import { WORKLOAD_NAMES } from '../../lab/workloads.js';
import { renderReport } from '../../lab/report.js';
import { table, formatNs } from '../../lab/table.js';
import { LAB_TRANSPORTS } from '../../lab/boot.js';
import { NET_SIZES, netTable, latencyTable, lossTable } from '../../lab/bench-net.js';

function progress(json: boolean): { update: (what: string, done: number, total: number) => void; stop: () => void } {
  if (json) return { update: () => {}, stop: () => {} };
  if (process.stderr.isTTY === true) {
    const bar = new cliProgress.SingleBar({ format: 'lab [{bar}] {value}/{total} {step}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (step, done, total) => { if (!started) { bar.start(total, done, { step }); started = true; } else bar.update(done, { step }); },
      stop: () => { if (started) bar.stop(); },
    };
  }
  return { update: (step, done, total) => process.stderr.write(`lab: [${done}/${total}] ${step}\n`), stop: () => {} };
}

export function parseSeed(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--seed needs an integer in [0, 2^32), not '${value}'`);
  return n;
}

export function faultTable(cells: FaultCell[]): string {
  return table(['preset', 'component', 'type', 'injected', 'survived%', 'completed%', 'rec p50 ms', 'rec p99 ms', 'failed', 'lost', 'corrupt', 'volatile', 'panics', 'stuck', 'damaged', 'repaired%', 'conns lost'],
    cells.map((c) => [c.preset, c.component, c.type, c.injected, c.survived_pct, c.completed_pct, c.recovery_ms_p50 ?? NaN, c.recovery_ms_p99 ?? NaN, c.failed_requests, c.data_lost, c.corruption_caught, c.volatile_lost, c.panics, c.stuck, c.damaged_boots ?? 0, c.damage_recovered_pct ?? NaN, connectionsLost(c)]));
}

/** A network cell's connections lost of those open when the faults were armed ("2/40"); "-" for the other cells. */
export function connectionsLost(c: FaultCell): string {
  return isNetCell(c.component) ? `${c.connections_lost ?? 0}/${c.connections_open ?? 0}` : '-';
}

const cellLabel = (x: { preset: string; ipc: string }): string => (x.ipc === 'none' ? x.preset : `${x.preset}/${x.ipc}`);
const interval = (m: number | null, lo: number | null, hi: number | null, f: (x: number) => string): string => (m === null ? 'not measured' : `${f(m)} [${f(lo ?? NaN)}, ${f(hi ?? NaN)}]`);
const usText = (x: number): string => formatNs(x * 1000);
const ratioText = (x: number): string => (Number.isFinite(x) ? `${x}x` : '-');

function printLab(r: LabResult): void {
  const w = (s: string): void => { process.stdout.write(s); };
  const m = r.machine;
  w(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, Node ${m.node}; load ${r.run.loadavg_start} at start, ${r.run.loadavg_end} at end; ${r.run.seconds} s\n`);
  const busy = busyWarning(m.cores, r.run.loadavg_start, r.run.loadavg_end);
  if (busy !== undefined) w(`${busy}\n`);
  w(`method: ${r.run.runs} runs per cell, interleaved in rounds; median of all samples with a bootstrap 95% interval [low, high] (${r.run.bootstrap_replicates} resamples of runs, then samples)\n`);
  w(`native (Linux on this machine): ${r.run.native}\n`);
  w(`reference: raw spin round trip ${formatNs(r.reference.spin_rt_ns)}; direct channels: ${Object.entries(r.reference.ipc_rt_ns).map(([k, v]) => `${k} ${formatNs(v ?? NaN)}`).join(', ')}\n\n`);
  const cols = [...new Set(r.results.map(cellLabel))];
  const cellOf = (wl: string, c: string) => r.results.find((x) => x.workload === wl && cellLabel(x) === c);
  w('median per operation [95% CI]\n');
  w(table(['workload', ...cols], r.run.workloads.map((wl) => [wl, ...cols.map((c) => { const x = cellOf(wl, c); return x === undefined ? '-' : interval(x.median_us, x.ci95_low_us, x.ci95_high_us, usText); })])));
  w('\nratio to monolithic [95% CI] (above 1 is slower)\n');
  w(table(['workload', ...cols], r.run.workloads.map((wl) => [wl, ...cols.map((c) => { const x = cellOf(wl, c); return x === undefined ? '-' : interval(x.ratio_to_monolithic, x.ratio_ci95_low, x.ratio_ci95_high, ratioText); })])));
  w('\nspread: p25–p75 of the samples; p99 (nearest rank; the maximum below 100 samples)\n');
  w(table(['workload', ...cols], r.run.workloads.map((wl) => [wl, ...cols.map((c) => {
    const x = cellOf(wl, c);
    return x === undefined || x.median_us === null ? '-' : `${usText(x.p25_us ?? NaN)}–${usText(x.p75_us ?? NaN)}; p99 ${usText(x.p99_us ?? NaN)}`;
  })])));
  const tp = r.run.workloads.filter((wl) => r.results.some((x) => x.workload === wl && x.throughput !== null));
  if (tp.length > 0) {
    w('\nthroughput [95% CI]\n');
    w(table(['workload', ...cols], tp.map((wl) => [wl, ...cols.map((c) => { const t = cellOf(wl, c)?.throughput; return t == null ? '-' : `${t.value} ${t.unit} [${t.ci95_low}, ${t.ci95_high}]`; })])));
  }
  const notes = [...new Map(r.results.filter((x) => x.note !== undefined || x.retried !== undefined).map((x) => [cellLabel(x), [x.note, x.retried].filter((n) => n !== undefined).join('; ')])).entries()];
  if (notes.length > 0) { w('\nnotes\n'); for (const [c, n] of notes) w(`  ${c}: ${n}\n`); }
  if (r.faults.length > 0) { w('\nfaults\n'); w(faultTable(r.faults)); }
  if (r.net !== undefined) {
    const n = r.net.options;
    w(`\nnetwork: TCP throughput (${n.runs} rounds, ${n.transfers} transfer(s) of ${(n.bytes / 1048576).toFixed(1)} MiB per boot) and the C7 bridge (${n.frames} frames per run); ${r.net.seconds} s\n`);
    w(netTable(r.net));
    if (r.net.latency.length > 0) w(`\nrequest/response: ${n.rrRounds} round trips of one byte each way (TCP_NODELAY) per boot of each guest pair; medians over the boots of each boot's p50 and p99\n${latencyTable(r.net.latency)}`);
    if (r.net.lossy.length > 0) w(`\nlossy transfers: ${n.lossBytes / 1024} KiB guest -> guest per preset over a cable that drops each frame, either way, with the probability given (seeded); retransmitted = data segments with a sequence number sent before\n${lossTable(r.net.lossy)}`);
    for (const g of r.net.goals) w(`  goal ${g.verdict.padEnd(12)} ${g.goal}: ${g.measured}\n`);
  }
  w('\ntrusted computing base (lines)\n');
  w(table(['preset', 'kernel domain', 'total'], r.tcb.map((t) => [t.preset, t.kernel_loc, t.total_loc])));
  w('\nthe claims, tested\n');
  for (const c of r.claims) w(`  ${c.id.padEnd(4)} ${c.verdict.padEnd(12)} ${c.measured}\n${c.verdict === 'inconclusive' ? `       why: ${c.reason}\n` : ''}`);
  for (const t of r.targets) w(`  target ${t.verdict.padEnd(12)} ${t.target}: ${t.measured}\n`);
}

export function register(program: Command, status: StatusSink): void {
  program.command('lab')
    .description('measure every preset x transport side by side, run a fault campaign, count the TCB, write results.json and report.html')
    .option('--presets <list>', 'presets, comma-separated (default: all)')
    .option('--workloads <list>', `workloads: ${WORKLOAD_NAMES.join(',')} (default: all)`)
    .option('--ipc <list>', `transports: ${LAB_TRANSPORTS.join(',')} (default: all; one this build refuses is reported as not measured)`)
    .option('--runs <n>', 'boots per cell, interleaved in rounds (default: 5, --quick 3)')
    .option('--no-native', 'leave out the host OS (native) column')
    .option('--no-net', 'leave out the network section (TCP throughput, round trips, the C7 bridge) and C14\'s nic and net crash campaign')
    .option('--no-ext', 'leave out C8 and C9 (bench ext\'s driver rows, the hostile eBPF set and the extbug modules)')
    .option('--quick', 'fewer iterations and runs, a small fault campaign: under two minutes', false)
    .option('--seed <n>', 'seed for the order of boots and the fault schedule', '1')
    .option('--faults <n>', 'faults per preset x component x type in the lab campaign (0: none)')
    .option('--out <dir>', 'where results.json and report.html go', 'lab-out')
    .option('--json', 'print the results as one JSON object on stdout', false)
    .option('--queue <url>', 'redis://HOST:PORT/NAME: run the timing boots and the fault campaign on `kernelkit worker`s')
    .action(async (opts: { presets?: string; workloads?: string; ipc?: string; runs?: string; quick: boolean; seed: string; faults?: string; out: string; json: boolean; native: boolean; net: boolean; ext: boolean; queue?: string }) => {
      const presets = opts.presets === undefined ? presetNames() : parseList(opts.presets, presetNames(), 'preset');
      const workloads = opts.workloads === undefined ? WORKLOAD_NAMES : parseList(opts.workloads, WORKLOAD_NAMES, 'workload');
      const transports = parseTransports(opts.ipc);
      const runs = parsePositiveInt(opts.runs ?? (opts.quick ? '3' : '5'), '--runs');
      const seed = parseSeed(opts.seed);
      const nFaults = opts.faults === undefined ? (opts.quick ? 1 : 3) : Number(opts.faults);
      if (!Number.isInteger(nFaults) || nFaults < 0) throw new UsageError(`--faults needs a non-negative integer, not '${opts.faults}'`);
      // The campaigns measure what survives, not how fast: as many machines at once as cores, as `kernelkit faults` runs them.
      const parallel = os.availableParallelism();
      // The quick lab breaks the two extremes only; the full lab every preset.
      const faultPresets = opts.quick ? presets.filter((p) => ['monolithic', 'microkernel'].includes(p)) : presets;
      const faults = nFaults === 0 || faultPresets.length === 0 ? undefined : {
        presets: faultPresets, components: ['blk', 'vfs'], types: opts.quick ? ['crash', 'wild-write'] : [...FAULT_TYPES], n: nFaults, seed, parallel,
      };
      const ns = opts.quick ? NET_SIZES.quick : NET_SIZES.full;
      const net = opts.net ? { runs: ns.runs, bytes: ns.mib * 1048576, transfers: ns.transfers, frames: ns.frames, rrRounds: ns.rr, lossRates: [...ns.lossRates], lossBytes: ns.lossKib * 1024 } : undefined;
      // C14: nic and net crashes during transfers where they are placed apart from the kernel.
      const netPresets = presets.filter((p) => ['microkernel', 'hybrid'].includes(p));
      const netFaults = !opts.net || nFaults === 0 || netPresets.length === 0 ? undefined : {
        presets: netPresets, components: ['nic', 'net'], types: ['crash'], n: opts.quick ? 2 : Math.max(3, nFaults), seed, parallel,
      };
      let address: ReturnType<typeof parseQueueUrl> | undefined;
      if (opts.queue !== undefined) { try { address = parseQueueUrl(opts.queue); } catch (e) { throw new UsageError((e as Error).message); } }
      const failedJobs: string[] = [];
      const remote = address === undefined ? undefined : {
        where: `the workers of ${opts.queue!}`,
        boots: (boots: Parameters<typeof runQueuedLabBoots>[2], onDone: (done: number) => void) => runQueuedLabBoots(address!, seed, boots, { onProgress: (done) => onDone(done) }),
        faults: async (f: Parameters<typeof runQueuedCampaign>[1]) => {
          const q = await runQueuedCampaign(address!, f);
          failedJobs.push(...q.failed.map((j) => `${j.id}: ${j.reason}`));
          return { cells: mergeJobs(q.results), storage: storageOf(f) };
        },
      };
      // Over the queue the sweep runs for long: its progress shows on stderr even with --json.
      const bar = progress(opts.json && remote === undefined);
      let r: LabResult;
      try {
        // An unreachable Redis is said at once, not after the references are measured.
        if (address !== undefined) await reach(address);
        r = await runLab({ presets, workloads, transports, runs, quick: opts.quick, seed, faults, ...(netFaults !== undefined ? { netFaults } : {}), native: opts.native, ext: opts.ext, ...(net !== undefined ? { net } : {}), onProgress: bar.update, ...(remote !== undefined ? { remote } : {}) });
      } catch (e) {
        if (!(e instanceof RedisUnreachable)) throw e;
        process.stderr.write(`kernelkit: --queue ${opts.queue!}: ${e.message}\n`);
        status.set(1);
        return;
      } finally { bar.stop(); }
      fs.mkdirSync(opts.out, { recursive: true });
      fs.writeFileSync(path.join(opts.out, 'results.json'), JSON.stringify(r, null, 2) + '\n');
      fs.writeFileSync(path.join(opts.out, 'report.html'), renderReport(r));
      if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
      else { printLab(r); process.stdout.write(`\nwrote ${path.join(opts.out, 'results.json')} and ${path.join(opts.out, 'report.html')}\n`); }
      for (const f of failedJobs) process.stderr.write(`kernelkit: fault-campaign job failed every try, left out of the table: ${f}\n`);
      status.set(failedJobs.length > 0 ? 1 : 0);
    });
}

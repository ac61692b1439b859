// `kernelkit lab` (every workload on every preset x transport, faults, TCB, report)
// and `kernelkit faults` (fault campaigns on their own). See src/lab/ and docs/lab.md.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { UsageError, type StatusSink } from '../usage.js';
import { parseList, parseTransports, parsePositiveInt } from './bench.js';
import { runLab, type LabResult } from '../../lab/lab.js';
import { runFaultCampaign, abandonedMachines, FAULT_COMPONENTS, FAULT_TYPES, type FaultCell } from '../../lab/faults.js';
import { machineInfo } from '../../lab/machine-info.js';
import { presetNames } from '../../lab/boot.js';
import { WORKLOAD_NAMES } from '../../lab/workloads.js';
import { renderReport } from '../../lab/report.js';
import { judgeClaims, judgeTargets } from '../../lab/claims.js';
import { table } from '../../lab/table.js';

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

function parseSeed(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--seed needs an integer in [0, 2^32), not '${value}'`);
  return n;
}

function faultTable(cells: FaultCell[]): string {
  return table(['preset', 'component', 'type', 'injected', 'survived%', 'completed%', 'rec p50 ms', 'rec p99 ms', 'failed', 'lost', 'corrupt', 'volatile', 'panics', 'stuck'],
    cells.map((c) => [c.preset, c.component, c.type, c.injected, c.survived_pct, c.completed_pct, c.recovery_ms_p50 ?? NaN, c.recovery_ms_p99 ?? NaN, c.failed_requests, c.data_lost, c.corruption_caught, c.volatile_lost, c.panics, c.stuck]));
}

/** Machines the campaign gave up on still hold threads (runMachine has no abort): end the process. */
function exitIfAbandoned(status: number): void {
  if (abandonedMachines() === 0) return;
  process.stderr.write(`kernelkit: ${abandonedMachines()} machine(s) stopped answering and were abandoned; exiting\n`);
  process.exit(status);
}

function printLab(r: LabResult): void {
  const w = (s: string): void => { process.stdout.write(s); };
  const m = r.machine;
  w(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, Node ${m.node}, load ${m.loadavg_1m} at start; ${r.run.seconds} s\n`);
  w(`reference: raw spin round trip ${r.reference.spin_rt_ns} ns; direct channels: ${Object.entries(r.reference.ipc_rt_ns).map(([k, v]) => `${k} ${v} ns`).join(', ')}\n\n`);
  const cols = [...new Set(r.results.map((x) => (x.ipc === 'none' ? x.preset : `${x.preset}/${x.ipc}`)))];
  const cellOf = (wl: string, c: string) => r.results.find((x) => x.workload === wl && (x.ipc === 'none' ? x.preset : `${x.preset}/${x.ipc}`) === c);
  w('median µs per operation (ratio to monolithic)\n');
  w(table(['workload', ...cols], r.run.workloads.map((wl) => [wl, ...cols.map((c) => { const x = cellOf(wl, c); return x === undefined ? '-' : `${x.median_us} (${x.ratio_to_monolithic}x)`; })])));
  w('\np99 µs per operation\n');
  w(table(['workload', ...cols], r.run.workloads.map((wl) => [wl, ...cols.map((c) => cellOf(wl, c)?.p99_us ?? NaN)])));
  const tp = r.run.workloads.filter((wl) => r.results.some((x) => x.workload === wl && x.throughput !== null));
  if (tp.length > 0) {
    w('\nthroughput\n');
    w(table(['workload', ...cols], tp.map((wl) => [wl, ...cols.map((c) => { const t = cellOf(wl, c)?.throughput; return t == null ? '-' : `${t.value} ${t.unit}`; })])));
  }
  if (r.faults.length > 0) { w('\nfaults\n'); w(faultTable(r.faults)); }
  w('\ntrusted computing base (lines)\n');
  w(table(['preset', 'kernel domain', 'total'], r.tcb.map((t) => [t.preset, t.kernel_loc, t.total_loc])));
  w('\nthe claims, tested\n');
  for (const c of judgeClaims(r)) w(`  ${c.id} ${c.verdict.padEnd(10)} ${c.measured}\n`);
  for (const t of judgeTargets(r)) w(`  target ${t.verdict.padEnd(10)} ${t.target}: ${t.measured}\n`);
}

export function register(program: Command, status: StatusSink): void {
  program.command('lab')
    .description('measure every preset x transport side by side, run a fault campaign, count the TCB, write results.json and report.html')
    .option('--presets <list>', 'presets, comma-separated (default: all)')
    .option('--workloads <list>', `workloads: ${WORKLOAD_NAMES.join(',')} (default: all)`)
    .option('--ipc <list>', 'transports: shm,mach,postmessage (default: shm,postmessage)')
    .option('--runs <n>', 'boots per preset x transport (figures combine across runs)', '1')
    .option('--quick', 'fewer iterations and a small fault campaign: under a minute', false)
    .option('--seed <n>', 'seed for the order of boots and the fault schedule', '1')
    .option('--faults <n>', 'faults per preset x component x type in the lab campaign (0: none)')
    .option('--out <dir>', 'where results.json and report.html go', 'lab-out')
    .option('--json', 'print the results as one JSON object on stdout', false)
    .action(async (opts: { presets?: string; workloads?: string; ipc?: string; runs: string; quick: boolean; seed: string; faults?: string; out: string; json: boolean }) => {
      const presets = opts.presets === undefined ? presetNames() : parseList(opts.presets, presetNames(), 'preset');
      const workloads = opts.workloads === undefined ? WORKLOAD_NAMES : parseList(opts.workloads, WORKLOAD_NAMES, 'workload');
      const transports = parseTransports(opts.ipc);
      const runs = parsePositiveInt(opts.runs, '--runs');
      const seed = parseSeed(opts.seed);
      const nFaults = opts.faults === undefined ? (opts.quick ? 1 : 3) : Number(opts.faults);
      if (!Number.isInteger(nFaults) || nFaults < 0) throw new UsageError(`--faults needs a non-negative integer, not '${opts.faults}'`);
      // The quick lab breaks the two extremes only; the full lab every preset.
      const faultPresets = opts.quick ? presets.filter((p) => ['monolithic', 'microkernel'].includes(p)) : presets;
      const faults = nFaults === 0 || faultPresets.length === 0 ? undefined : {
        presets: faultPresets, components: ['blk', 'vfs'], types: opts.quick ? ['crash', 'wild-write'] : [...FAULT_TYPES], n: nFaults, seed,
      };
      const bar = progress(opts.json);
      let r: LabResult;
      try {
        r = await runLab({ presets, workloads, transports, runs, quick: opts.quick, seed, faults, onProgress: bar.update });
      } finally { bar.stop(); }
      fs.mkdirSync(opts.out, { recursive: true });
      fs.writeFileSync(path.join(opts.out, 'results.json'), JSON.stringify(r, null, 2) + '\n');
      fs.writeFileSync(path.join(opts.out, 'report.html'), renderReport(r));
      if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
      else { printLab(r); process.stdout.write(`\nwrote ${path.join(opts.out, 'results.json')} and ${path.join(opts.out, 'report.html')}\n`); }
      status.set(0);
      exitIfAbandoned(0);
    });

  program.command('faults')
    .description('fault campaign: a checksumming workload while N faults are injected at seeded random moments')
    .option('--presets <list>', 'presets, comma-separated (default: all)')
    .option('--components <list>', `components: ${FAULT_COMPONENTS.join(',')} (default: blk,vfs)`)
    .option('--types <list>', `fault types: ${FAULT_TYPES.join(',')} (default: all)`)
    .option('-n, --count <n>', 'faults per preset x component x type', '10')
    .option('--seed <n>', 'seed of the fault schedule', '1')
    .option('--ipc <transport>', 'transport for presets with user-domain components (default: the preset\'s)')
    .option('--disk', 'keep the durable data in files on an ext2 root disk (default: raw blocks on /dev/blk0 under a ramfs root)', false)
    .option('--json', 'print one JSON object', false)
    .action(async (opts: { presets?: string; components?: string; types?: string; count: string; seed: string; ipc?: string; disk: boolean; json: boolean }) => {
      const presets = opts.presets === undefined ? presetNames() : parseList(opts.presets, presetNames(), 'preset');
      const components = opts.components === undefined ? ['blk', 'vfs'] : parseList(opts.components, FAULT_COMPONENTS, 'component');
      const types = opts.types === undefined ? [...FAULT_TYPES] : parseList(opts.types, FAULT_TYPES, 'type');
      const n = parsePositiveInt(opts.count, '-n');
      const seed = parseSeed(opts.seed);
      const ipc = opts.ipc === undefined ? undefined : parseTransports(opts.ipc);
      if (ipc !== undefined && ipc.length !== 1) throw new UsageError('--ipc takes one transport here');
      const machine = machineInfo();
      const r = await runFaultCampaign({ presets, components, types, n, seed, ipc: ipc?.[0], disk: opts.disk, onProgress: opts.json ? undefined : (w) => process.stderr.write(`${w}\n`) });
      if (opts.json) process.stdout.write(JSON.stringify({ machine, seed, cells: r.cells, storage: r.storage }) + '\n');
      else {
        process.stdout.write(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; seed ${seed}\n${r.storage}\n\n`);
        process.stdout.write(faultTable(r.cells));
      }
      status.set(0);
      exitIfAbandoned(0);
    });
}

// `kernelkit lab`: every workload on every preset x transport, each figure beside the
// monolithic preset's measured in the same session; the physical references; a fault
// campaign; the TCB count. Produces the object that results.json and report.html are
// made from (report.ts).

import { machineInfo, type MachineInfo } from './machine-info.js';
import { spinRoundTrip, ringRoundTrip, portRoundTrip } from './reference.js';
import { cells, runKbench, type Transport, type KbenchLine } from './boot.js';
import { WORKLOADS } from './workloads.js';
import { rng, shuffle } from './seed.js';
import { round } from './stats.js';
import { runFaultCampaign, type FaultCell, type FaultCampaignOptions } from './faults.js';
import { countTcb, type TcbRow } from './tcb.js';

export interface LabRow {
  preset: string;
  /** 'shm' | 'postmessage', or 'none' for a preset with nothing in the user domain. */
  ipc: string;
  workload: string;
  median_us: number;
  p99_us: number;
  throughput: { value: number; unit: string } | null;
  ratio_to_monolithic: number;
  runs: number;
  samples: number;
}

export interface LabResult {
  machine: MachineInfo;
  results: LabRow[];
  reference: { spin_rt_ns: number; ipc_rt_ns: { shm?: number; postmessage?: number } };
  faults: FaultCell[];
  tcb: TcbRow[];
  /** How this run was made (options, seed, fault-campaign storage, durations). */
  run: { presets: string[]; workloads: string[]; ipc: string[]; runs: number; quick: boolean; seed: number; scale: number; seconds: number; faults_note: string };
}

export interface LabOptions {
  presets: string[];
  workloads: string[];
  transports: Transport[];
  runs: number;
  quick: boolean;
  seed: number;
  faults: FaultCampaignOptions | undefined;
  onProgress?: (step: string, done: number, total: number) => void;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };

export async function runLab(o: LabOptions): Promise<LabResult> {
  const started = performance.now();
  const machine = machineInfo();
  const scale = o.quick ? 0.15 : 1;
  const random = rng(o.seed);
  // Monolithic is the baseline of every ratio: always measured.
  const presets = o.presets.includes('monolithic') ? o.presets : ['monolithic', ...o.presets];
  const plan = cells(presets, o.transports);
  const boots = shuffle(Array.from({ length: o.runs }, () => plan).flat(), random);
  const faultSteps = o.faults === undefined ? 0 : 1;
  const total = 2 + boots.length + faultSteps + 1;
  let done = 0;
  const step = (what: string): void => { o.onProgress?.(what, done, total); };

  step('reference: raw spin round trip');
  const spin = await spinRoundTrip(Math.round(200000 * scale));
  done++;
  step('reference: direct channel round trips');
  const ipcRef: { shm?: number; postmessage?: number } = {};
  if (o.transports.includes('shm')) ipcRef.shm = Math.round((await ringRoundTrip(Math.round(20000 * scale))).median);
  if (o.transports.includes('postmessage')) ipcRef.postmessage = Math.round((await portRoundTrip(Math.round(5000 * scale))).median);
  done++;

  const kbenchNames = o.workloads.map((w) => WORKLOADS.find((x) => x.name === w)!.kbench);
  const collected = new Map<string, KbenchLine[]>();
  for (const c of boots) {
    step(`${c.preset} (${c.ipc}): ${o.workloads.join(', ')}`);
    const lines = await runKbench(c.preset, c.ipc, kbenchNames, scale);
    for (const l of lines) {
      const key = `${c.preset}|${c.ipc}|${l.workload}`;
      if (l.error !== undefined) throw new Error(`workload ${l.workload} failed on ${c.preset}/${c.ipc}: ${l.error}`);
      collected.set(key, [...(collected.get(key) ?? []), l]);
    }
    done++;
  }

  // Runs combine as: median of the runs' medians, the largest of their p99s.
  const rows: LabRow[] = [];
  for (const c of plan) {
    for (const w of o.workloads) {
      const kb = WORKLOADS.find((x) => x.name === w)!.kbench;
      const runs = collected.get(`${c.preset}|${c.ipc}|${kb}`) ?? [];
      if (runs.length === 0) throw new Error(`no result for ${w} on ${c.preset}/${c.ipc}`);
      const tp = runs[0]!.unit !== undefined ? { value: round(median(runs.map((r) => r.throughput ?? NaN))), unit: runs[0]!.unit } : null;
      rows.push({
        preset: c.preset, ipc: c.ipc === 'direct' ? 'none' : c.ipc, workload: w,
        median_us: round(median(runs.map((r) => r.median_ns)) / 1000, 3), p99_us: round(Math.max(...runs.map((r) => r.p99_ns)) / 1000, 3),
        throughput: tp, ratio_to_monolithic: NaN, runs: runs.length, samples: runs.reduce((a, r) => a + r.n, 0),
      });
    }
  }
  for (const r of rows) {
    const base = rows.find((x) => x.preset === 'monolithic' && x.workload === r.workload)!;
    r.ratio_to_monolithic = round(r.median_us / base.median_us, 2);
  }
  const results = rows.filter((r) => o.presets.includes(r.preset));

  let faults: FaultCell[] = [];
  let faultsNote = 'no fault campaign in this run';
  if (o.faults !== undefined) {
    step('fault campaign');
    const f = await runFaultCampaign(o.faults);
    faults = f.cells;
    faultsNote = f.storage;
    done++;
  }
  step('trusted computing base');
  const tcb = countTcb(o.presets);
  done++;
  o.onProgress?.('done', done, total);
  return {
    machine, results, reference: { spin_rt_ns: Math.round(spin.median), ipc_rt_ns: ipcRef }, faults, tcb,
    run: { presets: o.presets, workloads: o.workloads, ipc: o.transports, runs: o.runs, quick: o.quick, seed: o.seed, scale, seconds: round((performance.now() - started) / 1000, 1), faults_note: faultsNote },
  };
}

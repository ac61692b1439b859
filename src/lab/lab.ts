// `kernelkit lab`: every workload on every preset x transport and on the host OS
// itself (native), each figure beside the monolithic preset's measured in the same
// session; the physical references; a fault campaign; the TCB count; the claims
// judged from intervals. Produces the object that results.json and report.html are
// made from (report.ts).
//
// Method (docs/lab.md): every cell is measured in `runs` boots, interleaved in rounds
// (each round visits every cell once, in a seeded order), so drift on the host hits
// every preset alike; a figure is the median over all runs' samples with a
// hierarchical bootstrap 95% interval (bootstrap.ts); ratios carry intervals too.

import { measureC8, probeC9 } from './ext-probe.js';
import type { C8Input, C9Probe } from './ext-claims.js';
import { machineInfo, type MachineInfo } from './machine-info.js';
import { spinRoundTrip, channelReference, portRoundTrip } from './reference.js';
import { cells, runKbench, NotMeasured, unsupportedTransport, type Transport, type KbenchLine } from './boot.js';
import { WORKLOADS } from './workloads.js';
import { rng, shuffle } from './seed.js';
import { round, quantile, significant } from './stats.js';
import { bootstrapMedian, ratio, type Bootstrapped } from './bootstrap.js';
import { buildNative, runNative } from './native.js';
import { runFaultCampaign, type FaultCell, type FaultCampaignOptions } from './faults.js';
import { countTcb, type TcbRow } from './tcb.js';
import { judgeClaims, judgeTargets, type ClaimVerdict, type TargetVerdict, type GadgetProbe } from './claims.js';
import { probeUsbGadget } from './gadget.js';
import { benchNet, type NetRow, type NetGoal, type LatencyRow, type LossRow } from './bench-net.js';

export interface LabRow {
  /** A preset, or 'native' for the host OS itself. */
  preset: string;
  /** 'shm' | 'postmessage' | 'mach', or 'none' (no user domain, or native). */
  ipc: string;
  workload: string;
  /** Median over every run's samples pooled; null when not measured. */
  median_us: number | null;
  /** The bootstrap 95% interval of the median (runs, then samples, resampled). */
  ci95_low_us: number | null;
  ci95_high_us: number | null;
  /** Nearest-rank p99 over the pooled samples (the maximum when there are fewer than 100). */
  p99_us: number | null;
  /** The spread of the samples: their 25th and 75th percentiles. */
  p25_us: number | null;
  p75_us: number | null;
  /** Each run's own median, in run order: how far runs disagree. */
  run_medians_us: number[];
  throughput: { value: number; unit: string; ci95_low: number; ci95_high: number } | null;
  ratio_to_monolithic: number | null;
  ratio_ci95_low: number | null;
  ratio_ci95_high: number | null;
  runs: number;
  /** Operations timed, over all runs. */
  samples: number;
  /** Why the cell has no figures ("not measured: ...") or lacks some runs. */
  note?: string;
  /** Boots of this cell that panicked before measuring anything and were made again. */
  retried?: string;
}

export interface LabResult {
  machine: MachineInfo;
  results: LabRow[];
  reference: { spin_rt_ns: number; spin_rt_p99_ns: number; ipc_rt_ns: { shm?: number; postmessage?: number }; ipc_rt_p99_ns: { shm?: number; postmessage?: number } };
  faults: FaultCell[];
  tcb: TcbRow[];
  /** How this run was made (options, seed, fault-campaign storage, durations). */
  run: {
    presets: string[]; workloads: string[]; ipc: string[]; runs: number; quick: boolean; seed: number; scale: number; seconds: number; faults_note: string;
    /** The load average (1 min) at the start and at the end of the run. */
    loadavg_start: number; loadavg_end: number;
    native: string; bootstrap_replicates: number;
    /** With `lab --queue`: where the timing boots and the fault campaign ran. */
    queue?: string;
  };
  claims: ClaimVerdict[];
  targets: TargetVerdict[];
  /** The network section (bench-net.ts): TCP throughput per preset and path, Linux's loopback, the C7 bridge. */
  net?: LabNet;
  /** Safe code in the kernel (C8, C9): bench ext's driver rows and the hostile-code probe, shown side by side in the report. */
  ext?: { c8: C8Input; c9: C9Probe };
}

export interface LabNet {
  rows: NetRow[];
  goals: NetGoal[];
  /** Request/response round trips per preset and path (bench-net.ts LatencyRow); empty with rrRounds 0. */
  latency: LatencyRow[];
  /** One transfer per preset and drop probability over a lossy cable (bench-net.ts LossRow); empty with no lossRates. */
  lossy: LossRow[];
  options: LabNetOptions;
  seconds: number;
}

/**
 * The sizes of the lab's network section; rrRounds: round trips per boot of each guest
 * pair (0: none); lossRates: drop probabilities of the lossy transfers, one of lossBytes
 * per preset and rate (none: no lossy rows).
 */
export interface LabNetOptions { runs: number; bytes: number; transfers: number; frames: number; rrRounds: number; lossRates: number[]; lossBytes: number }

export interface LabOptions {
  presets: string[];
  workloads: string[];
  transports: Transport[];
  runs: number;
  quick: boolean;
  seed: number;
  faults: FaultCampaignOptions | undefined;
  /** The network section's sizes; undefined leaves it out. */
  net?: LabNetOptions;
  /** The network fault campaign C14 is judged on (nic and net crashes during transfers), run after `faults`. */
  netFaults?: FaultCampaignOptions;
  /** Measure the host OS too (default true). */
  native?: boolean;
  /** Measure C8 and C9 (bench ext's driver part, the hostile eBPF set and the extbug modules; default true). */
  ext?: boolean;
  onProgress?: (step: string, done: number, total: number) => void;
  /**
   * Runs the timing boots and the fault campaign elsewhere (`lab --queue`: on queue
   * workers, campaign-queue.ts) instead of one after the other on this host. Results
   * come back in the order of `boots`.
   */
  remote?: {
    boots: (boots: LabBoot[], onDone: (done: number) => void) => Promise<LabBootResult[]>;
    faults: (o: FaultCampaignOptions) => Promise<{ cells: FaultCell[]; storage: string }>;
    /** Says where the work ran, for `run.queue`. */
    where: string;
  };
}

/** One timing boot: round `round`'s visit to a cell, running `workloads` (the lab's names). */
export interface LabBoot { round: number; preset: string; ipc: Transport | 'direct' | 'native'; workloads: string[]; scale: number; keep: number }

/** What a timing boot measured: kbench's lines, or why it measured nothing. */
export interface LabBootResult {
  lines: KbenchLine[];
  /** Set when a first boot measured nothing and it was booted again: why. */
  retried?: string;
  /** "not measured: ..." when the cell could not be measured in this boot. */
  failure?: string;
}

let nativeBuild: ReturnType<typeof buildNative> | undefined;

/**
 * Runs one timing boot on this host: kbench in a fresh machine (booted once more if
 * the first boot panicked before kbench ran: on a crowded host a server can die while
 * starting), or the native programs for the host OS's cell.
 */
export async function runLabBoot(b: LabBoot): Promise<LabBootResult> {
  const measure = async (): Promise<KbenchLine[]> => {
    if (b.ipc !== 'native') return runKbench(b.preset, b.ipc, b.workloads.map((w) => WORKLOADS.find((x) => x.name === w)!.kbench), b.scale, b.keep);
    nativeBuild ??= buildNative();
    if (!nativeBuild.ok) throw new NotMeasured(nativeBuild.reason);
    return runNative(nativeBuild, b.workloads, b.scale, b.keep);
  };
  let retried: string | undefined;
  try {
    try { return { lines: await measure() }; } catch (e) {
      if (!(e instanceof NotMeasured) || b.ipc === 'native' || unsupportedTransport(b.ipc as Transport) !== undefined) throw e;
      retried = `run ${b.round + 1}: ${e.message.replace(/^not measured: /, '')}`;
      return { lines: await measure(), retried };
    }
  } catch (e) {
    if (!(e instanceof NotMeasured)) throw e;
    return { lines: [], failure: e.message, ...(retried !== undefined ? { retried } : {}) };
  }
}

/** Samples each kbench line keeps for the bootstrap. */
const KEEP = 2000;
const REPLICATES = 1000;

type Cell = { preset: string; ipc: Transport | 'direct' | 'native' };
const cellKey = (c: Cell): string => `${c.preset}|${c.ipc}`;
const ipcLabel = (ipc: Cell['ipc']): string => (ipc === 'direct' || ipc === 'native' ? 'none' : ipc);
const us = (ns: number, digits = 3): number | null => (Number.isFinite(ns) ? round(ns / 1000, digits) : null);

export async function runLab(o: LabOptions): Promise<LabResult> {
  const started = performance.now();
  const machine = machineInfo();
  const scale = o.quick ? 0.15 : 1;
  const random = rng(o.seed);
  // Monolithic is the baseline of every ratio: always measured.
  const presets = o.presets.includes('monolithic') ? o.presets : ['monolithic', ...o.presets];
  const nativeOff = { ok: false as const, reason: 'not measured: left out of this run' };
  // Over the queue the workers build and run the native programs; here, this host.
  const native = o.native === false ? nativeOff : o.remote !== undefined ? undefined : (nativeBuild ??= buildNative());
  const plan: Cell[] = [...cells(presets, o.transports), { preset: 'native', ipc: 'native' }];
  const rounds = Array.from({ length: o.runs }, () => shuffle(plan, random));
  const faultSteps = (o.faults === undefined ? 0 : 1) + (o.netFaults === undefined ? 0 : 1);
  const total = 2 + rounds.length * plan.length + (o.net === undefined ? 0 : 1) + faultSteps + 2 + (o.ext === false ? 0 : 2);
  let done = 0;
  const step = (what: string): void => { o.onProgress?.(what, done, total); };

  step('reference: raw spin round trip');
  const spin = await spinRoundTrip(Math.round(200000 * scale));
  done++;
  step('reference: direct channel round trips');
  const ipcRef: LabResult['reference']['ipc_rt_ns'] = {}, ipcP99: LabResult['reference']['ipc_rt_p99_ns'] = {};
  if (o.transports.includes('shm')) { const s = await channelReference(Math.max(2000, Math.round(20000 * scale))); ipcRef.shm = Math.round(s.median); ipcP99.shm = Math.round(s.p99); }
  if (o.transports.includes('postmessage')) { const s = await portRoundTrip(Math.max(1000, Math.round(5000 * scale))); ipcRef.postmessage = Math.round(s.median); ipcP99.postmessage = Math.round(s.p99); }
  done++;

  // Per cell and kbench workload: the lines of each run; per cell: why runs failed.
  const collected = new Map<string, KbenchLine[]>();
  const failures = new Map<string, string[]>();
  const fail = (c: Cell, why: string): void => { failures.set(cellKey(c), [...(failures.get(cellKey(c)) ?? []), why]); };
  const retried = new Map<string, string[]>();
  const visits: LabBoot[] = rounds.flatMap((round_, r) => round_.map((c) => ({ round: r, preset: c.preset, ipc: c.ipc, workloads: o.workloads, scale, keep: KEEP })));
  const bootStep = (b: LabBoot): string => `run ${b.round + 1}/${o.runs}: ${b.preset}${b.ipc === 'direct' || b.ipc === 'native' ? '' : ` (${b.ipc})`}`;
  // The native cell left out: not measured, without a boot.
  const skipped = (b: LabBoot): boolean => b.ipc === 'native' && o.native === false;
  const measured: LabBootResult[] = visits.map(() => ({ lines: [], failure: nativeOff.reason }));
  if (o.remote !== undefined) {
    const first = done;
    const sent = visits.flatMap((b, i) => (skipped(b) ? [] : [i]));
    step(`timing boots on ${o.remote.where}`);
    const got = await o.remote.boots(sent.map((i) => visits[i]!), (n) => { done = first + n; step(`timing boots on ${o.remote!.where}`); });
    for (const [k, i] of sent.entries()) measured[i] = got[k]!;
    done = first + visits.length;
  } else {
    for (const [i, b] of visits.entries()) {
      step(bootStep(b));
      if (!skipped(b)) measured[i] = await runLabBoot(b);
      done++;
    }
  }
  for (const [i, b] of visits.entries()) {
    const c: Cell = { preset: b.preset, ipc: b.ipc };
    const m = measured[i]!;
    if (m.retried !== undefined) retried.set(cellKey(c), [...(retried.get(cellKey(c)) ?? []), m.retried]);
    if (m.failure !== undefined) fail(c, m.failure);
    for (const l of m.lines) {
      if (l.error !== undefined) {
        // Inside kernelkit a failing workload is a bug the lab must not hide.
        if (c.ipc !== 'native') throw new Error(`workload ${l.workload} failed on ${c.preset}/${c.ipc}: ${l.error}`);
        fail(c, `not measured: ${l.workload}: ${l.error}`);
        continue;
      }
      const key = `${cellKey(c)}|${l.workload}`;
      collected.set(key, [...(collected.get(key) ?? []), l]);
    }
  }

  // Rows, each with its bootstrap; the replicates stay here (claims need them).
  const boots = new Map<LabRow, { time: Bootstrapped; ratio?: Bootstrapped }>();
  const rows: LabRow[] = [];
  for (const c of plan) {
    for (const w of o.workloads) {
      const kb = c.ipc === 'native' ? w : WORKLOADS.find((x) => x.name === w)!.kbench;
      const runs = collected.get(`${cellKey(c)}|${kb}`) ?? [];
      const row: LabRow = {
        preset: c.preset, ipc: ipcLabel(c.ipc), workload: w, median_us: null, ci95_low_us: null, ci95_high_us: null, p99_us: null, p25_us: null, p75_us: null,
        run_medians_us: runs.map((l) => us(l.median_ns) ?? NaN), throughput: null, ratio_to_monolithic: null, ratio_ci95_low: null, ratio_ci95_high: null,
        runs: runs.length, samples: runs.reduce((a, l) => a + l.n, 0),
      };
      rows.push(row);
      if (runs.length === 0) { row.note = failures.get(cellKey(c))?.[0] ?? 'not measured'; continue; }
      const per = runs.map((l) => l.samples ?? [l.median_ns]);
      const b = bootstrapMedian(per, random, REPLICATES);
      const pooled = Float64Array.from(per.flat()).sort();
      Object.assign(row, {
        median_us: us(b.point), ci95_low_us: us(b.low), ci95_high_us: us(b.high),
        p99_us: us(quantile(pooled, 0.99)), p25_us: us(quantile(pooled, 0.25)), p75_us: us(quantile(pooled, 0.75)),
      });
      const first = runs[0]!;
      if (first.unit !== undefined && first.throughput !== undefined) {
        // kbench's throughput is (bytes moved) / median time: the same bytes over the pooled figures.
        const work = first.throughput * first.median_ns;
        row.throughput = { value: round(work / b.point), unit: first.unit, ci95_low: round(work / b.high), ci95_high: round(work / b.low) };
      }
      if (runs.length < o.runs) row.note = `${o.runs - runs.length} of ${o.runs} runs failed: ${failures.get(cellKey(c))?.[0] ?? ''}`;
      const again = retried.get(cellKey(c));
      if (again !== undefined) row.retried = `booted again after a boot that measured nothing: ${again.join('; ')}`;
      boots.set(row, { time: b });
    }
  }
  for (const r of rows) {
    const base = rows.find((x) => x.preset === 'monolithic' && x.workload === r.workload);
    const mine = boots.get(r), theirs = base === undefined ? undefined : boots.get(base);
    if (mine === undefined || theirs === undefined) continue;
    const q = r === base ? { ...mine.time, point: 1, low: 1, high: 1, replicates: new Float64Array(mine.time.replicates.length).fill(1) } : ratio(mine.time, theirs.time);
    mine.ratio = q;
    Object.assign(r, { ratio_to_monolithic: significant(q.point), ratio_ci95_low: significant(q.low), ratio_ci95_high: significant(q.high) });
  }
  const listed = new Set([...o.presets, 'native']);
  const results = rows.filter((r) => listed.has(r.preset));

  let net: LabNet | undefined;
  if (o.net !== undefined) {
    step('network: TCP guest <-> guest, loopback, Linux loopback, the C7 bridge, round trips, lossy transfers');
    const n = await benchNet({ presets: o.presets, seed: o.seed, ...o.net, noLinux: o.native === false });
    net = { rows: n.rows, goals: n.goals, latency: n.latency, lossy: n.lossy, options: o.net, seconds: n.seconds };
    done++;
  }

  let faults: FaultCell[] = [];
  let faultsNote = 'no fault campaign in this run';
  if (o.faults !== undefined) {
    step('fault campaign');
    const f = o.remote !== undefined ? await o.remote.faults(o.faults) : await runFaultCampaign(o.faults);
    faults = f.cells;
    faultsNote = f.storage;
    done++;
  }
  if (o.netFaults !== undefined) {
    step('C14: nic and net crashes during transfers');
    const f = o.remote !== undefined ? await o.remote.faults(o.netFaults) : await runFaultCampaign(o.netFaults);
    faults = [...faults, ...f.cells];
    faultsNote = o.faults === undefined ? f.storage : `${faultsNote}; C14 cells (nic, net): ${f.storage.replace(/^acknowledged data: /, '')}`;
    done++;
  }
  step('C13: a dubious driver and the block device');
  const gadget: GadgetProbe = await probeUsbGadget();
  done++;
  let ext: { c8: C8Input; c9: C9Probe } | undefined;
  if (o.ext !== false) {
    step('C8: bench ext, the block driver in each domain');
    const c8 = await measureC8(o.quick, (what) => step(`C8: ${what}`));
    done++;
    step('C9: hostile eBPF and the same bugs as kernel modules');
    const c9 = await probeC9(o.presets, (what) => step(what));
    done++;
    ext = { c8, c9 };
  }
  step('trusted computing base');
  const tcb = countTcb(o.presets);
  done++;
  o.onProgress?.('done', done, total);
  const ratioOf = (preset: string, ipc: string, workload: string): Bootstrapped | undefined => {
    const row = rows.find((x) => x.preset === preset && x.ipc === ipc && x.workload === workload);
    return row === undefined ? undefined : boots.get(row)?.ratio;
  };
  const partial = {
    machine, results,
    reference: { spin_rt_ns: Math.round(spin.median), spin_rt_p99_ns: Math.round(spin.p99), ipc_rt_ns: ipcRef, ipc_rt_p99_ns: ipcP99 },
    faults, tcb,
    ...(net === undefined ? {} : { net }),
    run: {
      presets: o.presets, workloads: o.workloads, ipc: o.transports, runs: o.runs, quick: o.quick, seed: o.seed, scale,
      seconds: round((performance.now() - started) / 1000, 1), faults_note: faultsNote,
      loadavg_start: machine.loadavg_1m, loadavg_end: machineInfo().loadavg_1m,
      native: native !== undefined ? (native.ok ? `measured: nbench built with ${native.compiler}` : native.reason)
        : measured.some((m, i) => visits[i]!.ipc === 'native' && m.failure === undefined) ? 'measured: nbench built on the queue\'s workers'
        : measured.find((m, i) => visits[i]!.ipc === 'native')?.failure ?? 'not measured',
      bootstrap_replicates: REPLICATES,
      ...(o.remote !== undefined ? { queue: o.remote.where } : {}),
    },
  };
  return { ...partial, ...(ext === undefined ? {} : { ext }), claims: judgeClaims({ ...partial, rows }, ratioOf, gadget, ext), targets: judgeTargets({ ...partial, rows }, ratioOf) };
}

// `kernelkit bench net` and the lab's network section: TCP throughput between two
// machines of one preset (through both stacks, both nic drivers and the device rings),
// over 127.0.0.1 inside one machine, and Linux's own loopback TCP as the reference;
// and the bridge of claim C7 (frames forwarded from eth0 to eth1 per second, the
// bridge placed as each preset places it). Machines and transfers: net-machines.ts.
//
// Method (as the lab's, docs/lab.md): `runs` rounds, each visiting every cell once in
// a seeded order; a figure is the median of every transfer's MB/s pooled, with a
// hierarchical bootstrap 95% interval (rounds, then transfers within a round); the
// slowdown against monolithic (monolithic's MB/s / this cell's; above 1 is slower)
// carries its interval from the two cells' replicates.

import { guestPair, linuxLoopback, linuxRoundTrips, bridgeMachine, blasts, lossyCable, type Transfer, type BridgeBlast, type RoundTrips } from './net-machines.js';
import { machineInfo, type MachineInfo } from './machine-info.js';
import { rng, shuffle } from './seed.js';
import { bootstrapMedian, ratio, type Bootstrapped } from './bootstrap.js';
import { round, significant, median } from './stats.js';
import { loadPreset } from '../hosts/presets.js';
import { placedDomain } from '../abi/component.js';
import { table } from './table.js';
import type { NetPath, NetRow, NetGoal } from './net-rows.js';

export type { NetPath, NetRow, NetGoal };

export interface NetBenchResult {
  machine: MachineInfo;
  options: { presets: string[]; runs: number; bytes: number; transfers: number; frames: number; seed: number };
  rows: NetRow[];
  /** The goals of the issue, checked on this run's figures. */
  goals: NetGoal[];
  /** Transfers over a cable that drops frames (lossRates), one per preset and rate (goodput from bytes and time, unrounded by the guest). */
  lossy: LossRow[];
  /** Request/response round trips (netperf's TCP_RR: one byte each way, TCP_NODELAY), per preset and path, and Linux's loopback. */
  latency: LatencyRow[];
  seconds: number;
  loadavg_start: number;
  loadavg_end: number;
}

export interface NetBenchOptions {
  presets: string[];
  runs: number;
  /** Bytes per TCP transfer. */
  bytes: number;
  /** TCP transfers per boot, and bridge blasts per boot. */
  transfers: number;
  /** Frames per bridge blast (0: no bridge rows). */
  frames: number;
  seed: number;
  /** Leave out Linux's loopback reference. */
  noLinux?: boolean;
  /** Segmentation offload on the NICs of the guest-to-guest pairs: on (default), off, or both (a row for each and their ratio). */
  offload?: 'on' | 'off' | 'both';
  /** Drop probabilities for the lossy transfers (none: no lossy rows). */
  lossRates?: number[];
  /** Bytes per lossy transfer. */
  lossBytes?: number;
  /** Request/response round trips per boot of each guest pair, after its transfers (0 or none: no latency rows). */
  rrRounds?: number;
  onProgress?: (step: string, done: number, total: number) => void;
}

/**
 * One transfer guest -> guest over a cable that drops each frame (both ways) with
 * probability `loss`: whether it completed (whole, within its time), its goodput, and
 * what the wire saw — frames dropped, the sender's data segments and how many of them
 * were retransmissions (a sequence number sent before).
 */
export interface LossRow {
  preset: string;
  loss: number;
  bytes: number;
  completed: boolean;
  goodput_MBps: number | null;
  seconds: number | null;
  dropped_frames: number;
  data_segments: number;
  retransmitted: number;
  note?: string;
}

/**
 * Round-trip latency on one path: each run (a boot of the pair) times `rounds` round
 * trips; p50_us and p99_us are the medians over the runs of each run's percentile
 * (run_p50_us lists them), so one slow boot does not make the figure.
 */
export interface LatencyRow {
  preset: string;
  path: 'guest-guest' | 'loopback';
  rounds: number;
  runs: number;
  p50_us: number | null;
  p99_us: number | null;
  run_p50_us: number[];
  /** This p50 / monolithic's on the same path (above 1 is slower). */
  p50_vs_monolithic: number | null;
}

/** Time allowed for one lossy transfer (20% loss costs TCP many timeouts). */
const LOSSY_TIMEOUT_MS = 150_000;

type Cell = { kind: 'pair'; preset: string } | { kind: 'pair-no-offload'; preset: string } | { kind: 'bridge'; preset: string } | { kind: 'linux' };

/** Boot time allowed per transfer of `bytes` on a crowded host, plus the boots. */
const timeoutFor = (bytes: number, count: number): number => 60000 + count * Math.ceil(bytes / 1e6) * 4000;

/** Bootstrapped values plus the raw figures they came from, for a row. */
interface Measured { values: number[][]; intact: boolean; notes: string[]; lost: number; frames: number[][] }

export async function benchNet(o: NetBenchOptions): Promise<NetBenchResult & { replicates: Map<NetRow, Bootstrapped> }> {
  const started = performance.now();
  const machine = machineInfo();
  const random = rng(o.seed);
  const presets = o.presets.includes('monolithic') ? o.presets : ['monolithic', ...o.presets];
  const offload = o.offload ?? 'on';
  const plan: Cell[] = [...presets.map((preset): Cell => ({ kind: 'pair', preset })), ...(offload === 'both' ? presets.map((preset): Cell => ({ kind: 'pair-no-offload', preset })) : []), ...(o.frames > 0 ? presets.map((preset): Cell => ({ kind: 'bridge', preset })) : []), ...(o.noLinux === true ? [] : [{ kind: 'linux' } as Cell])];
  const rounds = Array.from({ length: o.runs }, () => shuffle(plan, random));
  const total = rounds.length * plan.length;
  let done = 0;
  const measured = new Map<string, Measured>();
  const at = (key: string): Measured => {
    let m = measured.get(key);
    if (m === undefined) { m = { values: [], intact: true, notes: [], lost: 0, frames: [] }; measured.set(key, m); }
    return m;
  };
  const trips = new Map<string, RoundTrips[]>();
  const recordTrips = (key: string, t: RoundTrips | undefined): void => { if (t !== undefined) trips.set(key, [...(trips.get(key) ?? []), t]); };
  const rr = o.rrRounds ?? 0;
  const record = (key: string, ts: Transfer[]): void => {
    const m = at(key);
    if (ts.length > 0) m.values.push(ts.map((t) => t.MBps));
    if (ts.some((t) => !t.intact)) m.intact = false;
  };
  for (const [r, round_] of rounds.entries()) {
    for (const c of round_) {
      const name = c.kind === 'linux' ? 'linux loopback TCP' : `${c.preset} ${c.kind === 'pair' ? 'guest <-> guest and loopback' : c.kind === 'pair-no-offload' ? 'guest <-> guest without offload' : 'bridge'}`;
      o.onProgress?.(`run ${r + 1}/${o.runs}: ${name}`, done, total);
      if (c.kind === 'linux') {
        record('linux|loopback', await linuxLoopback(o.bytes, o.transfers));
        if (rr > 0) recordTrips('linux|loopback', await linuxRoundTrips(rr));
      } else if (c.kind === 'pair') {
        const p = await guestPair({ preset: c.preset, bytes: o.bytes, count: o.transfers, loopback: true, timeoutMs: timeoutFor(o.bytes, o.transfers * 2) + rr * 20, offload: offload !== 'off', rr });
        record(`${c.preset}|guest-guest`, p.guest);
        record(`${c.preset}|loopback`, p.loopback);
        recordTrips(`${c.preset}|guest-guest`, p.rr.guest);
        recordTrips(`${c.preset}|loopback`, p.rr.loopback);
        if (p.failure !== undefined) { at(`${c.preset}|guest-guest`).notes.push(p.failure); at(`${c.preset}|loopback`).notes.push(p.failure); }
      } else if (c.kind === 'pair-no-offload') {
        const p = await guestPair({ preset: c.preset, bytes: o.bytes, count: o.transfers, loopback: false, timeoutMs: timeoutFor(o.bytes, o.transfers), offload: false });
        record(`${c.preset}|guest-guest-no-offload`, p.guest);
        if (p.failure !== undefined) at(`${c.preset}|guest-guest-no-offload`).notes.push(p.failure);
      } else {
        const b = await bridgeMachine(c.preset, 60000 + o.frames * o.transfers, (ends, signal) => blasts(ends, o.frames, o.transfers, signal));
        const m = at(`${c.preset}|bridge`);
        if (b.value !== undefined) addBlasts(m, b.value);
        if (b.failure !== undefined) m.notes.push(b.failure);
      }
      done++;
    }
  }
  const lossy: LossRow[] = [];
  const lossBytes = o.lossBytes ?? 262144;
  for (const preset of presets) {
    for (const loss of o.lossRates ?? []) {
      o.onProgress?.(`lossy: ${preset}, ${loss * 100}% of frames dropped`, done, total);
      const { cables, stats } = lossyCable(loss, o.seed);
      const p = await guestPair({ preset, bytes: lossBytes, count: 1, loopback: false, timeoutMs: LOSSY_TIMEOUT_MS, cables, holdReceiver: true });
      const t = p.guest[0];
      const completed = t !== undefined && t.intact;
      lossy.push({
        preset, loss, bytes: lossBytes, completed,
        goodput_MBps: completed ? significant(t.bytes / 1e3 / t.ms) : null, seconds: completed ? round(t.ms / 1000, 2) : null,
        dropped_frames: stats.dropped, data_segments: stats.dataSegments, retransmitted: stats.retransmitted,
        ...(p.failure === undefined ? {} : { note: p.failure }),
      });
    }
  }
  o.onProgress?.('done', done, total);

  const rows: NetRow[] = [];
  const boots = new Map<NetRow, Bootstrapped>();
  const order: [string, NetPath][] = [
    ...presets.map((p): [string, NetPath] => [p, 'guest-guest']),
    ...(offload === 'both' ? presets.map((p): [string, NetPath] => [p, 'guest-guest-no-offload']) : []),
    ...presets.map((p): [string, NetPath] => [p, 'loopback']),
    ...(o.noLinux === true ? [] : [['linux', 'loopback'] as [string, NetPath]]),
    ...(o.frames > 0 ? presets.map((p): [string, NetPath] => [p, 'bridge']) : []),
  ];
  for (const [preset, path] of order) {
    const m = measured.get(`${preset}|${path}`) ?? { values: [], intact: true, notes: ['not measured'], lost: 0, frames: [] };
    const b = bootstrapMedian(m.values, random);
    const ok = Number.isFinite(b.point);
    const row: NetRow = {
      preset, path, placement: placementOf(preset, path),
      MBps: ok ? round(b.point) : null, ci95_low: ok ? round(b.low) : null, ci95_high: ok ? round(b.high) : null,
      slowdown_vs_monolithic: null, slowdown_ci95_low: null, slowdown_ci95_high: null,
      run_MBps: m.values.map((v) => round(median(v))),
      runs: m.values.length, samples: m.values.reduce((a, v) => a + v.length, 0), intact: m.intact,
    };
    if (path === 'bridge') {
      const fb = bootstrapMedian(m.frames, random);
      if (Number.isFinite(fb.point)) row.frames_per_s = { value: Math.round(fb.point), ci95_low: Math.round(fb.low), ci95_high: Math.round(fb.high) };
      row.lost_frames = m.lost;
    }
    if (m.notes.length > 0) row.note = m.values.length === 0 ? m.notes[0]! : `${m.notes.length} of ${o.runs} runs failed: ${m.notes[0]}`;
    rows.push(row);
    if (ok) boots.set(row, b);
  }
  for (const row of rows) {
    if (row.path !== 'guest-guest-no-offload') continue;
    const on = rows.find((x) => x.preset === row.preset && x.path === 'guest-guest');
    const mine = boots.get(row), theirs = on === undefined ? undefined : boots.get(on);
    if (mine === undefined || theirs === undefined) continue;
    const q = ratio(theirs, mine);
    row.offload_speedup = { value: significant(q.point), ci95_low: significant(q.low), ci95_high: significant(q.high) };
  }
  for (const row of rows) {
    if (row.preset === 'linux') continue;
    const base = rows.find((x) => x.preset === 'monolithic' && x.path === row.path);
    const mine = boots.get(row), theirs = base === undefined ? undefined : boots.get(base);
    if (mine === undefined || theirs === undefined) continue;
    const q = ratio(theirs, mine);
    Object.assign(row, { slowdown_vs_monolithic: significant(q.point), slowdown_ci95_low: significant(q.low), slowdown_ci95_high: significant(q.high) });
  }
  const listed = rows.filter((x) => x.preset === 'linux' || o.presets.includes(x.preset));
  const medianOrNull = (xs: number[]): number | null => (xs.length === 0 ? null : median(xs));
  const latency: LatencyRow[] = [];
  if (rr > 0) {
    const paths: [string, LatencyRow['path']][] = [...presets.flatMap((p): [string, LatencyRow['path']][] => [[p, 'guest-guest'], [p, 'loopback']]), ...(o.noLinux === true ? [] : [['linux', 'loopback'] as [string, LatencyRow['path']]])];
    for (const [preset, path] of paths) {
      const ts = trips.get(`${preset}|${path}`) ?? [];
      latency.push({ preset, path, rounds: rr, runs: ts.length, p50_us: medianOrNull(ts.map((t) => t.p50_us)), p99_us: medianOrNull(ts.map((t) => t.p99_us)), run_p50_us: ts.map((t) => t.p50_us), p50_vs_monolithic: null });
    }
    for (const row of latency) {
      const base = latency.find((x) => x.preset === 'monolithic' && x.path === row.path);
      if (row.preset !== 'linux' && base?.p50_us != null && row.p50_us !== null) row.p50_vs_monolithic = significant(row.p50_us / base.p50_us);
    }
  }
  return {
    machine, options: { presets: o.presets, runs: o.runs, bytes: o.bytes, transfers: o.transfers, frames: o.frames, seed: o.seed },
    rows: listed, goals: netGoals(rows, boots), lossy: lossy.filter((x) => o.presets.includes(x.preset)),
    latency: latency.filter((x) => x.preset === 'linux' || o.presets.includes(x.preset)),
    seconds: round((performance.now() - started) / 1000, 1), loadavg_start: machine.loadavg_1m, loadavg_end: machineInfo().loadavg_1m,
    replicates: boots,
  };
}

function addBlasts(m: Measured, bs: BridgeBlast[]): void {
  if (bs.length === 0) return;
  m.values.push(bs.map((b) => b.MBps));
  m.frames.push(bs.map((b) => b.framesPerS));
  for (const b of bs) { m.lost += b.lost; if (!b.intact) m.intact = false; }
}

/** Where the component that matters on `path` runs under `preset`, and its NIC drivers. */
function placementOf(preset: string, path: NetPath): string {
  if (preset === 'linux') return 'Linux kernel';
  const p = loadPreset(preset);
  const d = (name: string): string => placedDomain(p.name, p.placement, name);
  if (path === 'bridge') return `bridge ${d('bridge')}, nic ${d('nic')}, nic1 ${d('nic1')}`;
  if (path === 'loopback') return `net ${d('net')}`;
  if (path === 'guest-guest-no-offload') return `net ${d('net')}, nic ${d('nic')}, no offload`;
  return `net ${d('net')}, nic ${d('nic')}`;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The issue's goals: monolithic guest <-> guest >= 200 MB/s; microkernel within 1.5x of it. Judged on the whole 95% interval. */
export function netGoals(rows: NetRow[], boots: Map<NetRow, Bootstrapped>): NetBenchResult['goals'] {
  const mono = rows.find((x) => x.preset === 'monolithic' && x.path === 'guest-guest');
  const micro = rows.find((x) => x.preset === 'microkernel' && x.path === 'guest-guest');
  const out: NetBenchResult['goals'] = [];
  const mb = mono === undefined ? undefined : boots.get(mono);
  out.push({
    goal: 'TCP guest <-> guest with the stack in the kernel domain (monolithic) >= 200 MB/s',
    verdict: mb === undefined ? 'not tested' : mb.low >= 200 ? 'met' : mb.high < 200 ? 'missed' : 'inconclusive',
    measured: mb === undefined ? '-' : `${fmt(mb.point)} MB/s [95% CI ${fmt(mb.low)}–${fmt(mb.high)}]${mb.high < 200 ? ` (missed by ${fmt(200 / mb.point)}x)` : ''}`,
  });
  const kb = micro === undefined ? undefined : boots.get(micro);
  const slow = mb === undefined || kb === undefined ? undefined : ratio(mb, kb);
  out.push({
    goal: 'microkernel guest <-> guest within 1.5x of monolithic',
    verdict: slow === undefined ? 'not tested' : slow.high <= 1.5 ? 'met' : slow.low > 1.5 ? 'missed' : 'inconclusive',
    measured: slow === undefined ? '-' : `monolithic / microkernel ${fmt(slow.point)}x [95% CI ${fmt(slow.low)}–${fmt(slow.high)}]`,
  });
  return out;
}

/** The sizes of a run: the full bench, and --quick (the lab's quick mode uses the same). */
// The lab's sizes (bench net has its own flags): lossy transfers at 1% and 5% in the
// quick lab (20% costs TCP retransmission timeouts of seconds each), also 20% in the full one.
export const NET_SIZES = {
  full: { runs: 5, mib: 16, transfers: 2, frames: 20000, rr: 2000, lossRates: [0.01, 0.05, 0.2], lossKib: 256 },
  quick: { runs: 2, mib: 2, transfers: 1, frames: 3000, rr: 300, lossRates: [0.01, 0.05], lossKib: 64 },
} as const;

const iv = (v: number | null, lo: number | null, hi: number | null, unit = ''): string => (v === null ? 'not measured' : `${v}${unit} [${lo}, ${hi}]`);

export function netTable(r: Pick<NetBenchResult, 'rows'>): string {
  return table(['path', 'preset', 'placement', 'MB/s [95% CI]', 'frames/s [95% CI]', 'monolithic / this [95% CI]', 'runs', 'transfers', 'intact'],
    r.rows.map((x) => [x.path, x.preset, x.placement, iv(x.MBps, x.ci95_low, x.ci95_high),
      x.frames_per_s !== undefined ? iv(x.frames_per_s.value, x.frames_per_s.ci95_low, x.frames_per_s.ci95_high)
        : x.offload_speedup !== undefined ? `offload on / off ${iv(x.offload_speedup.value, x.offload_speedup.ci95_low, x.offload_speedup.ci95_high, 'x')}` : '-',
      iv(x.slowdown_vs_monolithic, x.slowdown_ci95_low, x.slowdown_ci95_high, 'x'), x.runs, x.samples,
      x.samples === 0 ? '-' : x.intact ? `yes${x.lost_frames ? ` (${x.lost_frames} frames lost)` : ''}` : 'NO']));
}

/** The round trips as a table. */
export function latencyTable(rows: readonly LatencyRow[]): string {
  return table(['path', 'preset', 'round trip p50', 'p99', 'p50 / monolithic', 'runs', 'rounds per run'],
    rows.map((x) => [x.path, x.preset, x.p50_us === null ? 'not measured' : `${x.p50_us} µs`, x.p99_us === null ? '-' : `${x.p99_us} µs`, x.p50_vs_monolithic === null ? '-' : `${x.p50_vs_monolithic}x`, x.runs, x.rounds]));
}

/** The lossy transfers as a table. */
export function lossTable(rows: readonly LossRow[]): string {
  return table(['preset', 'frames dropped (p)', 'completed', 'goodput MB/s', 'seconds', 'frames dropped', 'data segments', 'retransmitted'],
    rows.map((x) => [x.preset, `${x.loss * 100}%`, x.completed ? 'yes' : `NO${x.note === undefined ? '' : ` (${x.note})`}`, x.goodput_MBps ?? '-', x.seconds ?? '-', x.dropped_frames, x.data_segments, x.retransmitted]));
}

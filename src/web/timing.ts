// Timing cells run in the page: the lab's measurement (src/lab/lab.ts) with browser
// machines. Each (preset, transport) cell boots a machine whose init is kbench with
// the chosen workloads, several times, the cells' runs interleaved in a seeded
// shuffled order as the lab's rounds are; each cell's median gets the lab's
// hierarchical bootstrap interval (lab/bootstrap.ts) and its ratio to monolithic the
// interval of the ratio, replicate by replicate. kbench's lines are read with the
// lab's own reader (lab/kbench-lines.ts); only the machine differs.

import { BrowserMachine } from '../hosts/browser/machine.js';
import { DurableRam } from '../lab/disk.js';
import { parseKbench, type KbenchLine } from '../lab/kbench-lines.js';
import { bootstrapMedian, ratio, type Bootstrapped } from '../lab/bootstrap.js';
import { rng, shuffle } from '../lab/seed.js';
import type { Preset } from '../presets/schema.js';

/** Samples kept per kbench line (kbench -S), as the lab keeps. */
const KEEP = 2000;
const REPLICATES = 1000;
const DISK_BYTES = 8 << 20;

export interface TimingCell { preset: Preset; ipc: 'shm' | 'mach' | 'postmessage' }

export interface TimingRun {
  cells: TimingCell[]; workloads: string[]; runs: number; scale: number; seed: number;
  initramfs: Uint8Array; release: string;
  onProgress?: (text: string, done: number, total: number) => void;
}

/** One measured row: the lab's `ipc` label ('none' for a preset with no user domain). */
export interface TimingRow { preset: string; ipc: string; workload: string; time: Bootstrapped; ratio?: Bootstrapped; runs: number }

const label = (c: TimingCell): string => (Object.values(c.preset.placement).some((d) => d === 'user') ? c.ipc : 'none');

/** Boots one machine running kbench; its lines, or throws with what it printed. */
async function kbenchOnce(c: TimingCell, o: TimingRun): Promise<KbenchLine[]> {
  let text = '';
  const status = await new Promise<number>((resolve) => {
    const machine = new BrowserMachine({
      preset: c.preset.name, placement: c.preset.placement, grants: { ...(c.preset.devices ?? { console: 'console', blk: 'block' }) }, ipc: c.ipc,
      initramfs: o.initramfs, release: o.release, disk: new DurableRam(DISK_BYTES), trace: false, rootDisk: false, noInput: true, watchdogMs: 10_000,
      init: ['/bin/kbench', '-s', String(o.scale), '-S', String(KEEP), ...o.workloads],
      onOutput: (b) => { text += new TextDecoder().decode(b); },
      onStop: (how) => { clearTimeout(timer); resolve(how.status); },
    });
    // kbench ends by itself; a machine that neither ends nor panics is cut off.
    const timer = setTimeout(() => { machine.stop(); }, 120_000);
  });
  const lines = parseKbench(text);
  const failed = lines.find((l) => l.error !== undefined);
  if (failed !== undefined) throw new Error(`kbench ${failed.workload} failed on ${c.preset.name}/${c.ipc}: ${failed.error}`);
  if (lines.length < o.workloads.length) throw new Error(`kbench on ${c.preset.name}/${c.ipc} ended (status ${status}) after ${lines.length} of ${o.workloads.length} workloads: ${text.trim().split('\n').slice(-1)[0] ?? ''}`);
  return lines;
}

/** Measures every cell `runs` times; rows with bootstrap intervals and ratios to monolithic. */
export async function runTimingInPage(o: TimingRun): Promise<TimingRow[]> {
  const random = rng(o.seed);
  const rounds = Array.from({ length: o.runs }, () => shuffle(o.cells, random));
  const total = o.runs * o.cells.length;
  const collected = new Map<string, KbenchLine[]>();
  let done = 0;
  for (const [r, round] of rounds.entries()) {
    for (const c of round) {
      o.onProgress?.(`run ${r + 1}/${o.runs}: ${c.preset.name}${label(c) === 'none' ? '' : ` (${c.ipc})`}`, done, total);
      for (const l of await kbenchOnce(c, o)) {
        const key = `${c.preset.name}|${label(c)}|${l.workload}`;
        collected.set(key, [...(collected.get(key) ?? []), l]);
      }
      done++;
    }
  }
  o.onProgress?.('done', done, total);
  const rows: TimingRow[] = [];
  for (const c of o.cells) {
    for (const w of o.workloads) {
      const runs = collected.get(`${c.preset.name}|${label(c)}|${w}`) ?? [];
      rows.push({ preset: c.preset.name, ipc: label(c), workload: w, time: bootstrapMedian(runs.map((l) => l.samples ?? [l.median_ns]), random, REPLICATES), runs: runs.length });
    }
  }
  for (const row of rows) {
    const base = rows.find((x) => x.preset === 'monolithic' && x.workload === row.workload);
    if (base === undefined || base === row) continue;
    row.ratio = ratio(row.time, base.time);
  }
  return rows;
}

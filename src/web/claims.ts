// The claims as experiments: one card per claim (C1–C6) with the claim in a sentence,
// the published figure, and the condition for "held" — all from the lab's own judge
// (src/lab/claims.ts). Every claim runs here, in the page, and is judged by the same
// code as `kernelkit lab`: the fault claims (C3, C4, C6) as a quick fault campaign on
// browser machines (campaign.ts), the timing claims (C1, C2) as kbench runs on browser
// machines with the lab's bootstrap intervals (timing.ts), the size claim (C5) on the
// line counts of this build's sources (counted by the lab's own tcb.ts when the site
// was built). A results.json of a lab run on a real machine can be loaded beside them.

import { judgeClaims, type ClaimVerdict, type LabInput } from '../lab/claims.js';
import type { FaultCell } from '../lab/fault-tally.js';
import type { LabResult } from '../lab/lab.js';
import type { TcbRow } from '../lab/tcb.js';
import type { Preset } from '../presets/schema.js';
import { formatInterval } from '../lab/verdict.js';
import { runCellInPage } from './campaign.js';
import { runTimingInPage, type TimingCell, type TimingRow } from './timing.js';
import { el, button, formatUs } from './dom.js';
import { ratioBar, tcbChart } from './charts.js';

const SHOWN = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
/** The cells each in-page experiment runs (preset, component, fault type). */
const EXPERIMENTS: Record<string, [string, string, string][]> = {
  C3: [['microkernel', 'blk', 'crash'], ['microkernel', 'console', 'crash']],
  C4: [['monolithic', 'blk', 'wild-write'], ['microkernel', 'blk', 'wild-write']],
  C6: [['microkernel', 'blk', 'crash'], ['hybrid', 'console', 'crash']],
};
/** The timing experiments: the cells (preset, transport) and kbench workloads the lab's judge reads for the claim. */
const TIMING: Record<string, { cells: [string, TimingCell['ipc']][]; workloads: string[] }> = {
  C1: { cells: [['monolithic', 'shm'], ['microkernel', 'shm']], workloads: ['null', 'smallfile'] },
  C2: { cells: [['monolithic', 'shm'], ['microkernel', 'mach'], ['microkernel', 'shm']], workloads: ['spawn', 'pipe', 'smallfile', 'seqio', 'script'] },
};
/** Faults per cell in a quick run. */
const QUICK_FAULTS = 8;
/** A quick timing run: boots per cell, and kbench's scale (the lab's --quick is 0.15). */
const QUICK_RUNS = 3;
const QUICK_SCALE = 0.1;

/** The 95% Wilson score interval of k successes in n trials, as fractions. */
export function wilson(k: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = 1.959964, p = k / n, d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d, half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** What a page run measured: the lab's judge reads it as a run's figures (what is absent: "not tested"). */
interface PageRun { faults?: FaultCell[]; tcb?: TcbRow[]; timing?: TimingRow[] }

/** The lab's judgement of a page run. */
function judgePage(run: PageRun): ClaimVerdict[] {
  const input = { faults: run.faults ?? [], tcb: run.tcb ?? [], results: [], rows: [] } as unknown as LabInput;
  const ratioOf = (preset: string, ipc: string, workload: string): TimingRow['ratio'] => run.timing?.find((r) => r.preset === preset && r.ipc === ipc && r.workload === workload)?.ratio;
  return judgeClaims(input, ratioOf, { tested: false, reason: 'not run in the page' });
}

export interface ClaimsContext {
  presets: Map<string, Preset>; initramfs: () => Promise<Uint8Array>; release: string;
  /** This build's trusted computing base per preset (the lab's tcb.ts, at build time). */
  tcb: TcbRow[];
  /** Boots per timing cell and kbench's scale (the URL may ask for a smaller run: `&runs=2&scale=0.05`). */
  runs?: number; scale?: number;
}

export function claimsView(ctx: ClaimsContext, only?: string): HTMLElement {
  const texts = judgePage({}).filter((c) => SHOWN.includes(c.id) && (only === undefined || c.id === only));
  const cards = texts.map((c) => claimCard(ctx, c));
  const load = el('input', { type: 'file', accept: '.json,application/json', 'aria-label': 'lab results (results.json)' });
  const loaded = el('p', { role: 'status' });
  load.addEventListener('change', () => {
    const f = load.files?.[0];
    if (f === undefined) return;
    void f.text().then((t) => {
      let r: LabResult;
      try { r = JSON.parse(t) as LabResult; if (!Array.isArray(r.claims)) throw new Error('no "claims" list'); } catch (e) { loaded.textContent = `${f.name}: not a kernelkit lab results.json (${(e as Error).message})`; return; }
      loaded.textContent = `${f.name}: a lab run on ${r.machine?.cpu ?? 'an unknown machine'}, ${r.run?.quick ? 'quick' : 'full'}`;
      for (const card of cards) card.showLab(r.claims.find((c) => c.id === card.id));
    });
  });
  return el('div', { class: 'claims' },
    el('h2', {}, only === undefined ? 'The claims, as experiments' : `Claim ${only}`),
    el('p', {}, 'Each claim runs here, in this page, on the same kernel and components as ', el('code', {}, 'kernelkit lab'), ', and is judged by the lab\'s own code: fault claims as a quick fault campaign, timing claims as kbench runs with bootstrap 95% intervals (a browser on a shared machine is noisy: the lab on a quiet machine is the reference), the size claim on this build\'s line counts. A lab run\'s ', el('code', {}, 'lab-out/results.json'), ' can be loaded beside them.'),
    el('label', { class: 'load' }, 'load a lab run: ', load), loaded,
    ...cards.map((c) => c.root));
}

interface Card { id: string; root: HTMLElement; showLab(c: ClaimVerdict | undefined): void }

function claimCard(ctx: ClaimsContext, c: ClaimVerdict): Card {
  const verdict = el('p', { class: 'verdict', 'data-verdict': 'not tested' }, 'not run yet');
  const detail = el('div', { class: 'measured' });
  const lab = el('p', { class: 'lab-verdict' });
  const progress = el('progress', { max: '1', value: '0', hidden: '', 'aria-label': `${c.id} progress` });
  const run = button(`run ${c.id} in this page`, () => void experiment());
  // What the run measures, how it is described beside the verdict, and how it is drawn.
  const measure = async (seed: number): Promise<{ run: PageRun; how: string; chart: HTMLElement }> => {
    const faultCells = EXPERIMENTS[c.id], timing = TIMING[c.id];
    if (faultCells !== undefined) {
      const initramfs = await ctx.initramfs();
      const results: FaultCell[] = [];
      for (const [i, [preset, component, type]] of faultCells.entries()) {
        progress.value = i / faultCells.length;
        results.push(await runCellInPage({
          preset: ctx.presets.get(preset)!, component, type, n: QUICK_FAULTS, seed, initramfs, release: ctx.release,
          onProgress: (t) => { verdict.textContent = `running: ${t}`; },
        }));
      }
      return { run: { faults: results }, how: `${QUICK_FAULTS} faults per cell, seed ${seed}`, chart: cellChart(results) };
    }
    if (timing !== undefined) {
      const runs = ctx.runs ?? QUICK_RUNS, scale = ctx.scale ?? QUICK_SCALE;
      const rows = await runTimingInPage({
        cells: timing.cells.map(([preset, ipc]) => ({ preset: ctx.presets.get(preset)!, ipc })), workloads: timing.workloads, runs, scale, seed,
        initramfs: await ctx.initramfs(), release: ctx.release,
        onProgress: (t, done, total) => { progress.value = done / total; verdict.textContent = `running: ${t}`; },
      });
      return { run: { timing: rows }, how: `${runs} boots per cell, kbench scale ${scale}, seed ${seed}`, chart: timingChart(rows) };
    }
    if (!Array.isArray(ctx.tcb) || ctx.tcb.length === 0) throw new Error('this site was built without the TCB counts: rebuild it (npm run build:web)');
    return { run: { tcb: ctx.tcb }, how: 'this build\'s sources', chart: tcbChart(ctx.tcb) };
  };
  const experiment = async (): Promise<void> => {
    run.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    verdict.dataset['verdict'] = 'running';
    verdict.textContent = 'running…';
    const seed = Date.now() >>> 0;
    try {
      const m = await measure(seed);
      progress.value = 1;
      const judged = judgePage(m.run).find((x) => x.id === c.id)!;
      verdict.dataset['verdict'] = judged.verdict;
      verdict.textContent = `verdict (this page, ${m.how}): ${judged.verdict}`;
      detail.replaceChildren(el('p', {}, judged.measured), ...(judged.reason !== judged.measured ? [el('p', { class: 'reason' }, judged.reason)] : []), m.chart);
    } catch (e) {
      verdict.dataset['verdict'] = 'error';
      verdict.textContent = `the experiment failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally { run.disabled = false; }
  };
  const root = el('article', { class: 'claim', id: c.id, 'aria-labelledby': `${c.id}-title` },
    el('h3', { id: `${c.id}-title` }, el('a', { href: `?view=claim&id=${c.id}` }, c.id), ` ${c.claim}`),
    el('p', { class: 'published' }, el('strong', {}, 'Published: '), c.published),
    el('p', {}, el('strong', {}, 'Held when: '), c.threshold),
    el('div', { class: 'run' }, run, progress), verdict, detail, lab);
  return {
    id: c.id, root,
    showLab: (x) => { lab.textContent = x === undefined ? 'The loaded run did not judge this claim.' : `Lab run: ${x.verdict} — ${x.measured}`; lab.dataset['verdict'] = x?.verdict ?? 'not tested'; },
  };
}

/** Each cell's median with its 95% interval, and its ratio to monolithic on a log scale with its interval. */
function timingChart(rows: TimingRow[]): HTMLElement {
  return el('table', { class: 'cells timing' },
    el('caption', {}, 'per cell: median time per operation [95% bootstrap interval]; ratio to monolithic on a log scale (1/8x – 16x, the line at 1x) with its interval'),
    el('thead', {}, el('tr', {}, ...['cell', 'median [95% CI]', 'ratio to monolithic', ''].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => {
      const q = r.ratio;
      return el('tr', { 'data-cell': `${r.preset}/${r.ipc}/${r.workload}` },
        el('th', { scope: 'row' }, `${r.preset}${r.ipc === 'none' ? '' : `/${r.ipc}`} ${r.workload}`),
        el('td', {}, `${formatUs(r.time.point / 1000)} [${formatUs(r.time.low / 1000)}–${formatUs(r.time.high / 1000)}]`),
        el('td', {}, q === undefined ? '1x' : formatInterval(q, 'x')), el('td', {}, q === undefined ? el('span', {}, 'baseline') : ratioBar(q.point, q.low, q.high)));
    })));
}

/** Survived and in-flight-completed per cell, with 95% Wilson intervals, as bars. */
function cellChart(cells: FaultCell[]): HTMLElement {
  const rows = cells.flatMap((x) => [
    { label: `${x.preset} ${x.component} ${x.type}: survived`, k: Math.round((x.survived_pct / 100) * x.injected), n: x.injected },
    { label: `${x.preset} ${x.component} ${x.type}: in-flight op completed`, k: Math.round((x.completed_pct / 100) * x.injected), n: x.injected },
  ]);
  return el('table', { class: 'cells' },
    el('caption', {}, 'per cell: share of injected faults, with its 95% interval (Wilson)'),
    ...rows.map((r) => {
      const ci = wilson(r.k, r.n), pct = r.n === 0 ? 0 : (100 * r.k) / r.n;
      const bar = el('div', { class: 'bar' }, el('span', { class: 'fill', style: `width:${pct}%` }), el('span', { class: 'whisker', style: `left:${100 * ci.low}%;width:${100 * (ci.high - ci.low)}%` }));
      return el('tr', {}, el('th', { scope: 'row' }, r.label), el('td', {}, bar), el('td', {}, `${r.k}/${r.n} = ${pct.toFixed(0)}% [95% CI ${(100 * ci.low).toFixed(0)}–${(100 * ci.high).toFixed(0)}%]`));
    }));
}

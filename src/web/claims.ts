// The claims as experiments: one card per claim (C1–C6) with the claim in a sentence,
// the published figure, and the condition for "held" — all from the lab's own judge
// (src/lab/claims.ts). The fault claims (C3, C4, C6) run their experiment here, in the
// page: a quick fault campaign on browser machines (campaign.ts), judged by the same
// code as `kernelkit lab`. The timing and size claims (C1, C2, C5) need a lab run on a
// real machine: load its results.json and the page shows that run's verdicts.

import { judgeClaims, type ClaimVerdict, type LabInput } from '../lab/claims.js';
import type { FaultCell } from '../lab/fault-tally.js';
import type { LabResult } from '../lab/lab.js';
import type { Preset } from '../presets/schema.js';
import { runCellInPage } from './campaign.js';
import { el, button } from './dom.js';

const SHOWN = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
/** The cells each in-page experiment runs (preset, component, fault type). */
const EXPERIMENTS: Record<string, [string, string, string][]> = {
  C3: [['microkernel', 'blk', 'crash'], ['microkernel', 'console', 'crash']],
  C4: [['monolithic', 'blk', 'wild-write'], ['microkernel', 'blk', 'wild-write']],
  C6: [['microkernel', 'blk', 'crash'], ['hybrid', 'console', 'crash']],
};
/** Faults per cell in a quick run. */
const QUICK_FAULTS = 8;

/** The 95% Wilson score interval of k successes in n trials, as fractions. */
export function wilson(k: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = 1.959964, p = k / n, d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d, half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The lab's judgement of `faults` alone (the other claims' inputs absent: "not tested"). */
function judgeFaults(faults: FaultCell[]): ClaimVerdict[] {
  const input = { faults, tcb: [], results: [], rows: [] } as unknown as LabInput;
  return judgeClaims(input, () => undefined, { tested: false, reason: 'not run in the page' });
}

export interface ClaimsContext { presets: Map<string, Preset>; initramfs: () => Promise<Uint8Array>; release: string }

export function claimsView(ctx: ClaimsContext, only?: string): HTMLElement {
  const texts = judgeFaults([]).filter((c) => SHOWN.includes(c.id) && (only === undefined || c.id === only));
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
    el('p', {}, 'Fault claims run a quick fault campaign here, in this page, on the same kernel and components as ', el('code', {}, 'kernelkit lab'), '; timing and size claims need a lab run on a real machine: load its ', el('code', {}, 'lab-out/results.json'), '.'),
    el('label', { class: 'load' }, 'load a lab run: ', load), loaded,
    ...cards.map((c) => c.root));
}

interface Card { id: string; root: HTMLElement; showLab(c: ClaimVerdict | undefined): void }

function claimCard(ctx: ClaimsContext, c: ClaimVerdict): Card {
  const cells = EXPERIMENTS[c.id];
  const verdict = el('p', { class: 'verdict', 'data-verdict': 'not tested' }, cells === undefined ? 'not tested in the page' : 'not run yet');
  const detail = el('div', { class: 'measured' });
  const lab = el('p', { class: 'lab-verdict' });
  const progress = el('progress', { max: '1', value: '0', hidden: '', 'aria-label': `${c.id} progress` });
  const controls: HTMLElement[] = [];
  if (cells !== undefined) {
    const run = button(`run ${c.id} in this page`, () => void experiment());
    controls.push(run, progress);
    const experiment = async (): Promise<void> => {
      run.disabled = true;
      progress.hidden = false;
      verdict.dataset['verdict'] = 'running';
      verdict.textContent = 'running…';
      const results: FaultCell[] = [];
      const seed = Date.now() >>> 0;
      const initramfs = await ctx.initramfs();
      try {
        for (const [i, [preset, component, type]] of cells.entries()) {
          progress.value = i / cells.length;
          results.push(await runCellInPage({
            preset: ctx.presets.get(preset)!, component, type, n: QUICK_FAULTS, seed, initramfs, release: ctx.release,
            onProgress: (t) => { verdict.textContent = `running: ${t}`; },
          }));
        }
        progress.value = 1;
        const judged = judgeFaults(results).find((x) => x.id === c.id)!;
        verdict.dataset['verdict'] = judged.verdict;
        verdict.textContent = `verdict (this page, ${QUICK_FAULTS} faults per cell, seed ${seed}): ${judged.verdict}`;
        detail.replaceChildren(el('p', {}, judged.measured), cellChart(results));
      } catch (e) {
        verdict.dataset['verdict'] = 'error';
        verdict.textContent = `the experiment failed: ${e instanceof Error ? e.message : String(e)}`;
      } finally { run.disabled = false; }
    };
  } else controls.push(el('p', { class: 'note' }, 'Measured by a lab run on a real machine (timing needs the quiet of a native run): load its results.json above.'));
  const root = el('article', { class: 'claim', id: c.id, 'aria-labelledby': `${c.id}-title` },
    el('h3', { id: `${c.id}-title` }, el('a', { href: `?view=claim&id=${c.id}` }, c.id), ` ${c.claim}`),
    el('p', { class: 'published' }, el('strong', {}, 'Published: '), c.published),
    el('p', {}, el('strong', {}, 'Held when: '), c.threshold),
    el('div', { class: 'run' }, ...controls), verdict, detail, lab);
  return {
    id: c.id, root,
    showLab: (x) => { lab.textContent = x === undefined ? 'The loaded run did not judge this claim.' : `Lab run: ${x.verdict} — ${x.measured}`; lab.dataset['verdict'] = x?.verdict ?? 'not tested'; },
  };
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

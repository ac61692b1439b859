// The lab's report in the app: a results.json made by `kernelkit lab` on a real machine
// (lab-out/results.json), loaded from a file the person picks: the machine, every
// cell's median with its 95% interval and ratio to monolithic, the claims' verdicts,
// the targets, and the fault campaigns as a survived-% heat map per preset x component
// x fault type.

import type { LabResult } from '../lab/lab.js';
import { el } from './dom.js';
import { formatUs } from './dom.js';

export function reportView(): HTMLElement {
  const input = el('input', { type: 'file', accept: '.json,application/json', 'aria-label': 'lab results (results.json)' });
  const body = el('div', { class: 'report-body' });
  const status = el('p', { role: 'status' }, 'No run loaded yet.');
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f === undefined) return;
    void f.text().then((t) => {
      let r: LabResult;
      try {
        r = JSON.parse(t) as LabResult;
        if (!Array.isArray(r.results) || !Array.isArray(r.claims) || !Array.isArray(r.faults)) throw new Error('it lacks results, claims or faults');
      } catch (e) { status.textContent = `${f.name}: not a kernelkit lab results.json (${(e as Error).message})`; return; }
      status.textContent = `${f.name}: ${r.results.length} cells, ${r.faults.length} fault cells`;
      body.replaceChildren(...render(r));
    });
  });
  return el('div', { class: 'report' }, el('h2', {}, 'Lab report'),
    el('p', {}, 'Load the ', el('code', {}, 'lab-out/results.json'), ' a ', el('code', {}, 'kernelkit lab'), ' run wrote (its ', el('code', {}, 'report.html'), ' beside it is the same run, drawn offline).'),
    el('label', {}, 'results.json: ', input), status, body);
}

function render(r: LabResult): HTMLElement[] {
  const m = r.machine as unknown as Record<string, unknown>;
  const ci = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? '-' : `${formatUs(lo)} – ${formatUs(hi)}`);
  const results = el('table', { class: 'results' },
    el('caption', {}, 'each cell: median round trip with its bootstrap 95% interval, and its ratio to monolithic'),
    el('thead', {}, el('tr', {}, ...['preset', 'ipc', 'workload', 'median', '95% CI', 'throughput', 'ratio to monolithic'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...r.results.map((x) => el('tr', {},
      el('td', {}, x.preset), el('td', {}, x.ipc), el('td', {}, x.workload),
      el('td', {}, x.median_us === null ? (x.note ?? '-') : formatUs(x.median_us)), el('td', {}, ci(x.ci95_low_us, x.ci95_high_us)),
      el('td', {}, x.throughput === null ? '-' : `${x.throughput.value.toFixed(1)} ${x.throughput.unit}`),
      el('td', {}, x.ratio_to_monolithic === null ? '-' : `${x.ratio_to_monolithic.toFixed(2)}x [${x.ratio_ci95_low?.toFixed(2)}–${x.ratio_ci95_high?.toFixed(2)}]`)))));
  const claims = el('table', { class: 'results' }, el('caption', {}, 'the claims, as this run judged them'),
    el('tbody', {}, ...r.claims.map((c) => el('tr', {}, el('th', { scope: 'row' }, c.id), el('td', { class: 'verdict', 'data-verdict': c.verdict }, c.verdict), el('td', {}, `${c.claim} — ${c.measured}`)))));
  const targets = el('table', { class: 'results' }, el('caption', {}, 'targets'),
    el('tbody', {}, ...(r.targets ?? []).map((t) => el('tr', {}, el('td', {}, t.target), el('td', {}, t.verdict), el('td', {}, t.measured)))));
  // Heat map: rows preset x component, columns fault type, cells survived %.
  const types = [...new Set(r.faults.map((f) => f.type))];
  const rows = [...new Set(r.faults.map((f) => `${f.preset} ${f.component}`))];
  const heat = el('table', { class: 'heat' }, el('caption', {}, 'faults: survived % of injected (completed % of in-flight operations)'),
    el('thead', {}, el('tr', {}, el('th', {}, ''), ...types.map((t) => el('th', { scope: 'col' }, t)))),
    el('tbody', {}, ...rows.map((row) => el('tr', {}, el('th', { scope: 'row' }, row), ...types.map((t) => {
      const f = r.faults.find((x) => `${x.preset} ${x.component}` === row && x.type === t);
      if (f === undefined || f.injected === 0) return el('td', {}, '-');
      const hue = Math.round((f.survived_pct / 100) * 120);
      return el('td', { style: `background:hsl(${hue} 70% 80%)` }, `${f.survived_pct}% (${f.completed_pct}%)`);
    })))));
  return [el('p', {}, `Machine: ${String(m['cpu'] ?? '?')}, ${String(m['cores'] ?? '?')} cores, ${String(m['node'] ?? '')}; ${r.run.quick ? 'quick' : 'full'} run, ${r.run.runs} runs per cell.`), claims, targets, heat, results];
}

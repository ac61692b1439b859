// The lab's report in the app: a results.json made by `kernelkit lab` on a real machine
// (lab-out/results.json), loaded from a file the person picks: the machine, the claims'
// verdicts, the targets, a chart per workload (every cell's median on a log scale with
// its 95% interval), the TCB as stacked bars, the fault campaigns as a survived-% heat
// map per preset x component x fault type, and every cell's figures in a table. The
// report.html the same run wrote opens here too, as it is, in a sandboxed frame.

import type { LabResult } from '../lab/lab.js';
import { WORKLOADS } from '../lab/workloads.js';
import { el, formatUs } from './dom.js';
import { tcbChart, timeChart } from './charts.js';

/** Larger files are refused: a report.html is a few hundred KB (Chart.js and the data inlined). */
const MAX_REPORT_BYTES = 16 << 20;

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
  const html = el('input', { type: 'file', accept: '.html,text/html', 'aria-label': 'lab report (report.html)' });
  const frameBox = el('div', { class: 'report-frame' });
  html.addEventListener('change', () => {
    const f = html.files?.[0];
    if (f === undefined) return;
    if (f.size > MAX_REPORT_BYTES) { status.textContent = `${f.name}: too large for a lab report (${f.size} bytes)`; return; }
    void f.text().then((t) => {
      if (!t.includes('<script id="lab-data" type="application/json">')) { status.textContent = `${f.name}: not a kernelkit lab report.html (no lab data in it)`; return; }
      status.textContent = `${f.name}: the lab's own report, below`;
      // NOTE: an opaque origin (scripts allowed, same-origin not): the report runs its charts and reaches nothing of the app.
      const frame = el('iframe', { title: `lab report: ${f.name}`, sandbox: 'allow-scripts', class: 'report-html' });
      frame.srcdoc = t;
      frameBox.replaceChildren(frame);
    });
  });
  return el('div', { class: 'report' }, el('h2', {}, 'Lab report'),
    el('p', {}, 'Load the ', el('code', {}, 'lab-out/results.json'), ' a ', el('code', {}, 'kernelkit lab'), ' run wrote, or the ', el('code', {}, 'report.html'), ' beside it (the same run, as the lab drew it).'),
    el('label', {}, 'results.json: ', input), ' ', el('label', {}, 'report.html: ', html), status, body, frameBox);
}

/** A chart per workload: each cell's median with its interval. */
function charts(r: LabResult): HTMLElement[] {
  const workloads = [...new Set(r.results.map((x) => x.workload))];
  return workloads.map((w) => timeChart(`${WORKLOADS.find((x) => x.name === w)?.title ?? w}: median time per operation`,
    r.results.filter((x) => x.workload === w).map((x) => ({
      label: `${x.preset}${x.ipc === 'none' ? '' : `/${x.ipc}`}`, us: x.median_us ?? 0, lowUs: x.ci95_low_us ?? 0, highUs: x.ci95_high_us ?? 0, ...(x.note === undefined ? {} : { note: x.note }),
    })), { 'data-workload': w }));
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
  return [el('p', {}, `Machine: ${String(m['cpu'] ?? '?')}, ${String(m['cores'] ?? '?')} cores, ${String(m['node'] ?? '')}; ${r.run.quick ? 'quick' : 'full'} run, ${r.run.runs} runs per cell.`), claims, targets,
    el('div', { class: 'charts' }, ...charts(r)), ...(r.tcb.length > 0 ? [tcbChart(r.tcb)] : []), heat, results];
}

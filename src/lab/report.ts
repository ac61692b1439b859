// report.html: one self-contained file (Chart.js inlined from node_modules, the data
// inlined as JSON) that opens offline: the machine, bar charts per workload, the
// results and ratio tables, the reference figures, the fault table, the TCB table and
// "the claims, tested".

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { LabResult } from './lab.js';
import { judgeClaims, judgeTargets } from './claims.js';
import { WORKLOADS } from './workloads.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
const num = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : String(x));

function chartJs(): string {
  // Chart.js's UMD build sits beside the CommonJS entry in its dist/ folder.
  const require = createRequire(import.meta.url);
  return fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
}

function tableHtml(id: string, header: string[], rows: (string | number | null)[][], rowAttrs?: (i: number) => string): string {
  return `<table id="${id}"><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r, i) => `<tr${rowAttrs?.(i) ?? ''}>${r.map((c) => `<td>${esc(c ?? '-')}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function renderReport(r: LabResult): string {
  const m = r.machine;
  const claims = judgeClaims(r);
  const targets = judgeTargets(r);
  const label = (preset: string, ipc: string): string => (ipc === 'none' ? preset : `${preset}/${ipc}`);
  const results = tableHtml('results-table', ['preset', 'ipc', 'workload', 'median µs', 'p99 µs', 'throughput', 'ratio to monolithic'],
    r.results.map((x) => [x.preset, x.ipc, x.workload, x.median_us, x.p99_us, x.throughput === null ? '-' : `${x.throughput.value} ${x.throughput.unit}`, x.ratio_to_monolithic]),
    (i) => ` data-preset="${esc(r.results[i]!.preset)}" data-ipc="${esc(r.results[i]!.ipc)}" data-workload="${esc(r.results[i]!.workload)}"`);
  const cols = [...new Set(r.results.map((x) => label(x.preset, x.ipc)))];
  const ratio = tableHtml('ratio-table', ['workload', ...cols], r.run.workloads.map((w) => [w, ...cols.map((c) => {
    const x = r.results.find((y) => y.workload === w && label(y.preset, y.ipc) === c);
    return x === undefined ? '-' : `${x.ratio_to_monolithic}x`;
  })]));
  const faults = r.faults.length === 0 ? '<p>No fault campaign in this run.</p>' : tableHtml('fault-table',
    ['preset', 'component', 'type', 'injected', 'survived %', 'completed %', 'recovery ms p50', 'recovery ms p99', 'failed requests', 'data lost', 'corruption caught', 'volatile files lost', 'boots', 'panics', 'stuck'],
    r.faults.map((c) => [c.preset, c.component, c.type, c.injected, c.survived_pct, c.completed_pct, num(c.recovery_ms_p50), num(c.recovery_ms_p99), c.failed_requests, c.data_lost, c.corruption_caught, c.volatile_lost, c.boots, c.panics, c.stuck]));
  const tcb = tableHtml('tcb-table', ['preset', 'kernel-domain lines', 'total lines', 'kernel share', 'in the kernel domain', 'in user domains'],
    r.tcb.map((t) => [t.preset, t.kernel_loc, t.total_loc, `${Math.round((100 * t.kernel_loc) / t.total_loc)}%`, ['core', ...t.kernel_components].join(', '), t.user_components.join(', ') || '-']));
  const claimsTable = tableHtml('claims', ['claim', 'verdict', 'what this run measured', 'published figure (context)'],
    claims.map((c) => [`${c.id}: ${c.claim}`, c.verdict, c.measured, c.published]), (i) => ` data-claim="${claims[i]!.id}" class="v-${claims[i]!.verdict.replace(' ', '-')}"`);
  const targetsTable = tableHtml('targets', ['target (issue 6)', 'verdict', 'measured'], targets.map((t) => [t.target, t.verdict, t.measured]), (i) => ` class="v-${targets[i]!.verdict.replace(' ', '-')}"`);
  const refs = tableHtml('reference-table', ['reference', 'median ns'], [
    ['raw spin round trip, two threads on a SharedArrayBuffer', r.reference.spin_rt_ns],
    ...Object.entries(r.reference.ipc_rt_ns).map(([k, v]) => [`direct two-thread channel, ${k === 'shm' ? 'shm ring + codec + spin-then-wait' : 'MessagePort'} (${k})`, v ?? '-']),
  ]);
  const charts = r.run.workloads.map((w) => {
    const wl = WORKLOADS.find((x) => x.name === w);
    const hasTp = r.results.some((x) => x.workload === w && x.throughput !== null);
    return `<figure class="chart"><figcaption>${esc(wl?.title ?? w)} — ${esc(wl?.op ?? '')}</figcaption><canvas id="chart-${esc(w)}" width="520" height="260"></canvas>${hasTp ? `<canvas id="chart-${esc(w)}-throughput" width="520" height="220"></canvas>` : ''}</figure>`;
  }).join('\n');
  const data = JSON.stringify(r).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kernelkit lab report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #1d232a; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #d7dde3; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 13px; }
th, td { border: 1px solid #d7dde3; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f1f4f7; } td:not(:first-child) { font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.chart { margin: 0; border: 1px solid #e3e8ec; padding: 8px; width: 540px; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.v-held, .v-met { background: #e8f6ea; } .v-not-held, .v-missed { background: #fdecea; } .v-not-tested { background: #f4f4f4; }
.machine td:first-child { font-weight: 600; } .note { color: #56606b; font-size: 13px; } .warn { background: #fff6dd; padding: 6px 10px; border: 1px solid #f0d68a; }
</style></head><body>
<h1>kernelkit lab report</h1>
<p class="note">Every figure below was measured in this run on this machine; ratios compare presets measured side by side in the same session. Published figures are context only.</p>
${m.loadavg_1m > m.cores ? `<p class="note warn">The host was busy when this run started (load ${esc(m.loadavg_1m)} on ${esc(m.cores)} cores): threads that spin-wait only help when their partner holds another core, so latencies here are bimodal (about 1 µs when they do, one wake-up, tens of µs, when they do not). Compare ratios within this run, not absolute figures across runs.</p>` : ''}
<h2>Machine and run</h2>
${tableHtml('machine', ['', ''], [['CPU', m.cpu], ['cores', m.cores], ['memory', `${m.memory_gib} GiB`], ['Node', m.node], ['OS', m.os], ['load (1 min) at start', m.loadavg_1m], ['date', m.date], ['presets', r.run.presets.join(', ')], ['transports', r.run.ipc.join(', ')], ['workloads', r.run.workloads.join(', ')], ['runs per cell', r.run.runs], ['quick', String(r.run.quick)], ['seed', r.run.seed], ['duration', `${r.run.seconds} s`]])}
<h2>The claims, tested</h2>
${claimsTable}
<h3>Performance targets</h3>
${targetsTable}
<h2>Latency and throughput per workload</h2>
<p class="note">Bars: median per operation (µs), whiskers not drawn; p99 is in the table. Throughput charts where a workload moves data.</p>
<div class="charts">
${charts}
</div>
<h2>Ratio to monolithic (median, same session)</h2>
${ratio}
<h2>All results</h2>
${results}
<h2>Physical references</h2>
${refs}
<h2>Faults</h2>
<p class="note">${esc(r.run.faults_note)}. Survived: faults after which the system did not panic and kept answering (stuck: a boot whose requests stopped completing without a panic, given up after a timeout). Completed: the operation in flight when the fault fired finished correctly. Recovery: from arming the fault to the end of the next fully successful operation. Data lost: fsync'd, verified blocks missing or wrong on the durable disk image afterwards.</p>
${faults}
<h2>Trusted computing base</h2>
<p class="note">Non-blank, non-comment lines of TypeScript running in the kernel domain (kernel core, lib, abi, the kernel thread's host glue, and the components placed there), computed from each preset's placement and the source tree; total = the same system with every component.</p>
${tcb}
<script>${chartJs()}</script>
<script id="lab-data" type="application/json">${data}</script>
<script>
const R = JSON.parse(document.getElementById('lab-data').textContent);
const label = (x) => x.ipc === 'none' ? x.preset : x.preset + '/' + x.ipc;
const colour = (x) => x.preset === 'monolithic' ? '#4e79a7' : x.ipc === 'shm' ? (x.preset === 'microkernel' ? '#59a14f' : '#8cd17d') : (x.preset === 'microkernel' ? '#e15759' : '#ff9d9a');
Chart.defaults.animation = false;
for (const w of R.run.workloads) {
  const rows = R.results.filter((x) => x.workload === w);
  new Chart(document.getElementById('chart-' + w), { type: 'bar', data: { labels: rows.map(label), datasets: [{ label: 'median µs', data: rows.map((x) => x.median_us), backgroundColor: rows.map(colour) }] }, options: { responsive: false, plugins: { legend: { display: false }, title: { display: true, text: 'median µs per operation (lower is better)' } } } });
  const tp = document.getElementById('chart-' + w + '-throughput');
  if (tp) new Chart(tp, { type: 'bar', data: { labels: rows.map(label), datasets: [{ label: rows[0].throughput.unit, data: rows.map((x) => x.throughput ? x.throughput.value : 0), backgroundColor: rows.map(colour) }] }, options: { responsive: false, plugins: { legend: { display: false }, title: { display: true, text: rows[0].throughput.unit + ' (higher is better)' } } } });
}
document.body.dataset.chartsReady = 'yes';
</script>
</body></html>
`;
}

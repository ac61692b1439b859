// report.html: one self-contained file (Chart.js inlined from node_modules, the data
// inlined as JSON) that opens offline: the machine and the method, "the claims,
// tested", bar charts per workload with 95% intervals and the spread drawn on them,
// the results and ratio tables (every figure with its interval and unit), the
// reference figures, the fault table and the TCB table. The whiskers are drawn by a
// few lines of canvas code below (a Chart.js plugin object), not by a package.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { LabResult, LabRow } from './lab.js';
import { WORKLOADS } from './workloads.js';
import { formatNs } from './table.js';
import { isNetCell } from './fault-tally.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
const num = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : String(x));

function chartJs(): string {
  // Chart.js's UMD build sits beside the CommonJS entry in its dist/ folder.
  const require = createRequire(import.meta.url);
  return fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
}

/** A table cell: shown text, and optionally the raw number it shows (data-value). */
type Cell = string | number | null | { text: string; value: number | null };

function tableHtml(id: string, header: string[], rows: Cell[][], rowAttrs?: (i: number) => string): string {
  const td = (c: Cell): string => (c !== null && typeof c === 'object' ? `<td data-value="${esc(num(c.value))}">${esc(c.text)}</td>` : `<td>${esc(c ?? '-')}</td>`);
  return `<table id="${id}"><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r, i) => `<tr${rowAttrs?.(i) ?? ''}>${r.map(td).join('')}</tr>`).join('')}</tbody></table>`;
}

const usText = (x: number | null): string => (x === null ? '-' : formatNs(x * 1000));
const label = (x: { preset: string; ipc: string }): string => (x.ipc === 'none' ? (x.preset === 'native' ? 'native (Linux)' : x.preset) : `${x.preset}/${x.ipc}`);
const ci = (lo: number | null, hi: number | null, f: (x: number | null) => string): string => `${f(lo)} – ${f(hi)}`;

function resultsTable(r: LabResult): string {
  return tableHtml('results-table', ['preset', 'ipc', 'workload', 'median', '95% CI', 'p25 – p75 (spread)', 'p99', 'throughput [95% CI]', 'ratio to monolithic', 'ratio 95% CI', 'runs', 'samples', 'note'],
    r.results.map((x: LabRow) => [
      x.preset, x.ipc, x.workload,
      { text: x.median_us === null ? 'not measured' : usText(x.median_us), value: x.median_us },
      { text: x.median_us === null ? '-' : ci(x.ci95_low_us, x.ci95_high_us, usText), value: x.ci95_low_us },
      x.median_us === null ? '-' : ci(x.p25_us, x.p75_us, usText),
      { text: usText(x.p99_us), value: x.p99_us },
      x.throughput === null ? '-' : `${x.throughput.value} ${x.throughput.unit} [${x.throughput.ci95_low} – ${x.throughput.ci95_high}]`,
      { text: x.ratio_to_monolithic === null ? '-' : `${x.ratio_to_monolithic}x`, value: x.ratio_to_monolithic },
      x.ratio_to_monolithic === null ? '-' : `${x.ratio_ci95_low}x – ${x.ratio_ci95_high}x`,
      x.runs, x.samples, [x.note, x.retried].filter((n) => n !== undefined).join('; '),
    ]),
    (i) => ` data-preset="${esc(r.results[i]!.preset)}" data-ipc="${esc(r.results[i]!.ipc)}" data-workload="${esc(r.results[i]!.workload)}"`);
}

/** The network section: TCP throughput per preset and path, Linux's loopback, the C7 bridge, the goals. */
function networkSection(r: LabResult): string {
  if (r.net === undefined) return '<h2>Network</h2><p class="note">No network section in this run (kernelkit lab --no-net).</p>';
  const n = r.net;
  const iv = (v: number | null, lo: number | null, hi: number | null, unit = ''): Cell => ({ text: v === null ? 'not measured' : `${v}${unit} [${lo}${unit} – ${hi}${unit}]`, value: v });
  const rows = tableHtml('net-table', ['path', 'preset', 'placement', 'MB/s [95% CI]', 'frames/s [95% CI]', 'monolithic / this [95% CI]', 'rounds', 'transfers', 'intact', 'note'],
    n.rows.map((x) => [x.path, x.preset, x.placement, iv(x.MBps, x.ci95_low, x.ci95_high),
      x.frames_per_s === undefined ? '-' : iv(x.frames_per_s.value, x.frames_per_s.ci95_low, x.frames_per_s.ci95_high),
      iv(x.slowdown_vs_monolithic, x.slowdown_ci95_low, x.slowdown_ci95_high, 'x'), x.runs, x.samples,
      x.samples === 0 ? '-' : x.intact ? `yes${x.lost_frames ? ` (${x.lost_frames} frames lost)` : ''}` : 'NO', x.note ?? '']),
    (i) => ` data-path="${esc(n.rows[i]!.path)}" data-preset="${esc(n.rows[i]!.preset)}"`);
  const goals = tableHtml('net-goals', ['goal', 'verdict', 'measured'], n.goals.map((g) => [g.goal, g.verdict, g.measured]), (i) => ` class="v-${n.goals[i]!.verdict.replace(' ', '-')}"`);
  const us = (v: number | null): Cell => ({ text: v === null ? 'not measured' : `${v} µs`, value: v });
  const latency = n.latency.length === 0 ? '' : `<h3>Request/response</h3>
<p class="note">${esc(n.options.rrRounds)} round trips of one byte each way over one TCP connection with TCP_NODELAY per boot of each guest pair (netperf's TCP_RR), after 20 of warm-up: guest-guest between the pair, loopback inside the first machine; linux over the host's 127.0.0.1. Medians over the boots of each boot's p50 and p99; "p50 / monolithic" above 1 is slower.</p>
${tableHtml('net-latency', ['path', 'preset', 'p50', 'p99', 'p50 / monolithic', 'boots', 'round trips per boot'],
    n.latency.map((x) => [x.path, x.preset, us(x.p50_us), us(x.p99_us), { text: x.p50_vs_monolithic === null ? '-' : `${x.p50_vs_monolithic}x`, value: x.p50_vs_monolithic }, x.runs, x.rounds]),
    (i) => ` data-path="${esc(n.latency[i]!.path)}" data-preset="${esc(n.latency[i]!.preset)}"`)}`;
  const lossy = n.lossy.length === 0 ? '' : `<h3>Transfers over a lossy cable</h3>
<p class="note">One transfer of ${esc(n.options.lossBytes / 1024)} KiB guest → guest per preset and drop probability, the cable between the pair dropping each frame, either way, with that probability (seeded: the same run drops the same frames). Completed means every byte arrived intact in time; retransmitted counts the sender's data segments with a sequence number it had sent before (RFC 6298 timeouts, fast retransmit).</p>
${tableHtml('net-lossy', ['preset', 'drop probability', 'completed', 'goodput', 'seconds', 'frames dropped', 'data segments', 'retransmitted'],
    n.lossy.map((x) => [x.preset, { text: `${x.loss * 100}%`, value: x.loss }, x.completed ? 'yes' : `NO${x.note === undefined ? '' : ` (${x.note})`}`,
      { text: x.goodput_MBps === null ? '-' : `${x.goodput_MBps} MB/s`, value: x.goodput_MBps }, { text: x.seconds === null ? '-' : `${x.seconds} s`, value: x.seconds },
      x.dropped_frames, x.data_segments, x.retransmitted]),
    (i) => ` data-preset="${esc(n.lossy[i]!.preset)}" data-loss="${esc(n.lossy[i]!.loss)}"`)}`;
  return `<h2>Network</h2>
<p class="note">TCP throughput of one connection (${esc(n.options.transfers)} transfer(s) of ${esc((n.options.bytes / 1048576).toFixed(1))} MiB per boot, ${esc(n.options.runs)} rounds, each booting every cell once in a seeded order): <b>guest-guest</b> between two machines of the preset joined by one cable (both stacks, both nic drivers, the device rings); <b>loopback</b> over 127.0.0.1 inside one machine; <b>linux</b> the host's own TCP over 127.0.0.1 in the same run. <b>bridge</b>: ${esc(n.options.frames)} frames of 1514 bytes sent into eth0 of a machine whose bridge component forwards them to eth1 (claim C7), each frame checked byte for byte. Median MB/s over every transfer with a bootstrap 95% interval (rounds, then transfers); "monolithic / this" above 1 is slower than monolithic. ${esc(n.seconds)} s.</p>
${rows}
${latency}
${lossy}
<h3>Goals</h3>
${goals}`;
}

/** C8 and C9 side by side: bench ext's rows, and each hostile bug as eBPF (per preset) beside the same bug as a kernel module. */
function extSection(r: LabResult): string {
  if (r.ext === undefined) return '<p>This run measured no safe code in the kernel (lab --no-ext).</p>';
  const { c8, c9 } = r.ext;
  const c8Table = !c8.tested ? `<p>${esc(c8.reason)}</p>` : tableHtml('c8-table', ['part', 'runtime', 'median', 'ratio to the first row of its part', 'what'],
    c8.rows.map((x) => [x.part, x.runtime, x.part === 'recovery' ? `${(x.median_ns / 1e6).toFixed(1)} ms` : formatNs(x.median_ns), `${x.ratio.toFixed(2)}x`, x.note]));
  let c9Table: string;
  if (!c9.tested) c9Table = `<p>${esc(c9.reason)}</p>`;
  else {
    const presets = Object.keys(c9.alive);
    c9Table = tableHtml('c9-table', ['bug', ...presets.map((p) => `eBPF on ${p}${c9.alive[p] ? '' : ' (kernel died)'}`), 'the same bug as a kernel module (insmod extbug-…, monolithic)'],
      c9.modules.map((m) => [m.bug, ...presets.map((p) => {
        const e = c9.ebpf.find((x) => x.preset === p && x.bug === m.bug);
        return e === undefined ? '-' : `${e.refused ? 'refused' : 'LOADED'}: ${e.message}`;
      }), `${m.outcome}: ${m.detail}`]));
  }
  return `<h3>C9: the hostile eBPF set beside the same bugs as kernel modules</h3>
<p class="note">Each row is one bug: written as an eBPF program (test/bpf/c/hostile/) and loaded with bpftool on each preset, and written as a module whose init runs it unchecked (src/services/extbug/extbug.ts), loaded into the monolithic kernel in a fresh machine.</p>
${c9Table}
<h3>C8: the block driver in each domain (kernelkit bench ext)</h3>
${c8Table}`;
}

export function renderReport(r: LabResult): string {
  const m = r.machine;
  const cols = [...new Set(r.results.map(label))];
  const ratio = tableHtml('ratio-table', ['workload', ...cols], r.run.workloads.map((w) => [w, ...cols.map((c): Cell => {
    const x = r.results.find((y) => y.workload === w && label(y) === c);
    return x === undefined || x.ratio_to_monolithic === null ? (x?.note ?? '-') : { text: `${x.ratio_to_monolithic}x [${x.ratio_ci95_low}x – ${x.ratio_ci95_high}x]`, value: x.ratio_to_monolithic };
  })]));
  const faults = r.faults.length === 0 ? '<p>No fault campaign in this run.</p>' : tableHtml('fault-table',
    ['preset', 'component', 'type', 'injected', 'survived %', 'completed %', 'recovery ms p50', 'recovery ms p99', 'failed requests', 'data lost', 'corruption caught', 'volatile files lost', 'boots', 'panics', 'stuck', 'boots with damaged system files', 'of those repaired %', 'connections lost / open at the faults'],
    r.faults.map((c) => [c.preset, c.component, c.type, c.injected, c.survived_pct, c.completed_pct, num(c.recovery_ms_p50), num(c.recovery_ms_p99), c.failed_requests, c.data_lost, c.corruption_caught, c.volatile_lost, c.boots, c.panics, c.stuck, c.damaged_boots ?? 0, num(c.damage_recovered_pct ?? null), isNetCell(c.component) ? `${c.connections_lost ?? 0} / ${c.connections_open ?? 0}` : '-']));
  const tcb = tableHtml('tcb-table', ['preset', 'kernel-domain lines', 'total lines', 'kernel share', 'in the kernel domain', 'in user domains'],
    r.tcb.map((t) => [t.preset, t.kernel_loc, t.total_loc, `${Math.round((100 * t.kernel_loc) / t.total_loc)}%`, ['core', ...t.kernel_components].join(', '), t.user_components.join(', ') || '-']));
  const claimsTable = tableHtml('claims', ['claim', 'verdict', 'held when', 'what this run measured', 'why this verdict', 'published figure (context)'],
    r.claims.map((c) => [`${c.id}: ${c.claim}`, c.verdict, c.threshold, c.measured, c.reason, c.published]), (i) => ` data-claim="${r.claims[i]!.id}" class="v-${r.claims[i]!.verdict.replace(' ', '-')}"`);
  const targetsTable = tableHtml('targets', ['performance target', 'verdict', 'measured'], r.targets.map((t) => [t.target, t.verdict, t.measured]), (i) => ` class="v-${r.targets[i]!.verdict.replace(' ', '-')}"`);
  const refs = tableHtml('reference-table', ['reference', 'median', 'p99'], [
    ['raw spin round trip, two threads on a SharedArrayBuffer', formatNs(r.reference.spin_rt_ns), formatNs(r.reference.spin_rt_p99_ns)],
    ...Object.entries(r.reference.ipc_rt_ns).map(([k, v]) => [`direct two-thread channel, ${k === 'shm' ? "the kernel's shm channel code, fixed wire" : 'MessagePort'} (${k})`, formatNs(v ?? NaN), formatNs((r.reference.ipc_rt_p99_ns as Record<string, number | undefined>)[k] ?? NaN)]),
  ]);
  const charts = r.run.workloads.map((w) => {
    const wl = WORKLOADS.find((x) => x.name === w);
    const hasTp = r.results.some((x) => x.workload === w && x.throughput !== null);
    return `<figure class="chart"><figcaption>${esc(wl?.title ?? w)} — ${esc(wl?.op ?? '')}</figcaption><canvas id="chart-${esc(w)}" width="560" height="280"></canvas>${hasTp ? `<canvas id="chart-${esc(w)}-throughput" width="560" height="230"></canvas>` : ''}</figure>`;
  }).join('\n');
  const network = networkSection(r);
  const notes = [...new Map(r.results.filter((x) => x.note !== undefined || x.retried !== undefined).map((x) => [label(x), [x.note, x.retried].filter((n) => n !== undefined).join('; ')])).entries()];
  const data = JSON.stringify(r).replace(/</g, '\\u003c');
  const busy = r.run.loadavg_start > m.cores || r.run.loadavg_end > m.cores;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kernelkit lab report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1250px; color: #1d232a; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #d7dde3; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 13px; }
th, td { border: 1px solid #d7dde3; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f1f4f7; } td:not(:first-child) { font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.chart { margin: 0; border: 1px solid #e3e8ec; padding: 8px; width: 580px; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.v-held, .v-met { background: #e8f6ea; } .v-not-held, .v-missed { background: #fdecea; } .v-not-tested { background: #f4f4f4; } .v-inconclusive { background: #fff6dd; }
.machine td:first-child { font-weight: 600; } .note { color: #56606b; font-size: 13px; } .warn { background: #fff6dd; padding: 6px 10px; border: 1px solid #f0d68a; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 13px; margin: 0.5em 0; align-items: center; }
.legend span.sw { display: inline-block; width: 14px; height: 14px; margin-right: 5px; vertical-align: -2px; border: 1px solid #0002; }
</style></head><body>
<h1>kernelkit lab report</h1>
<p class="note">Every figure below was measured in this run on this machine; ratios compare presets measured side by side in the same session, and <b>native</b> is the host's own Linux running the same workloads (C programs built at lab time). Published figures are context only. The method is described in docs/lab.md of the kernelkit repository.</p>
${busy ? `<p class="note warn">The host was busy (load ${esc(r.run.loadavg_start)} at the start, ${esc(r.run.loadavg_end)} at the end, on ${esc(m.cores)} cores): threads that spin-wait only help when their partner holds another core, so latencies are bimodal (about 1 µs when they do, one wake-up, tens of µs, when they do not). The intervals below include that run-to-run disagreement; compare ratios within this run, not absolute figures across runs.</p>` : ''}
<h2>Machine and method</h2>
${tableHtml('machine', ['', ''], [['CPU', m.cpu], ['cores', m.cores], ['memory', `${m.memory_gib} GiB`], ['Node', m.node], ['OS', m.os], ['load (1 min) at start / end', `${r.run.loadavg_start} / ${r.run.loadavg_end}`], ['date', m.date], ['presets', r.run.presets.join(', ')], ['transports', r.run.ipc.join(', ')], ['workloads', r.run.workloads.join(', ')], ['runs per cell', `${r.run.runs}, interleaved: each round boots every cell once, in a seeded order`], ['statistics', `median of all samples pooled; 95% interval by a hierarchical bootstrap (${r.run.bootstrap_replicates} resamples: runs with replacement, then samples within each run); spread = 25th–75th percentile of the samples; p99 by nearest rank (the maximum when a cell has fewer than 100 samples)`], ['native column', r.run.native], ['quick', String(r.run.quick)], ['seed', r.run.seed], ['duration', `${r.run.seconds} s`]])}
${notes.length > 0 ? `<h3>Cells not measured, short of runs, or booted again</h3><ul id="not-measured">${notes.map(([c, n]) => `<li><b>${esc(c)}</b>: ${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>The claims, tested</h2>
<p class="note">A timing claim is <b>held</b> or <b>not held</b> only when the whole 95% interval of its figure is on one side of the threshold; when the interval straddles the threshold the verdict is <b>inconclusive</b> and the "why" column says which interval. <b>Not tested</b>: the run did not measure what the claim needs.</p>
${claimsTable}
<h2>Safe code in the kernel (C8, C9)</h2>
${extSection(r)}
<h3>Performance targets</h3>
${targetsTable}
<h2>Latency and throughput per workload</h2>
<div class="legend" id="legend">
<span><span class="sw" style="background:#4e79a7"></span>monolithic</span>
<span><span class="sw" style="background:#59a14f"></span>microkernel/shm</span>
<span><span class="sw" style="background:#e15759"></span>microkernel/postmessage</span>
<span><span class="sw" style="background:#b07aa1"></span>microkernel/mach</span>
<span><span class="sw" style="background:#8cd17d"></span>hybrid/shm</span>
<span><span class="sw" style="background:#ff9d9a"></span>hybrid/postmessage</span>
<span><span class="sw" style="background:#d4a6c8"></span>hybrid/mach</span>
<span><span class="sw" style="background:#9c9c9c"></span>native (Linux on this machine)</span>
<span>│ black whisker: 95% CI of the median</span>
<span>┆ grey line beside it: p25–p75 spread</span>
</div>
<p class="note">Bars: median per operation. The axes are logarithmic (native and kernelkit differ by orders of magnitude) and labelled with their unit. Throughput charts (MB/s, higher is better) where a workload moves data.</p>
<div class="charts">
${charts}
</div>
<h2>Ratio to monolithic (median [95% CI], same session)</h2>
${ratio}
<h2>All results</h2>
${resultsTable(r)}
<h2>Physical references</h2>
${refs}
${network}
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
const label = (x) => x.ipc === 'none' ? (x.preset === 'native' ? 'native (Linux)' : x.preset) : x.preset + '/' + x.ipc;
const COLOURS = { monolithic: '#4e79a7', 'microkernel/shm': '#59a14f', 'microkernel/postmessage': '#e15759', 'microkernel/mach': '#b07aa1', 'hybrid/shm': '#8cd17d', 'hybrid/postmessage': '#ff9d9a', 'hybrid/mach': '#d4a6c8', 'native (Linux)': '#9c9c9c' };
const colour = (x) => COLOURS[label(x)] || '#76b7b2';
// A duration in µs as text with the unit that reads best.
// Log-axis ticks: label 1 and 3 of each decade only, or the labels collide.
const decade = (fmt) => (v) => { const m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9)); return Math.abs(m - 1) < 1e-6 || Math.abs(m - 3) < 1e-6 ? fmt(v) : ''; };
const dur = (us) => us < 1 ? +(us * 1000).toPrecision(3) + ' ns' : us < 1000 ? +us.toPrecision(3) + ' µs' : us < 1e6 ? +(us / 1000).toPrecision(3) + ' ms' : +(us / 1e6).toPrecision(3) + ' s';
// Draws each bar's interval (black, capped) and spread (grey, beside it) on the canvas.
const whiskers = {
  id: 'whiskers',
  afterDatasetsDraw(chart) {
    const ds = chart.data.datasets[0], meta = chart.getDatasetMeta(0), y = chart.scales.y, g = chart.ctx;
    g.save();
    meta.data.forEach((bar, i) => {
      const e = ds.intervals[i], s = ds.spreads && ds.spreads[i];
      const line = (x, lo, hi, cap, style) => {
        if (lo == null || hi == null) return;
        const top = y.getPixelForValue(hi), bottom = y.getPixelForValue(lo);
        g.strokeStyle = style; g.lineWidth = 1.5; g.beginPath();
        g.moveTo(x, top); g.lineTo(x, bottom);
        if (cap) { g.moveTo(x - cap, top); g.lineTo(x + cap, top); g.moveTo(x - cap, bottom); g.lineTo(x + cap, bottom); }
        g.stroke();
      };
      line(bar.x, e[0], e[1], Math.min(8, bar.width / 3), '#1d232a');
      if (s) line(bar.x + Math.min(12, bar.width / 2.5), s[0], s[1], 3, '#7a828a');
    });
    g.restore();
  },
};
Chart.defaults.animation = false;
for (const w of R.run.workloads) {
  const rows = R.results.filter((x) => x.workload === w && x.median_us !== null);
  const top = Math.max(...rows.map((x) => Math.max(x.ci95_high_us, x.p75_us)));
  new Chart(document.getElementById('chart-' + w), {
    type: 'bar', plugins: [whiskers],
    data: { labels: rows.map(label), datasets: [{ label: 'median', data: rows.map((x) => x.median_us), backgroundColor: rows.map(colour),
      intervals: rows.map((x) => [x.ci95_low_us, x.ci95_high_us]), spreads: rows.map((x) => [x.p25_us, x.p75_us]) }] },
    options: { responsive: false, plugins: { legend: { display: false }, title: { display: true, text: 'median per operation, 95% CI and spread (lower is better)' },
      tooltip: { callbacks: { label: (c) => { const x = rows[c.dataIndex]; return 'median ' + dur(x.median_us) + ', 95% CI ' + dur(x.ci95_low_us) + ' – ' + dur(x.ci95_high_us) + ', p99 ' + dur(x.p99_us); } } } },
      scales: { y: { type: 'logarithmic', max: top * 1.5, title: { display: true, text: 'time per operation (log scale)' }, ticks: { autoSkip: false, callback: decade(dur) } } } },
  });
  const tp = document.getElementById('chart-' + w + '-throughput');
  const tpRows = rows.filter((x) => x.throughput);
  if (tp && tpRows.length > 0) new Chart(tp, {
    type: 'bar', plugins: [whiskers],
    data: { labels: tpRows.map(label), datasets: [{ label: tpRows[0].throughput.unit, data: tpRows.map((x) => x.throughput.value), backgroundColor: tpRows.map(colour),
      intervals: tpRows.map((x) => [x.throughput.ci95_low, x.throughput.ci95_high]) }] },
    options: { responsive: false, plugins: { legend: { display: false }, title: { display: true, text: tpRows[0].throughput.unit + ', 95% CI (higher is better)' } },
      scales: { y: { type: 'logarithmic', max: Math.max(...tpRows.map((x) => x.throughput.ci95_high)) * 1.5, title: { display: true, text: tpRows[0].throughput.unit + ' (log scale)' }, ticks: { autoSkip: false, callback: decade((v) => +v.toPrecision(3) + ' ' + tpRows[0].throughput.unit) } } } },
  });
}
document.body.dataset.chartsReady = 'yes';
</script>
</body></html>
`;
}

// `kernelkit lab --quick --json`: one valid JSON object with every preset x workload x
// transport cell and the native column, each with its runs, a median inside its
// bootstrap interval and a ratio to monolithic with its interval; a transport this
// build refuses is a "not measured" cell with the reason, not a crash; claims carry
// one of the four verdicts, consistent with the intervals they were judged on; the
// network section has its rows on every preset, every transfer intact, and C7 is judged
// from its bridge rows; the
// same object in results.json; and a report.html whose charts render (bars and
// whiskers) in headless Chromium and whose tables hold the numbers of results.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { kernelkit } from './cli.js';
import { presetNames, hasUserDomain, LAB_TRANSPORTS, unsupportedTransport } from '../../src/lab/boot.js';
import { WORKLOAD_NAMES } from '../../src/lab/workloads.js';
import { buildNative } from '../../src/lab/native.js';
import { COMPONENTS } from '../../src/hosts/components.js';
import { packageRoot } from '../../src/hosts/node/machine.js';
import { NET_SIZES } from '../../src/lab/bench-net.js';
import { judgeC7 } from '../../src/lab/net-rows.js';
import { significant } from '../../src/lab/stats.js';
import type { LabResult, LabRow } from '../../src/lab/lab.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-lab-'));
let lab: LabResult | undefined;
const QUICK_RUNS = 3;

function checkMeasured(c: LabRow, what: string): void {
  assert.equal(c.note, undefined, `${what}: ${c.note}`);
  assert.equal(c.runs, QUICK_RUNS, `${what} runs`);
  assert.equal(c.run_medians_us.length, QUICK_RUNS, `${what} run medians`);
  const [m, lo, hi, p99] = [c.median_us!, c.ci95_low_us!, c.ci95_high_us!, c.p99_us!];
  assert.ok(m > 0 && Number.isFinite(m), `${what} median ${m}`);
  assert.ok(lo <= m && m <= hi, `${what}: median ${m} outside its interval [${lo}, ${hi}]`);
  assert.ok(p99 >= m, `${what} p99 ${p99} < median ${m}`);
  assert.ok(c.p25_us! <= m && m <= c.p75_us!, `${what} spread`);
  const [r, rlo, rhi] = [c.ratio_to_monolithic!, c.ratio_ci95_low!, c.ratio_ci95_high!];
  assert.ok(r > 0 && Number.isFinite(r) && rlo <= r && r <= rhi, `${what} ratio ${r} [${rlo}, ${rhi}]`);
  if (c.workload === 'pipe' || c.workload === 'seqio') {
    const t = c.throughput!;
    assert.equal(t.unit, 'MB/s');
    assert.ok(t.ci95_low <= t.value && t.value <= t.ci95_high, `${what} throughput interval`);
  } else assert.equal(c.throughput, null);
}

test('lab --quick --json: every preset x workload x transport cell and native, with runs, intervals and ratios', async () => {
  const r = await kernelkit(['lab', '--quick', '--json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as LabResult;
  lab = result;
  assert.deepEqual(Object.keys(result), ['machine', 'results', 'reference', 'faults', 'tcb', 'net', 'run', 'ext', 'claims', 'targets']);
  assert.ok(result.machine.cores > 0 && result.machine.node.startsWith('v'));
  assert.equal(result.run.runs, QUICK_RUNS);
  assert.ok(result.run.loadavg_start >= 0 && result.run.loadavg_end >= 0);
  let expected = 0;
  for (const preset of presetNames()) {
    const transports = hasUserDomain(preset) ? [...LAB_TRANSPORTS] : ['none'];
    for (const ipc of transports) {
      for (const workload of WORKLOAD_NAMES) {
        expected++;
        const cells = result.results.filter((x) => x.preset === preset && x.ipc === ipc && x.workload === workload);
        assert.equal(cells.length, 1, `${preset}/${ipc}/${workload}`);
        const c = cells[0]!;
        const refused = ipc === 'none' ? undefined : unsupportedTransport(ipc as never);
        if (refused !== undefined) {
          // A transport the running build does not have: recorded, with the reason.
          assert.equal(c.median_us, null);
          assert.equal(c.runs, 0);
          assert.equal(c.note, refused);
          continue;
        }
        checkMeasured(c, `${preset}/${ipc}/${workload}`);
        if (preset === 'monolithic') assert.deepEqual([c.ratio_to_monolithic, c.ratio_ci95_low, c.ratio_ci95_high], [1, 1, 1]);
      }
    }
  }
  const native = buildNative();
  for (const workload of WORKLOAD_NAMES) {
    expected++;
    const c = result.results.find((x) => x.preset === 'native' && x.workload === workload);
    assert.ok(c !== undefined, `native ${workload}`);
    assert.equal(c.ipc, 'none');
    if (native.ok) checkMeasured(c, `native/${workload}`);
    else assert.match(c.note ?? '', /^not measured: no C compiler/);
  }
  assert.equal(result.results.length, expected);
  assert.match(result.run.native, native.ok ? /^measured: nbench built with / : /^not measured/);
  assert.ok(result.reference.spin_rt_ns > 0);
  assert.ok((result.reference.ipc_rt_ns.shm ?? 0) > 0 && (result.reference.ipc_rt_ns.postmessage ?? 0) > 0);
  assert.ok(result.faults.length > 0, 'the quick lab runs a small fault campaign');
  for (const t of result.tcb) assert.ok(t.kernel_loc > 0 && t.kernel_loc <= t.total_loc, JSON.stringify(t));
  // The network section: every preset's guest-guest, loopback and bridge rows, Linux's loopback, all intact.
  const net = result.net!;
  assert.equal(net.options.runs, NET_SIZES.quick.runs);
  for (const preset of presetNames()) {
    for (const p of ['guest-guest', 'loopback', 'bridge']) {
      const x = net.rows.find((y) => y.preset === preset && y.path === p);
      assert.ok(x !== undefined && x.MBps !== null && x.runs === NET_SIZES.quick.runs && x.intact, `net ${preset} ${p}: ${JSON.stringify(x)}`);
    }
  }
  assert.ok(net.rows.some((x) => x.preset === 'linux' && x.MBps !== null && x.intact));
  // Round trips on both paths of every preset and Linux's loopback, each relative to monolithic on its path.
  assert.equal(net.options.rrRounds, NET_SIZES.quick.rr);
  for (const preset of presetNames()) {
    for (const p of ['guest-guest', 'loopback']) {
      const x = net.latency.find((y) => y.preset === preset && y.path === p);
      assert.ok(x !== undefined && x.p50_us !== null && x.p99_us !== null && x.p50_us > 0 && x.p99_us >= x.p50_us && x.runs === NET_SIZES.quick.runs && x.rounds === NET_SIZES.quick.rr, `round trips ${preset} ${p}: ${JSON.stringify(x)}`);
      const mono = net.latency.find((y) => y.preset === 'monolithic' && y.path === p)!;
      assert.equal(x.p50_vs_monolithic, significant(x.p50_us / mono.p50_us!), `${preset} ${p} against monolithic`);
    }
  }
  assert.ok(net.latency.some((x) => x.preset === 'linux' && x.path === 'loopback' && x.p50_us !== null && x.p50_us > 0));
  // One transfer per preset and drop probability over a lossy cable: each completes whole (TCP
  // recovers every dropped frame), and the wire saw drops and the sender's resends.
  assert.deepEqual(net.options.lossRates, NET_SIZES.quick.lossRates);
  assert.equal(net.lossy.length, presetNames().length * NET_SIZES.quick.lossRates.length);
  for (const preset of presetNames()) {
    for (const loss of NET_SIZES.quick.lossRates) {
      const x = net.lossy.find((y) => y.preset === preset && y.loss === loss);
      assert.ok(x !== undefined && x.completed && x.bytes === NET_SIZES.quick.lossKib * 1024, `lossy ${preset} ${loss}: ${JSON.stringify(x)}`);
      assert.ok(x.goodput_MBps !== null && x.goodput_MBps > 0 && x.seconds !== null && x.data_segments > 0, JSON.stringify(x));
      assert.ok(x.retransmitted <= x.data_segments && x.dropped_frames >= 0, JSON.stringify(x));
    }
  }
  // The cables did drop frames (about 5 in 100 of each 5% transfer's ~100 frames), and every transfer still completed above.
  assert.ok(net.lossy.some((x) => x.loss === 0.05 && x.dropped_frames > 0), JSON.stringify(net.lossy));
  const saved = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as LabResult;
  assert.deepEqual(saved, result, 'results.json holds the printed object');
});

test('lab claims: four verdicts, consistent with the intervals in results; C13 without the module is not tested; C14 from the nic and net crash cells', () => {
  assert.ok(lab !== undefined, 'needs the lab run above');
  assert.deepEqual(lab.claims.map((c) => c.id), ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C13', 'C14']);
  // The quick lab breaks nic and net during transfers on microkernel and hybrid, and C14 is judged from those cells.
  for (const [preset, component] of [['microkernel', 'nic'], ['microkernel', 'net'], ['hybrid', 'nic'], ['hybrid', 'net']]) {
    assert.ok(lab.faults.some((c) => c.preset === preset && c.component === component && c.type === 'crash' && c.injected > 0), `${preset} ${component} crash cell`);
  }
  assert.notEqual(lab.claims.find((c) => c.id === 'C14')!.verdict, 'not tested');
  for (const c of lab.claims) {
    assert.ok(['held', 'not held', 'inconclusive', 'not tested'].includes(c.verdict), `${c.id}: ${c.verdict}`);
    assert.ok(c.measured.length > 0 && c.threshold.length > 0 && c.reason.length > 0, c.id);
  }
  // C1 is judged on microkernel/shm smallfile's ratio interval against 2x.
  const file = lab.results.find((x) => x.preset === 'microkernel' && x.ipc === 'shm' && x.workload === 'smallfile')!;
  const c1 = lab.claims.find((c) => c.id === 'C1')!;
  const [lo, hi] = [file.ratio_ci95_low!, file.ratio_ci95_high!];
  if (lo > 2.01) assert.equal(c1.verdict, 'held');
  else if (hi < 1.99) assert.equal(c1.verdict, 'not held');
  else if (lo < 1.99 && hi > 2.01) { assert.equal(c1.verdict, 'inconclusive'); assert.match(c1.reason, /straddles/); }
  // C7 is the rule's verdict on the run's own bridge rows.
  const c7 = lab.claims.find((c) => c.id === 'C7')!;
  assert.equal(c7.verdict, judgeC7(lab.net?.rows).verdict);
  assert.notEqual(c7.verdict, 'not tested', c7.reason);
  // C9 from the probe this run made: every hostile program refused on every preset, the modules' harm beside it.
  const c9 = lab.claims.find((c) => c.id === 'C9')!;
  if (lab.ext?.c9.tested === true) {
    assert.ok(lab.ext.c9.ebpf.every((e) => e.refused), JSON.stringify(lab.ext.c9.ebpf.filter((e) => !e.refused)));
    assert.notEqual(c9.verdict, 'not held');
    assert.match(c9.measured, /hostile loads refused/);
  }
  const c13 = lab.claims.find((c) => c.id === 'C13')!;
  if (!('usbgadget' in COMPONENTS)) {
    assert.equal(c13.verdict, 'not tested');
    assert.match(c13.measured, /not tested: no usbgadget module/);
  }
});

test('report.html renders its charts with whiskers offline in headless Chromium; its tables hold the numbers of results.json', async () => {
  assert.ok(lab !== undefined, 'needs the lab run above');
  const file = path.join(out, 'report.html');
  const html = fs.readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=/, 'no external scripts: the report opens offline');
  // Every file the report names ships in the repository; nothing outside it is cited.
  const prose = html.replace(/<script[\s\S]*?<\/script>/g, '');
  assert.doesNotMatch(prose, /shared\/|CLAIMS\.md|\bissue \d/);
  for (const p of prose.match(/\b(?:docs|src)\/[\w./-]*\w/g) ?? []) assert.ok(fs.existsSync(path.join(packageRoot, p)), `the report cites ${p}, which is not in the repository`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-charts-ready="yes"]', { timeout: 20000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'no network requests');
    // Every workload has a chart; every chart drew something, and the whiskers (the
    // only near-black strokes on a chart) are there.
    type Canvas = { id: string; width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const canvases = await page.$$eval('canvas', (cs) => cs.map((element) => {
      const c = element as unknown as Canvas;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0, whisker = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3]! > 0) painted++;
        if (d[i + 3]! > 200 && d[i]! < 45 && d[i + 1]! < 50 && d[i + 2]! < 55) whisker++;
      }
      return { id: c.id, painted, whisker };
    }));
    for (const w of lab.run.workloads) assert.ok(canvases.some((c) => c.id === `chart-${w}`), `chart for ${w}`);
    for (const c of canvases) {
      assert.ok(c.painted > 500, `${c.id} is blank (${c.painted} painted pixels)`);
      assert.ok(c.whisker > 20, `${c.id} has no whiskers (${c.whisker} dark pixels)`);
    }
    assert.match(await page.textContent('#legend') ?? '', /native \(Linux on this machine\).*95% CI.*p25–p75/s);
    // Each row's cells of a report table: text and the data-value the report gives numbers.
    const cellsOf = (id: string): Promise<{ text: string; value: string | null }[][]> => page.$$eval(`${id} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => ({ text: td.textContent ?? '', value: td.getAttribute('data-value') }))));
    // The results table holds results.json's numbers, row by row, each with its unit.
    const rows = await cellsOf('#results-table');
    assert.equal(rows.length, lab.results.length);
    const value = (v: string | null): number | null => (v === null || v === '-' ? null : Number(v));
    lab.results.forEach((x, i) => {
      const r = rows[i]!;
      assert.deepEqual(r.slice(0, 3).map((c) => c.text), [x.preset, x.ipc, x.workload]);
      assert.equal(value(r[3]!.value), x.median_us);
      assert.equal(value(r[4]!.value), x.ci95_low_us);
      assert.equal(value(r[6]!.value), x.p99_us);
      assert.equal(value(r[8]!.value), x.ratio_to_monolithic);
      if (x.median_us !== null) assert.match(r[3]!.text, /^[\d.]+ (ns|µs|ms|s)$/);
      else assert.equal(r[3]!.text, 'not measured');
      assert.equal(r[12]!.text, [x.note, x.retried].filter((n) => n !== undefined).join('; '));
    });
    const faultRows = await page.$$eval('#fault-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.equal(faultRows.length, lab.faults.length);
    lab.faults.forEach((f, i) => {
      assert.deepEqual(faultRows[i]!.slice(0, 6), [f.preset, f.component, f.type, String(f.injected), String(f.survived_pct), String(f.completed_pct)]);
      assert.equal(faultRows[i]![9], String(f.data_lost));
    });
    const tcbRows = await page.$$eval('#tcb-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(tcbRows.map((r) => r.slice(0, 3)), lab.tcb.map((t) => [t.preset, String(t.kernel_loc), String(t.total_loc)]));
    const netRows = await cellsOf('#net-table');
    assert.equal(netRows.length, lab.net!.rows.length);
    lab.net!.rows.forEach((x, i) => {
      assert.deepEqual(netRows[i]!.slice(0, 2).map((c) => c.text), [x.path, x.preset]);
      assert.equal(value(netRows[i]![3]!.value), x.MBps);
    });
    const latencyRows = await cellsOf('#net-latency');
    assert.equal(latencyRows.length, lab.net!.latency.length);
    assert.ok(latencyRows.length > 0, 'the report shows the round trips');
    lab.net!.latency.forEach((x, i) => {
      assert.deepEqual(latencyRows[i]!.slice(0, 2).map((c) => c.text), [x.path, x.preset]);
      assert.equal(value(latencyRows[i]![2]!.value), x.p50_us);
    });
    const lossyRows = await cellsOf('#net-lossy');
    assert.equal(lossyRows.length, lab.net!.lossy.length);
    assert.ok(lossyRows.length > 0, 'the report shows the lossy transfers');
    lab.net!.lossy.forEach((x, i) => {
      assert.equal(lossyRows[i]![0]!.text, x.preset);
      assert.equal(value(lossyRows[i]![1]!.value), x.loss);
      assert.equal(lossyRows[i]![2]!.text === 'yes', x.completed);
      assert.equal(value(lossyRows[i]![3]!.value), x.goodput_MBps);
      assert.deepEqual(lossyRows[i]!.slice(5).map((c) => c.text), [String(x.dropped_frames), String(x.data_segments), String(x.retransmitted)]);
    });
    const claims = await page.$$eval('#claims tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-claim'), tr.querySelectorAll('td')[1]?.textContent]));
    assert.deepEqual(claims, lab.claims.map((c) => [c.id, c.verdict]));
    if (process.env.KERNELKIT_LAB_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.KERNELKIT_LAB_SCREENSHOT, fullPage: true });
  } finally {
    await browser.close();
  }
});

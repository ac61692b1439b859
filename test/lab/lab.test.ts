// `kernelkit lab --quick --json`: one valid JSON object with every preset x workload x
// transport cell and a ratio to monolithic for each, the same object in
// results.json, and a report.html whose charts render in headless Chromium and whose
// tables hold the numbers from results.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { kernelkit } from './cli.js';
import { presetNames, hasUserDomain } from '../../src/lab/boot.js';
import { WORKLOAD_NAMES } from '../../src/lab/workloads.js';
import type { LabResult } from '../../src/lab/lab.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-lab-'));
let lab: LabResult | undefined;

test('lab --quick --json: every preset x workload x transport cell, each with a ratio to monolithic', async () => {
  const r = await kernelkit(['lab', '--quick', '--json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as LabResult;
  lab = result;
  assert.deepEqual(Object.keys(result).slice(0, 5), ['machine', 'results', 'reference', 'faults', 'tcb']);
  assert.ok(result.machine.cores > 0 && result.machine.node.startsWith('v'));
  for (const preset of presetNames()) {
    const transports = hasUserDomain(preset) ? ['shm', 'postmessage'] : ['none'];
    for (const ipc of transports) {
      for (const workload of WORKLOAD_NAMES) {
        const cells = result.results.filter((x) => x.preset === preset && x.ipc === ipc && x.workload === workload);
        assert.equal(cells.length, 1, `${preset}/${ipc}/${workload}`);
        const c = cells[0]!;
        assert.ok(c.median_us > 0 && Number.isFinite(c.median_us), `${preset}/${ipc}/${workload} median ${c.median_us}`);
        assert.ok(c.p99_us >= c.median_us, `${preset}/${ipc}/${workload} p99 ${c.p99_us} < median ${c.median_us}`);
        assert.ok(c.ratio_to_monolithic > 0 && Number.isFinite(c.ratio_to_monolithic), `${preset}/${ipc}/${workload} ratio`);
        if (preset === 'monolithic') assert.equal(c.ratio_to_monolithic, 1);
        if (workload === 'pipe' || workload === 'seqio') assert.equal(c.throughput?.unit, 'MB/s');
        else assert.equal(c.throughput, null);
      }
    }
  }
  assert.equal(result.results.length, WORKLOAD_NAMES.length * presetNames().reduce((a, p) => a + (hasUserDomain(p) ? 2 : 1), 0));
  assert.ok(result.reference.spin_rt_ns > 0);
  assert.ok((result.reference.ipc_rt_ns.shm ?? 0) > 0 && (result.reference.ipc_rt_ns.postmessage ?? 0) > 0);
  assert.ok(result.faults.length > 0, 'the quick lab runs a small fault campaign');
  for (const t of result.tcb) assert.ok(t.kernel_loc > 0 && t.kernel_loc <= t.total_loc, JSON.stringify(t));
  const saved = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as LabResult;
  assert.deepEqual(saved, result, 'results.json holds the printed object');
});

test('report.html renders its charts offline in headless Chromium and its tables hold the numbers of results.json', async () => {
  assert.ok(lab !== undefined, 'needs the lab run above');
  const file = path.join(out, 'report.html');
  const html = fs.readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=/, 'no external scripts: the report opens offline');
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
    // Every workload has a chart, and every chart drew something.
    type Canvas = { id: string; width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const canvases = await page.$$eval('canvas', (cs) => cs.map((element) => {
      const c = element as unknown as Canvas;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) painted++;
      return { id: c.id, painted };
    }));
    for (const w of lab.run.workloads) assert.ok(canvases.some((c) => c.id === `chart-${w}`), `chart for ${w}`);
    for (const c of canvases) assert.ok(c.painted > 500, `${c.id} is blank (${c.painted} painted pixels)`);
    // The results table holds results.json's numbers, row by row.
    const rows = await page.$$eval('#results-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.equal(rows.length, lab.results.length);
    lab.results.forEach((x, i) => {
      const r = rows[i]!;
      assert.deepEqual(r.slice(0, 3), [x.preset, x.ipc, x.workload]);
      assert.equal(Number(r[3]), x.median_us);
      assert.equal(Number(r[4]), x.p99_us);
      assert.equal(Number(r[6]), x.ratio_to_monolithic);
    });
    const faultRows = await page.$$eval('#fault-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.equal(faultRows.length, lab.faults.length);
    lab.faults.forEach((f, i) => {
      assert.deepEqual(faultRows[i]!.slice(0, 6), [f.preset, f.component, f.type, String(f.injected), String(f.survived_pct), String(f.completed_pct)]);
      assert.equal(faultRows[i]![9], String(f.data_lost));
    });
    const tcbRows = await page.$$eval('#tcb-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(tcbRows.map((r) => r.slice(0, 3)), lab.tcb.map((t) => [t.preset, String(t.kernel_loc), String(t.total_loc)]));
    const claims = await page.$$eval('#claims tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-claim'), tr.querySelectorAll('td')[1]?.textContent]));
    assert.deepEqual(claims.map((c) => c[0]), ['C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
    for (const [, verdict] of claims) assert.ok(['held', 'not held', 'not tested'].includes(verdict ?? ''), String(verdict));
    if (process.env.KERNELKIT_LAB_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.KERNELKIT_LAB_SCREENSHOT, fullPage: true });
  } finally {
    await browser.close();
  }
});

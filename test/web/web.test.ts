// The browser lab in a real browser (Debian chromium via playwright-core): served by
// `kernelkit web` (headers set by the server) and by a plain static server that sets
// none (the site's service worker adds them). The page boots each preset and its
// terminal runs commands; the fault buttons restart a user-domain driver or panic the
// kernel; the disk persists across reloads and downloads as an image e2fsck accepts;
// the architecture view shows each component in its preset's domain and counts calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { LabResult } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/hosts/node/machine.js';
import { loadPreset, presetNames } from '../../src/hosts/presets.js';
import { bootComponents } from '../../src/hosts/components.js';
import { buildSite, serveSite, SITE, type Served } from '../../src/cli/web-server.js';
import { launch, labPage, pane, waitForPrompt, run, screenLines } from './browser.js';

/** What the page's elements offer code that runs in the page (no DOM types here). */
type Attributed = { getAttribute(name: string): string | null };

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-web-'));
let browser: Browser;
let server: ChildProcess | undefined;
let url = '';
let plain: Served;

/** Starts `kernelkit web --port 0` and reads the URL it prints (bounded wait). */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'web', '--port', '0'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let text = '', errors = '';
    const timer = setTimeout(() => reject(new Error(`kernelkit web printed no URL in 60 s: ${text} ${errors}`)), 60_000);
    child.stderr!.on('data', (b: Buffer) => { errors += b.toString(); });
    child.stdout!.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /kernelkit web: (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(text);
      if (m !== null) { clearTimeout(timer); resolve(m[1]!); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kernelkit web exited (${code}): ${errors}`)); });
  });
}

before(async () => {
  buildSite();
  url = await startServer();
  plain = await serveSite(SITE, 0, false);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await plain?.close();
  fs.rmSync(out, { recursive: true, force: true });
});

test('kernelkit web: COOP and COEP on every response, the page, a script and a missing file alike', async () => {
  for (const p of ['', 'app.js', 'kernel-worker.js', 'no-such-file']) {
    const r = await fetch(url + p);
    assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin', p);
    assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp', p);
    assert.equal(r.status, p === 'no-such-file' ? 404 : 200, p);
  }
  // Nothing outside the site is served.
  const r = await fetch(url + '..%2f..%2fpackage.json');
  assert.equal(r.status, 404);
  assert.equal(new URL(url).hostname, '127.0.0.1');
});

test('a bad --port is refused with one line and status 2', () => {
  const r = spawnSync(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'web', '--port', 'eighty'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad --port 'eighty'/);
});

for (const preset of presetNames()) {
  test(`${preset}: boots in the page, the terminal runs 'echo hi | wc -c', uname names the preset, the diagram places every component`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const { page, errors } = await labPage(context);
      await page.goto(`${url}?preset=${preset}`);
      const p = pane(page);
      await waitForPrompt(p);
      assert.match((await screenLines(p)).at(-1)!, /\$$/, 'the prompt ends in $');
      assert.deepEqual(await run(p, 'echo hi | wc -c'), ['3']);
      const uname = await run(p, 'uname -a');
      assert.match(uname.join('\n'), new RegExp(`\\b${preset}\\b`));
      // Every component booted, in the domain its preset gives it (the component table's view, refreshed twice a second).
      const placement = loadPreset(preset).placement;
      await p.locator('.component[data-restarts]').nth(bootComponents(1).length - 1).waitFor({ timeout: 10_000 });
      const boxes = await p.locator('.component[data-restarts]').evaluateAll((bs) => bs.map((b) => [(b as unknown as Attributed).getAttribute('data-component'), (b as unknown as Attributed).getAttribute('data-domain')]));
      assert.deepEqual(Object.fromEntries(boxes), Object.fromEntries(bootComponents(1).map((c) => [c, (placement as Record<string, string>)[c]])));
      // The channels' counts grow while a workload runs.
      const calls = async (): Promise<number> => (await p.locator('.edge-table tr[data-calls]').evaluateAll((rs) => rs.map((r) => Number((r as unknown as Attributed).getAttribute('data-calls'))))).reduce((a, b) => a + b, 0);
      const c0 = await calls();
      await run(p, 'ls -l /bin > /tmp/listing; wc -l /tmp/listing');
      // The view redraws on the next animation frame: a bounded wait for the grown count.
      let c1 = c0;
      for (let i = 0; i < 50 && c1 <= c0; i++) { await page.waitForTimeout(100); c1 = await calls(); }
      assert.ok(c1 > c0, `channel calls ${c0} -> ${c1}`);
      await page.screenshot({ path: path.join(out, `${preset}-1280.png`) });
      assert.deepEqual(errors, []);
    } finally { await context.close(); }
  });
}

test('the blk crash button: the microkernel restarts blk and reads the disk on; the monolithic kernel panics and reboots', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${url}?preset=microkernel,monolithic`);
    const micro = pane(page, 1), mono = pane(page, 2);
    await waitForPrompt(micro);
    await waitForPrompt(mono);
    // The whole disk, read through blk before and after its crash; the reference is the image the page downloads.
    const [download] = await Promise.all([page.waitForEvent('download'), micro.getByRole('button', { name: 'download image' }).click()]);
    const image = path.join(out, 'micro.img');
    await download.saveAs(image);
    const bytes = String(fs.statSync(image).size);
    assert.deepEqual(await run(micro, 'cat /dev/blk0 | wc -c'), [bytes]);
    await micro.getByRole('button', { name: 'crash blk' }).click();
    assert.deepEqual(await run(micro, 'cat /dev/blk0 | wc -c'), [bytes]);
    await micro.locator('.component[data-component="blk"][data-restarts="1"]').waitFor({ timeout: 10_000 });
    await mono.getByRole('button', { name: 'crash blk' }).click();
    await mono.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('cat /dev/blk0 | wc -c');
    await page.keyboard.press('Enter');
    const overlay = mono.getByRole('alert');
    await overlay.waitFor({ timeout: 15_000 });
    assert.match(await overlay.textContent() ?? '', /kernel panic/);
    assert.equal(await micro.getByRole('alert').count(), 0, 'the microkernel pane did not panic');
    await page.screenshot({ path: path.join(out, 'panic-1280.png') });
    await overlay.getByRole('button', { name: 'reboot' }).click();
    await waitForPrompt(mono);
    assert.deepEqual(await run(mono, 'echo back | wc -c'), ['5']);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('the disk: a file written persists across a reload, "download image" gives an image e2fsck -fn accepts holding it, a bad upload is refused', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${url}?preset=hybrid`);
    const p = pane(page);
    await waitForPrompt(p);
    const token = `kept-${process.pid}-${Date.now()}`;
    await run(p, `echo ${token} > /root/kept; sync`);
    const [download] = await Promise.all([page.waitForEvent('download'), p.getByRole('button', { name: 'download image' }).click()]);
    const image = path.join(out, 'hybrid.img');
    await download.saveAs(image);
    const fsck = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(fsck.status, 0, `e2fsck -fn: ${fsck.stdout}${fsck.stderr}`);
    // e2fsprogs' own reader finds the file in the image.
    const cat = spawnSync('debugfs', ['-R', 'cat /root/kept', image], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(cat.stdout, `${token}\n`, cat.stderr);
    await page.reload();
    await waitForPrompt(p);
    assert.deepEqual(await run(p, 'cat /root/kept'), [token]);
    // Not an ext2 image: refused with the reason, and the machine runs on.
    await p.getByLabel('disk image to upload').setInputFiles({ name: 'junk.img', mimeType: 'application/octet-stream', buffer: Buffer.alloc(128 * 1024, 7) });
    await p.getByRole('status').filter({ hasText: 'upload refused' }).waitFor({ timeout: 5000 });
    assert.match(await p.getByRole('status').textContent() ?? '', /junk\.img: not an ext2 image/);
    assert.deepEqual(await run(p, 'cat /root/kept | wc -c'), [String(token.length + 1)]);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('the static site on a server that sets no headers: the service worker isolates the page, which boots and runs commands', async () => {
  const r = await fetch(plain.url);
  assert.equal(r.headers.get('cross-origin-embedder-policy'), null, 'the plain server sets no isolation headers');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${plain.url}?preset=microkernel`);
    const p = pane(page);
    await waitForPrompt(p, 40_000);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated), true);
    assert.deepEqual(await run(p, 'echo hi | wc -c'), ['3']);
    await page.screenshot({ path: path.join(out, 'static-390.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('placement in the URL: ?preset=monolithic&place=blk=user boots blk in the user domain; the editor writes its choice back into the URL', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${url}?preset=monolithic&place=blk=user`);
    const p = pane(page);
    await waitForPrompt(p);
    await p.locator('.component[data-component="blk"][data-domain="user"][data-state="running"]').waitFor({ timeout: 10_000 });
    assert.equal(await p.locator('.component[data-component="vfs"]').getAttribute('data-domain'), 'kernel');
    // With blk out of the kernel, its crash is a restart, not a panic.
    const bytes = await run(p, 'cat /dev/blk0 | wc -c');
    await p.getByRole('button', { name: 'crash blk' }).click();
    assert.deepEqual(await run(p, 'cat /dev/blk0 | wc -c | cat'), bytes);
    await p.locator('.component[data-component="blk"][data-restarts="1"]').waitFor({ timeout: 10_000 });
    await p.getByText('placement', { exact: true }).click();
    await p.getByRole('combobox', { name: 'domain of vfs' }).selectOption('user');
    await Promise.all([page.waitForURL(/place=/), p.getByRole('button', { name: 'apply placement and reboot' }).click()]);
    assert.match(decodeURIComponent(new URL(page.url()).searchParams.get('place') ?? ''), /(^|,)vfs=user(,|$)/);
    await waitForPrompt(pane(page));
    await pane(page).locator('.component[data-component="vfs"][data-domain="user"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('the claim page for C3 runs its experiment in the page and shows a verdict with intervals', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${url}?view=claim&id=C3`);
    await page.getByRole('button', { name: 'run C3 in this page' }).click();
    const verdict = page.locator('#C3 .verdict');
    await page.locator('#C3 .verdict[data-verdict="held"], #C3 .verdict[data-verdict="not held"], #C3 .verdict[data-verdict="inconclusive"], #C3 .verdict[data-verdict="error"]').waitFor({ timeout: 240_000 });
    const v = await verdict.getAttribute('data-verdict');
    assert.notEqual(v, 'error', await verdict.textContent() ?? '');
    assert.match(await verdict.textContent() ?? '', /verdict .*: (held|not held|inconclusive)/);
    // Every cell with its share of injected faults and a 95% interval.
    const rows = await page.locator('#C3 table.cells tr').allTextContents();
    assert.equal(rows.filter((r) => /\d+\/\d+ = \d+% \[95% CI \d+–\d+%\]/.test(r)).length, 4, rows.join('\n'));
    await page.screenshot({ path: path.join(out, 'claim-C3-1280.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('the report and claims pages show a results.json that kernelkit lab wrote, cell by cell and claim by claim; other JSON is refused', async () => {
  const dir = path.join(out, 'lab');
  const lab = spawnSync(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'lab', '--presets', 'monolithic,microkernel', '--workloads', 'null', '--ipc', 'shm', '--runs', '1', '--no-native', '--quick', '--faults', '0', '--out', dir], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(lab.status, 0, lab.stderr);
  const file = path.join(dir, 'results.json');
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as LabResult;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${url}?view=report`);
    await page.getByLabel('lab results (results.json)').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
    await page.getByRole('status').filter({ hasText: 'not a kernelkit lab results.json' }).waitFor({ timeout: 5000 });
    await page.getByLabel('lab results (results.json)').setInputFiles(file);
    const rows = page.locator('table.results').first().locator('tr');
    await rows.first().waitFor({ timeout: 5000 });
    // The claims table: every claim of the run with its verdict.
    const claims = await rows.evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('th, td')).map((c) => c.textContent ?? '')));
    assert.deepEqual(claims.map((c) => [c[0], c[1]]), r.claims.map((c) => [c.id, c.verdict]));
    // The cells: preset, ipc, workload and the median, in µs as the run wrote it.
    const shown = await page.locator('table.results').nth(2).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('td')).map((c) => c.textContent ?? '')));
    assert.equal(shown.length, r.results.length);
    r.results.forEach((x, i) => {
      const row = shown[i]!;
      assert.deepEqual(row.slice(0, 3), [x.preset, x.ipc, x.workload]);
      if (x.median_us === null) return;
      const m = /^([\d.]+) (ns|µs|ms|s)$/.exec(row[3]!);
      assert.ok(m !== null, `median cell '${row[3]}'`);
      const us = Number(m[1]) * { ns: 0.001, µs: 1, ms: 1000, s: 1e6 }[m[2] as 'ns' | 'µs' | 'ms' | 's'];
      assert.ok(Math.abs(us - x.median_us) <= Math.max(0.05, x.median_us * 0.01), `${x.preset} ${x.workload}: shown ${row[3]}, run ${x.median_us} µs`);
    });
    // A chart per workload, each cell's median with its interval as the chart's text.
    const charts = page.locator('.charts table.chart');
    assert.equal(await charts.count(), new Set(r.results.map((x) => x.workload)).size);
    for (const x of r.results) {
      const text = await page.locator(`.charts table.chart[data-workload="${x.workload}"]`).textContent() ?? '';
      assert.ok(text.includes(`${x.preset}${x.ipc === 'none' ? '' : `/${x.ipc}`}`), text);
    }
    // The run's own report.html opens inside the app (sandboxed); other HTML is refused.
    await page.getByLabel('lab report (report.html)').setInputFiles({ name: 'other.html', mimeType: 'text/html', buffer: Buffer.from('<h1>hello</h1>') });
    await page.getByRole('status').filter({ hasText: 'not a kernelkit lab report.html' }).waitFor({ timeout: 5000 });
    await page.getByLabel('lab report (report.html)').setInputFiles(path.join(dir, 'report.html'));
    await page.frameLocator('iframe.report-html').locator('h1').filter({ hasText: 'kernelkit lab report' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('iframe.report-html').getAttribute('sandbox'), 'allow-scripts');
    await page.screenshot({ path: path.join(out, 'report-1280.png'), fullPage: true });
    // The claims page: each card shows the loaded run's verdict.
    await page.goto(`${url}?view=claims`);
    await page.getByLabel('lab results (results.json)').setInputFiles(file);
    for (const id of ['C1', 'C2', 'C3', 'C4', 'C5', 'C6']) {
      const want = r.claims.find((c) => c.id === id)?.verdict;
      assert.ok(want !== undefined, id);
      await page.locator(`#${id} .lab-verdict[data-verdict="${want}"]`).waitFor({ timeout: 5000 });
    }
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

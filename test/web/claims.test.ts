// The claims C1, C2 and C5 run in the page and are judged by the lab's own code: C1
// and C2 boot browser machines running kbench (a small run: 2 boots per cell, kbench
// scale 0.03) and show every cell's median and ratio with its 95% interval and a
// verdict; C5 judges this build's trusted computing base, which must be the count the
// lab's tcb.ts makes on Node from the same sources, with the same verdict.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { buildSite, serveSite, SITE, type Served } from '../../src/cli/web-server.js';
import { countTcb } from '../../src/lab/tcb.js';
import { judgeClaims, type LabInput } from '../../src/lab/claims.js';
import { presetNames } from '../../src/hosts/presets.js';
import { launch, labPage } from './browser.js';

let browser: Browser;
let site: Served;

before(async () => {
  buildSite();
  site = await serveSite(SITE, 0, true);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const VERDICT = '[data-verdict="held"], [data-verdict="not held"], [data-verdict="inconclusive"], [data-verdict="error"]';

for (const [id, cells] of [['C1', 4], ['C2', 15]] as const) {
  test(`${id} runs in the page: every cell's median and ratio to monolithic with a 95% interval, and a verdict`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const { page, errors } = await labPage(context);
      await page.goto(`${site.url}?view=claim&id=${id}&runs=2&scale=0.03`);
      await page.getByRole('button', { name: `run ${id} in this page` }).click();
      const verdict = page.locator(`#${id} .verdict`);
      await page.locator(`#${id} .verdict`).and(page.locator(VERDICT)).waitFor({ timeout: 400_000 });
      assert.notEqual(await verdict.getAttribute('data-verdict'), 'error', await verdict.textContent() ?? '');
      assert.match(await verdict.textContent() ?? '', /verdict \(this page, 2 boots per cell, kbench scale 0\.03, seed \d+\): (held|not held|inconclusive)$/);
      const rows = await page.locator(`#${id} table.timing tbody tr`).allTextContents();
      assert.equal(rows.length, cells, rows.join('\n'));
      for (const r of rows) {
        assert.match(r, /[\d.]+ (µs|ms|s) \[[\d.]+ (µs|ms|s)–[\d.]+ (µs|ms|s)\]/, r);
        if (!r.startsWith('monolithic')) assert.match(r, /x \[95% CI [\d.]+–[\d.]+x\]/, r);
      }
      // The judge's own sentence, with the interval it judged.
      assert.match(await page.locator(`#${id} .measured`).textContent() ?? '', /95% CI/);
      assert.deepEqual(errors, []);
    } finally { await context.close(); }
  });
}

test('C5 in the page: the trusted computing base the lab counts on Node, and the lab\'s verdict on it', async () => {
  const tcb = countTcb(presetNames());
  const want = judgeClaims({ faults: [], tcb, results: [], rows: [] } as unknown as LabInput, () => undefined, { tested: false, reason: '' }).find((c) => c.id === 'C5')!;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${site.url}?view=claim&id=C5`);
    await page.getByRole('button', { name: 'run C5 in this page' }).click();
    await page.locator('#C5 .verdict').and(page.locator(VERDICT)).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#C5 .verdict').getAttribute('data-verdict'), want.verdict);
    assert.equal(await page.locator('#C5 .measured > p').first().textContent(), want.measured);
    for (const t of tcb) assert.match(await page.locator(`#C5 tr[data-preset="${t.preset}"]`).textContent() ?? '', new RegExp(`kernel ${t.kernel_loc} of ${t.total_loc} lines`));
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

// Screenshots of every view of the browser lab at 1280x800 and 390x844, for
// docs/web.md: the two-machine page, the memory map after a wild write in both, three
// machines with a file dropped on each, one machine after commands, a panic, the
// claims list, the report page (before a run is loaded) and the C1, C3 and C5 claims
// after their in-page runs. Usage: node scripts/web-screenshots.mjs [OUTDIR]
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { serveSite, buildSite, SITE } = await import(pathToFileURL(path.join(root, 'dist/src/cli/web-server.js')).href);
const { chromium } = await import('playwright-core');
const out = path.resolve(process.argv[2] ?? path.join(root, 'lab-out/web-screenshots'));
fs.mkdirSync(out, { recursive: true });
buildSite();
const served = await serveSite(SITE, 0, true);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const type = async (page, pane, line) => {
  await pane.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
};
try {
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    const context = await browser.newContext({ viewport: { width: w, height: h } });
    const page = await context.newPage();
    const shot = (name) => page.screenshot({ path: path.join(out, `${name}-${w}.png`) });
    await page.goto(`${served.url}?preset=monolithic,microkernel`);
    const panes = page.locator('section.pane');
    await panes.nth(0).and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    await panes.nth(1).and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'run in every machine' }).click();
    await page.waitForTimeout(4000);
    await shot('side-by-side');
    await page.getByRole('button', { name: 'reboot' }).first().click().catch(() => {});
    await page.locator('section.pane').nth(0).and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    for (const n of [0, 1]) await panes.nth(n).getByRole('button', { name: 'wild-write blk' }).click();
    await panes.nth(1).locator('.memmap[data-changed]').waitFor({ timeout: 15_000 });
    await panes.nth(0).locator('.memmap[data-changed]').waitFor({ timeout: 15_000 });
    await panes.nth(0).locator('.memmap').scrollIntoViewIfNeeded();
    await shot('memmap');
    await page.goto(`${served.url}?preset=monolithic,microkernel,hybrid`);
    for (const n of [0, 1, 2]) await panes.nth(n).and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    const transfer = await page.evaluateHandle(() => { const dt = new DataTransfer(); dt.items.add(new File(['dropped on the page\n'], 'notes.txt')); dt.items.add(new File(['x'], '../../etc/passwd')); return dt; });
    for (const n of [0, 1, 2]) {
      await panes.nth(n).dispatchEvent('drop', { dataTransfer: transfer });
      await type(page, panes.nth(n), 'cat /mnt/upload/notes.txt');
    }
    await shot('three');
    await page.goto(`${served.url}?preset=microkernel`);
    const one = page.locator('section.pane');
    await one.and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    await type(page, one, 'uname -a; ls /bin | wc -l; lsmod');
    await shot('machine');
    await one.locator('.arch').scrollIntoViewIfNeeded();
    await shot('diagram');
    await page.goto(`${served.url}?preset=monolithic`);
    await one.and(page.locator('[data-state="running"]')).waitFor({ timeout: 60_000 });
    await one.getByRole('button', { name: 'crash blk' }).click();
    await type(page, one, 'cat /dev/blk0 | wc -c');
    await one.getByRole('alert').waitFor({ timeout: 15_000 });
    await shot('panic');
    await page.goto(`${served.url}?view=claims`);
    await shot('claims');
    await page.goto(`${served.url}?view=report`);
    await shot('report');
    for (const id of ['C1', 'C5']) {
      await page.goto(`${served.url}?view=claim&id=${id}`);
      await page.getByRole('button', { name: `run ${id} in this page` }).click();
      await page.locator(`#${id} .verdict[data-verdict="held"], #${id} .verdict[data-verdict="not held"], #${id} .verdict[data-verdict="inconclusive"]`).waitFor({ timeout: 240_000 });
      await page.screenshot({ path: path.join(out, `claim-${id}-${w}.png`), fullPage: true });
    }
    await page.goto(`${served.url}?view=claim&id=C3`);
    await page.getByRole('button', { name: 'run C3 in this page' }).click();
    await page.locator('#C3 .verdict[data-verdict="held"], #C3 .verdict[data-verdict="not held"], #C3 .verdict[data-verdict="inconclusive"]').waitFor({ timeout: 240_000 });
    await page.screenshot({ path: path.join(out, `claim-C3-${w}.png`), fullPage: true });
    await context.close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await served.close();
}

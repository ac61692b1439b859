// Page load to shell prompt in the browser lab: Debian's chromium loads
// /?preset=NAME from `kernelkit web`'s server in a fresh browser context (empty cache,
// no disk yet: the first visit, mkfs included) and then reloads it (cached scripts,
// the disk from OPFS); the page measures from navigation start to the shell's first
// prompt (performance.now(), in the pane's data-prompt-ms). Median and range of N
// runs per preset. Usage: node scripts/bench-web.mjs [N]
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { serveSite, buildSite, SITE } = await import(pathToFileURL(path.join(root, 'dist/src/cli/web-server.js')).href);
const { chromium } = await import('playwright-core');
const n = Number(process.argv[2] ?? 5);
buildSite();
const served = await serveSite(SITE, 0, true);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
try {
  for (const preset of ['monolithic', 'microkernel', 'hybrid']) {
    const first = [], again = [];
    for (let i = 0; i < n; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const prompt = async () => {
        const pane = page.locator('section.pane[data-state="running"]');
        await pane.waitFor({ timeout: 60_000 });
        return Number(await pane.getAttribute('data-prompt-ms'));
      };
      await page.goto(`${served.url}?preset=${preset}`);
      first.push(await prompt());
      await page.reload();
      again.push(await prompt());
      await context.close();
    }
    const show = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
    console.log(`${preset.padEnd(12)} first visit: ${show(first)}; reload: ${show(again)}  [n=${n}]`);
  }
} finally {
  await browser.close();
  await served.close();
}

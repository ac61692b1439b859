// Page load to shell prompt in the browser lab: Debian's chromium loads
// /?preset=NAME from `kernelkit web`'s server in a fresh browser context (empty cache,
// no disk yet: the first visit, mkfs included) and then reloads it (cached scripts,
// the disk from OPFS); the page measures from navigation start to the shell's first
// prompt (performance.now(), in the pane's data-prompt-ms). Median and range of N
// runs per preset. Usage: node scripts/bench-web.mjs [N]
import os from 'node:os';
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
console.log(`load average at the start: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
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
      if (i === 0) {
        const marks = await page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('kernelkit:')).map((m) => `${m.name.slice(10)} ${m.startTime.toFixed(0)}`));
        console.log(`${preset.padEnd(12)} first visit, ms from navigation start: ${marks.join(', ')}`);
      }
      await page.reload();
      again.push(await prompt());
      await context.close();
    }
    const show = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
    console.log(`${preset.padEnd(12)} first visit: ${show(first)}; reload: ${show(again)}  [n=${n}]`);
  }
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} cores, ${os.cpus()[0]?.model})`);
} finally {
  await browser.close();
  await served.close();
}

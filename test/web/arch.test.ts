// The architecture view beyond the boxes: the memory map lights up what a wild write
// hit, from the kernel's own memstat — on a monolithic kernel a blk wild write runs
// into its neighbours in the shared kernel arena (the same regions the guest's own
// `memstat -f blk wild-write` names on a second machine of the same preset), on a
// microkernel it stays in blk's arena; and dragging a box into the other domain
// reboots the machine with that placement, as the placement editor does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator } from 'playwright-core';
import { buildSite, serveSite, SITE, type Served } from '../../src/cli/web-server.js';
import { launch, labPage, pane, waitForPrompt, run } from './browser.js';
import { defaultParams } from '../../src/kernel/params.js';

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

type Attributed = { getAttribute(name: string): string | null; closest(s: string): Attributed | null };

/** The lit regions of a pane's map: [arena, owner, how]. */
async function lit(p: Locator): Promise<string[][]> {
  return p.locator('.memmap .region.hit').evaluateAll((rs) => rs.map((r) => {
    const a = r as unknown as Attributed;
    return [a.closest('.arena')?.getAttribute('data-arena') ?? '', a.getAttribute('data-owner') ?? '', a.getAttribute('data-hit') ?? ''];
  }));
}

test('wild-write blk: on monolithic the map lights the neighbours the guest\'s memstat -f names; on microkernel the damage stays in blk\'s own arena', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${site.url}?preset=monolithic,monolithic,microkernel`);
    const [reference, mono, micro] = [pane(page, 1), pane(page, 2), pane(page, 3)];
    for (const p of [reference, mono, micro]) await waitForPrompt(p, 60_000);
    // The guest's own account, on the first machine.
    const said = await run(reference, 'memstat -f blk wild-write');
    const guestHits = said.filter((l) => l.startsWith('changed ')).map((l) => l.split(' ')).filter((f) => f[2] !== 'blk').map((f) => `${f[1]} ${f[2]}`);
    assert.ok(guestHits.length > 0, said.join('\n'));
    // The map before: regions drawn, nothing lit.
    await mono.locator('.memmap .arena[data-arena="kernel"] .region').first().waitFor({ timeout: 10_000 });
    assert.deepEqual(await lit(mono), []);
    await mono.getByRole('button', { name: 'wild-write blk' }).click();
    await mono.locator('.memmap[data-changed]').waitFor({ timeout: 10_000 });
    const monoLit = await lit(mono);
    const neighbours = monoLit.filter(([, , how]) => how === 'neighbour');
    assert.ok(neighbours.length > 0, JSON.stringify(monoLit));
    assert.deepEqual([...new Set(neighbours.map(([arena, owner]) => `${arena} ${owner}`))].sort(), [...new Set(guestHits)].sort());
    assert.match(await mono.locator('.memmap-summary').textContent() ?? '', /wild write from blk: [\d.]+ KB written in the kernel arena; \d+ regions? changed, [1-9]\d* outside blk — hit: /);
    assert.deepEqual(await mono.locator('.memmap .written').evaluateAll((ws) => [...new Set(ws.map((w) => (w as unknown as Attributed).closest('.arena')?.getAttribute('data-arena')))]), ['kernel']);
    // The microkernel: blk's server has its own arena; nothing outside it changes.
    await micro.locator('.memmap .arena[data-arena="blk"] .region').first().waitFor({ timeout: 10_000 });
    await micro.getByRole('button', { name: 'wild-write blk' }).click();
    await micro.locator('.memmap[data-changed]').waitFor({ timeout: 10_000 });
    assert.equal(await micro.locator('.memmap').getAttribute('data-hits'), '0');
    // The bytes it wrote: all in blk's own arena, none in the kernel's.
    const spans = await micro.locator('.memmap .written').evaluateAll((ws) => ws.map((w) => {
      const a = w as unknown as Attributed;
      return { arena: a.closest('.arena')?.getAttribute('data-arena'), bytes: Number(a.getAttribute('data-to')) - Number(a.getAttribute('data-from')) };
    }));
    assert.deepEqual([...new Set(spans.map((x) => x.arena))], ['blk']);
    assert.equal(spans.reduce((n, x) => n + x.bytes, 0), defaultParams.wildWriteBytes, 'the span drawn is the write the kernel parameters say');
    for (const [arena, owner, how] of await lit(micro)) assert.deepEqual([arena, owner, how], ['blk', 'blk', 'own']);
    assert.match(await micro.locator('.memmap-summary').textContent() ?? '', /wild write from blk: [\d.]+ KB written in the blk arena; \d+ regions? changed, 0 outside blk/);
    // Both machines run on.
    assert.deepEqual(await run(micro, 'echo ok'), ['ok']);
    await page.screenshot({ path: `${process.env['KERNELKIT_SHOTS'] ?? '/tmp'}/memmap-1280.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('dragging a component box into the other domain reboots with it there, and the URL keeps the placement', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${site.url}?preset=microkernel`);
    const p = pane(page);
    await waitForPrompt(p, 60_000);
    const box = p.locator('.component[data-component="blk"][data-domain="user"]');
    await box.waitFor({ timeout: 10_000 });
    await Promise.all([page.waitForURL(/place=/, { timeout: 20_000 }), box.dragTo(p.locator('.domain.kernel'))]);
    assert.match(decodeURIComponent(new URL(page.url()).searchParams.get('place') ?? ''), /(^|,)blk=kernel(,|$)/);
    await waitForPrompt(pane(page), 60_000);
    await pane(page).locator('.component[data-component="blk"][data-domain="kernel"][data-state="running"]').waitFor({ timeout: 10_000 });
    assert.equal(await pane(page).locator('.component[data-component="vfs"]').getAttribute('data-domain'), 'user');
    // blk now shares the kernel's address space: its crash is a panic.
    await pane(page).getByRole('button', { name: 'crash blk' }).click();
    await pane(page).locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('cat /dev/blk0 | wc -c');
    await page.keyboard.press('Enter');
    await pane(page).getByRole('alert').filter({ hasText: 'kernel panic' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('component -> component edges: vfs -> ext2 -> blk appear and grow while files are written (calls on monolithic, channel bytes on microkernel)', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${site.url}?preset=monolithic,microkernel`);
    const [mono, micro] = [pane(page, 1), pane(page, 2)];
    for (const p of [mono, micro]) await waitForPrompt(p, 60_000);
    const figure = async (p: Locator, edge: string, attribute: string): Promise<number> => {
      const row = p.locator(`.edge-table tr[data-link="${edge}"]`);
      return await row.count() === 0 ? 0 : Number(await row.getAttribute(attribute));
    };
    for (const [p, attribute] of [[mono, 'data-link-calls'], [micro, 'data-link-bytes']] as const) {
      const before = await Promise.all(['vfs>ext2', 'ext2>blk'].map((e) => figure(p, e, attribute)));
      await run(p, 'seq 1 5000 > /root/f; sync');
      // The status comes twice a second: a bounded wait for the grown figures.
      let after = before;
      for (let i = 0; i < 40 && !after.every((x, j) => x > before[j]!); i++) {
        await page.waitForTimeout(100);
        after = await Promise.all(['vfs>ext2', 'ext2>blk'].map((e) => figure(p, e, attribute)));
      }
      assert.ok(after.every((x, j) => x > before[j]!), `${attribute}: ${before} -> ${after}`);
    }
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

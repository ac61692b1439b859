// Files in and out of the browser lab, as an attacker would try them, on every preset
// at once (three panes in one page): files dropped on a pane land in that guest's
// /mnt/upload through the hostfs device, byte for byte (sha256sum in the guest against
// Node's); names that try to leave the share ('../../etc/passwd', a NUL, '..') and a
// file larger than the share are refused with the reason and change nothing; any
// guest file downloads through the kernel, byte for byte against the host's own
// tools, and what is not a regular file (a directory, a device, a missing path, a
// relative path) is refused with the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { presetNames } from '../../src/hosts/presets.js';
import { buildSite, serveSite, SITE, type Served } from '../../src/cli/web-server.js';
import { launch, labPage, pane, waitForPrompt, run } from './browser.js';

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

interface Dropped { name: string; text?: string; zeros?: number }

/** Drops `files` on pane `p` as a drag from the desktop does (a DataTransfer of Files, built in the page). */
async function drop(page: Page, p: Locator, files: Dropped[]): Promise<void> {
  const transfer = await page.evaluateHandle((list) => {
    const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: unknown[], name: string) => unknown };
    const dt = new g.DataTransfer();
    for (const f of list) dt.items.add(new g.File([f.zeros === undefined ? f.text ?? '' : new Uint8Array(f.zeros)], f.name));
    return dt;
  }, files);
  await p.dispatchEvent('dragover', { dataTransfer: transfer });
  await p.dispatchEvent('drop', { dataTransfer: transfer });
}

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

test('files dropped on each preset\'s pane land in /mnt/upload; names that try to leave it and a file too large are refused; /etc/passwd is untouched', async () => {
  const presets = presetNames();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${site.url}?preset=${presets.join(',')}`);
    const content = `uploaded from the page ${process.pid}\n`.repeat(300);
    for (const [i, preset] of presets.entries()) {
      const p = pane(page, i + 1);
      await waitForPrompt(p, 60_000);
      const passwd = await run(p, 'sha256sum < /etc/passwd');
      await drop(page, p, [
        { name: 'notes.txt', text: content },
        { name: '../../etc/passwd', text: 'root::0:0:owned:/:/bin/sh\n' },
        { name: 'a\0b', text: 'nul' },
        { name: '..', text: 'dots' },
        { name: 'huge.bin', zeros: (64 << 20) + 1 },
      ]);
      const status = p.locator('.files-status');
      await status.filter({ hasText: 'refused' }).waitFor({ timeout: 10_000 });
      const said = await status.textContent() ?? '';
      assert.match(said, /put in \/mnt\/upload: notes\.txt\./, `${preset}: ${said}`);
      // NOTE: whether a File keeps a '/' in its name is the browser's business: Chromium keeps it, and the share refuses it.
      assert.match(said, /"\.\.\/\.\.\/etc\/passwd": a name with a '\/'/, said);
      assert.match(said, /"a\\u0000b": a name with a NUL byte/, said);
      assert.match(said, /"\.\.": '\.\.' is not a file name/, said);
      assert.match(said, /"huge\.bin": too large \(67108865 bytes; the share holds at most 64 MiB/, said);
      // (Short lines: three panes side by side wrap at about 45 columns.)
      assert.deepEqual(await run(p, 'sha256sum < /mnt/upload/notes.txt'), [`${sha256(content)}  -`], preset);
      assert.deepEqual(await run(p, 'sha256sum < /etc/passwd'), passwd, `${preset}: /etc/passwd changed`);
      const listed = (await run(p, 'ls -a /mnt/upload')).join(' ').split(/\s+/);
      assert.deepEqual(listed, ['.', '..', 'notes.txt'], preset);
      // The guest writes there too.
      await run(p, 'cd /mnt/upload');
      assert.deepEqual(await run(p, 'echo hi > back.txt; cat back.txt'), ['hi']);
      assert.deepEqual(await run(p, 'ls ../upload/back.txt'), ['../upload/back.txt']);
    }
    await page.screenshot({ path: `${fs.mkdtempSync('/tmp/kernelkit-files-')}/three-panes-1280.png` });
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('any guest file downloads through the kernel, byte for byte; a directory, a device, a missing or relative path is refused with the reason', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  try {
    const { page, errors } = await labPage(context);
    await page.goto(`${site.url}?preset=microkernel`);
    const p = pane(page);
    await waitForPrompt(p, 60_000);
    await run(p, 'seq 1 20000 > /root/numbers.txt');
    const box = p.getByRole('textbox', { name: 'guest file to download' });
    await box.fill('/root/numbers.txt');
    const [download] = await Promise.all([page.waitForEvent('download'), p.getByRole('button', { name: 'download file' }).click()]);
    assert.equal(download.suggestedFilename(), 'numbers.txt');
    const file = await download.path();
    const reference = spawnSync('seq', ['1', '20000'], { encoding: 'utf8' }).stdout;
    assert.equal(fs.readFileSync(file, 'utf8'), reference);
    // A program from the initramfs, against the guest's own checksum of it.
    await box.fill('/bin/cat');
    const [cat] = await Promise.all([page.waitForEvent('download'), p.getByRole('button', { name: 'download file' }).click()]);
    const guest = (await run(p, 'sha256sum /bin/cat'))[0]!.split(/\s+/)[0];
    assert.equal(sha256(fs.readFileSync(await cat.path())), guest);
    const status = p.locator('.files-status');
    for (const [path, why] of [['/root', /\/root: not a regular file \(a directory\)/], ['/dev/blk0', /\/dev\/blk0: not a regular file \(a device\)/],
      ['/no/such/file', /\/no\/such\/file: ENOENT/], ['etc/passwd', /'etc\/passwd': give an absolute path/]] as const) {
      await box.fill(path);
      await p.getByRole('button', { name: 'download file' }).click();
      await status.filter({ hasText: why }).waitFor({ timeout: 10_000 });
      assert.match(await status.textContent() ?? '', /^download refused: /);
    }
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

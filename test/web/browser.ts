// Driving the browser lab as a person does: Debian's chromium through playwright-core,
// the terminal read from xterm's DOM rows, controls found by their accessible names.
// Every wait is bounded; every page collects its console errors for the test to check.
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface LabPage { page: Page; errors: string[] }

/** A page in `context` that records console errors and uncaught exceptions. */
export async function labPage(context: BrowserContext): Promise<LabPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return { page, errors };
}

/** The pane of machine `n` (1-based). */
export function pane(page: Page, n = 1): Locator {
  return page.locator('section.pane').nth(n - 1);
}

/** Waits until the pane's shell has printed its first prompt. */
export async function waitForPrompt(p: Locator, timeout = 30_000): Promise<void> {
  try {
    await p.locator('xpath=self::*[@data-state="running"]').waitFor({ timeout });
  } catch (e) {
    // Say what the pane shows instead: its state, its status line, an overlay's text and the screen.
    const said = async (f: () => Promise<string | null>): Promise<string> => { try { return (await f()) ?? ''; } catch { return '?'; } };
    const state = await said(() => p.getAttribute('data-state', { timeout: 1000 }));
    const status = await said(() => p.locator('.status').first().textContent({ timeout: 1000 }));
    const overlay = await said(() => p.locator('.panic').first().textContent({ timeout: 1000 }));
    const screen = await said(async () => (await screenLines(p)).slice(-15).join('\n'));
    throw new Error(`no prompt within ${timeout} ms: the pane is '${state}', its status '${status}'${overlay === '' ? '' : `, its overlay '${overlay}'`}; the screen:\n${screen}`, { cause: e });
  }
}

/** The terminal's rows as text, from the DOM, trailing blanks and empty rows dropped. */
export async function screenLines(p: Locator): Promise<string[]> {
  return (await p.locator('.xterm-rows > div').allTextContents()).map((l) => l.replace(/\s+$/, '')).filter((l) => l.length > 0);
}

/** Types `line` (not on the screen already: its echo marks where its output starts) and Enter into the pane's terminal; resolves once the shell printed its next prompt after it. Returns the lines between. */
export async function run(p: Locator, line: string, timeout = 20_000): Promise<string[]> {
  const echoed = (lines: string[]): number => lines.filter((l) => l.endsWith(line)).length;
  const before = echoed(await screenLines(p));
  await p.locator('.xterm-helper-textarea').focus();
  await p.page().keyboard.type(line);
  await p.page().keyboard.press('Enter');
  const deadline = Date.now() + timeout;
  for (;;) {
    const lines = await screenLines(p);
    const at = lines.findLastIndex((l) => l.endsWith(line));
    if (echoed(lines) > before && at < lines.length - 1 && /\$$/.test(lines[lines.length - 1]!)) return lines.slice(at + 1, -1);
    if (Date.now() > deadline) throw new Error(`no prompt after '${line}' within ${timeout} ms; the screen:\n${lines.join('\n')}`);
    await p.page().waitForTimeout(100);
  }
}

// The interactive tests' terminal: `kernelkit boot` in a tmux session, typed at with
// send-keys and read back with capture-pane.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');
export const session = `kk-test-${process.pid}`;

/**
 * Each test process talks to its own tmux server (`-L`): test files run two at a time,
 * and on a shared server one file's kill-session could end the server while the other
 * was starting its session ("server exited unexpectedly").
 */
export function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
}

/** Types keys (tmux key names or text) into the session. */
export function keys(...k: string[]): void { tmux('send-keys', '-t', session, ...k); }

/** The screen now. */
export function screen(): string { return tmux('capture-pane', '-t', session, '-p'); }

/** Waits (polling the screen, at most 20 s) until `pattern` shows. */
export async function screenShows(pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  let text = '';
  while (Date.now() < deadline) {
    text = screen();
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`screen never showed ${pattern}:\n${text}`);
}

/** Boots `preset` in a tmux terminal `width` columns wide, runs `body`, then ends the session. */
export async function onTerminal(preset: string, body: () => Promise<void>, width = 100, height = 40): Promise<void> {
  tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), `${process.execPath} ${bin} boot --preset ${preset}; echo "HALTED=$?"; sleep 30`);
  try {
    await body();
  } finally {
    spawnSync('tmux', ['-L', session, 'kill-session', '-t', session]);
  }
}

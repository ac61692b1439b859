// The interactive tests' terminal: `kernelkit boot` in a tmux session, typed at with
// send-keys and read back with capture-pane.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');
export const session = `kk-test-${process.pid}`;

/**
 * Each terminal has its own tmux server (`-L`, a socket per onTerminal call): test files
 * run two at a time, and a server ends asynchronously after its last session is killed, so
 * a new session on a shared socket could reach a server that was just exiting ("server
 * exited unexpectedly") — between two files, or between two tests of one file.
 */
let terminals = 0;
let socket = `${session}-0`;
export function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
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
  socket = `${session}-${++terminals}`;
  tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), `${process.execPath} ${bin} boot --preset ${preset}; echo "HALTED=$?"; sleep 30`);
  try {
    await body();
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  }
}

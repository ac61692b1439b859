// The interactive shell's side of the terminal: puts it in raw mode for the line
// editor (line-editor.ts) while a line is typed and back in the cooked mode commands
// expect before one runs. Restoring before every prompt is also what undoes a program
// that died in raw mode (a killed full-screen program cannot restore the terminal
// itself). Neighbours: completion.ts (Tab), bin/sh.ts (the read-eval loop).

import * as libc from '../libc/index.js';
import { SysError, Errno, TIOC, TERM_MODE_COOKED, isDir } from '../libc/index.js';
import { LineEditor, KeyDecoder, type Key } from './line-editor.js';
import { complete, type DirEntryInfo } from './completion.js';
import type { Shell } from './exec.js';
import { BUILTINS } from './builtins.js';

/** Whether fd 0 is a terminal whose modes can be set (not a pipe behind /dev/console). */
export function terminalModes(): boolean {
  try { libc.ioctl(0, TIOC.GMODE); return true; } catch { return false; }
}

export function setCooked(): void {
  try { libc.ioctl(0, TIOC.SMODE, TERM_MODE_COOKED); } catch { /* not a terminal */ }
}

export function windowColumns(): number {
  try { return libc.ioctl(1, TIOC.GWINSZ) & 0xffff; } catch { return 0; }
}

function listDir(path: string, prefix: string): DirEntryInfo[] | undefined {
  let entries;
  try { entries = libc.readdir(path); } catch { return undefined; }
  const out: DirEntryInfo[] = [];
  for (const e of entries) {
    if (e.name === '.' || e.name === '..' || !e.name.startsWith(prefix)) continue;
    try {
      const st = libc.stat(path.endsWith('/') ? path + e.name : `${path}/${e.name}`);
      out.push({ name: e.name, dir: isDir(st.mode), executable: (st.mode & 0o111) !== 0 });
    } catch { out.push({ name: e.name, dir: false, executable: false }); } // a dangling link
  }
  return out;
}

/** Reads edited lines from the terminal. Keys typed after Enter wait in the kernel for whoever reads next. */
export class TerminalLineReader {
  private readonly decoder = new KeyDecoder();
  private readonly keys: Key[] = [];

  constructor(private readonly sh: Shell, private readonly outFd: number) {}

  /** A line, null at ^D on an empty line, or 'interrupt' at ^C. */
  read(prompt: string): string | null | 'interrupt' {
    const sh = this.sh;
    const editor = new LineEditor({
      prompt, columns: windowColumns(), history: sh.history,
      complete: (before) => complete(before, {
        list: listDir,
        commandNames: () => [...BUILTINS.keys(), ...sh.functions.keys(), ...sh.aliases.keys()],
        path: () => sh.vars.get('PATH') ?? '/bin',
      }),
    });
    // No echo, no signals, one key at a time: the editor draws and ^C is its key.
    try { libc.ioctl(0, TIOC.SMODE, 0); } catch { /* keep going cooked */ }
    try {
      this.write(editor.start());
      for (;;) {
        const key = this.nextKey();
        if (key === null) { this.write('\n'); return null; }
        const { result, output } = editor.key(key);
        this.write(output);
        if (result.kind === 'line') return result.line;
        if (result.kind === 'eof') return null;
        if (result.kind === 'interrupt') return 'interrupt';
      }
    } finally {
      setCooked();
    }
  }

  private nextKey(): Key | null {
    while (this.keys.length === 0) {
      let bytes: Uint8Array;
      try {
        // One byte at a time, as shells read: what follows Enter stays in the kernel
        // for the command the line starts.
        bytes = libc.read(0, 1);
      } catch (e) {
        if (e instanceof SysError && e.errno === Errno.EINTR) return { name: 'ctrl-c' };
        throw e;
      }
      if (bytes.length === 0) return null;
      this.keys.push(...this.decoder.feed(bytes));
    }
    return this.keys.shift()!;
  }

  private write(s: string): void {
    if (s.length === 0) return;
    try { libc.write(this.outFd, s); } catch { /* the terminal went away */ }
  }
}

// A full-screen program's terminal (less, vi, top): raw mode and the alternate
// screen while it runs, the window size, keys one at a time (with a timeout for a
// program that refreshes), and the terminal given back as it was when it ends.
// Keys come from /dev/console, so a pager reading its text from a pipe still has the
// keyboard.
import * as libc from '../libc/index.js';
import { TIOC, TERM_MODE, O, POLL, SysError, Errno } from '../libc/index.js';
import { signal } from '../libc/signal.js';
import { KeyDecoder, type Key } from '../sh/line-editor.js';

export type { Key };

export class Screen {
  readonly fd: number;
  private readonly saved: number;
  private readonly decoder = new KeyDecoder();
  private readonly keys: Key[] = [];
  /** Set by ^C when signals stay on (less, top): the program leaves cleanly. */
  interrupted = false;

  /** Opens the terminal; throws if there is none to take over. `signals`: keep ^C (ISIG). */
  constructor(signals: boolean) {
    this.fd = libc.open('/dev/console', O.RDWR);
    try {
      this.saved = libc.ioctl(this.fd, TIOC.GMODE);
    } catch {
      libc.close(this.fd);
      throw new Error('standard output is not a terminal');
    }
    libc.ioctl(this.fd, TIOC.SMODE, signals ? TERM_MODE.ISIG : 0);
    if (signals) signal(libc.Signal.SIGINT, () => { this.interrupted = true; });
    this.write('\x1b[?1049h\x1b[H\x1b[2J');
  }

  /** rows, columns (24 × 80 when the terminal does not say). */
  size(): { rows: number; columns: number } {
    try {
      const w = libc.ioctl(this.fd, TIOC.GWINSZ);
      return { rows: (w >>> 16) || 24, columns: (w & 0xffff) || 80 };
    } catch { return { rows: 24, columns: 80 }; }
  }

  write(s: string): void { libc.write(this.fd, s); }

  /** The next key, or null when `timeoutMs` passes first (or ^C interrupted the wait). */
  key(timeoutMs = -1): Key | null {
    while (this.keys.length === 0) {
      if (this.interrupted) return null;
      const wait = this.decoder.escapePending ? 50 : timeoutMs;
      if (wait >= 0) {
        let ready = 0;
        try { ready = libc.poll([{ fd: this.fd, events: POLL.IN, revents: 0 }], wait); } catch (e) {
          if (e instanceof SysError && e.errno === Errno.EINTR) continue;
          throw e;
        }
        if (ready === 0) {
          if (this.decoder.escapePending) { this.keys.push(...this.decoder.flushEscape()); continue; }
          return null;
        }
      }
      let bytes: Uint8Array;
      try { bytes = libc.read(this.fd, 64); } catch (e) {
        if (e instanceof SysError && e.errno === Errno.EINTR) continue;
        throw e;
      }
      if (bytes.length === 0) return null;
      this.keys.push(...this.decoder.feed(bytes));
    }
    return this.keys.shift()!;
  }

  /** Leaves the alternate screen and gives the terminal its modes back. */
  close(): void {
    this.write('\x1b[?1049l');
    try { libc.ioctl(this.fd, TIOC.SMODE, this.saved); } catch { /* gone */ }
    libc.close(this.fd);
  }
}

/** Whether fd 1 is a terminal a full-screen program can take over. */
/** Reads a line on the bottom row after `label` (a search, a : command); null when abandoned (Escape, ^C, ^G, Backspace on nothing). */
export function promptLine(screen: Screen, rows: number, label: string): string | null {
  let typed = '';
  for (;;) {
    screen.write(`\x1b[${rows};1H${label}${typed}\x1b[K`);
    const k = screen.key();
    if (k === null) return null;
    if ('char' in k) { typed += k.char; continue; }
    if (k.name === 'enter') return typed;
    if (k.name === 'backspace') { if (typed === '') return null; typed = typed.slice(0, -1); continue; }
    if (k.name === 'escape' || k.name === 'ctrl-c' || k.name === 'ctrl-g') return null;
  }
}

export function stdoutIsTerminal(): boolean {
  try { libc.ioctl(1, TIOC.GMODE); return true; } catch { return false; }
}

/** `s` cut or padded to exactly `width` columns. */
export function fit(s: string, width: number): string {
  const clean = s.replace(/\t/g, '        ').replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > width ? clean.slice(0, width) : clean.padEnd(width);
}

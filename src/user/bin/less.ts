// less: a pager. Shows FILE (or stdin) a screen at a time on the terminal:
//   space f PageDown  next screen      b PageUp   previous screen
//   j Down Enter      one line down    k Up       one line up
//   g Home / G End    first / last screen
//   /PATTERN Enter    search forward (a regular expression); n the next match
//   q                 quit
// Long lines are cut at the screen's width. When stdout is not a terminal it copies
// its input, as cat would.
import * as libc from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { Screen, stdoutIsTerminal, fit, promptLine } from '../util/screen.js';

function input(files: string[]): Uint8Array[] {
  if (files.length === 0) return [libc.readAll(0)];
  return files.map((f) => (f === '-' ? libc.readAll(0) : libc.readFile(f)));
}

export function main(argv: string[]): number {
  return run('less', () => {
    const args = parseArgs(argv.slice(1), { flags: 'SR' });
    if (args.operands.length > 1) throw new UsageError('one FILE at a time');
    const data = input(args.operands);
    if (!stdoutIsTerminal()) {
      for (const d of data) stdout.bytes(d);
      return 0;
    }
    const text = libc.textDecode(data[0]!);
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    const screen = new Screen(true);
    let top = 0;
    let pattern: RegExp | undefined;
    let message = '';
    try {
      for (;;) {
        const { rows, columns } = screen.size();
        const page = rows - 1;
        const lastTop = Math.max(0, lines.length - page);
        top = Math.max(0, Math.min(top, lastTop));
        const shown = lines.slice(top, top + page).map((l) => fit(l, columns));
        while (shown.length < page) shown.push(fit('~', columns));
        const status = message !== '' ? message : top >= lastTop ? '(END)' : `${args.operands[0] ?? ''}:${top + 1}`;
        screen.write(`\x1b[H${shown.join('\r\n')}\r\n\x1b[7m${status}\x1b[0m\x1b[K`);
        message = '';
        const k = screen.key();
        if (k === null) return 0; // ^C or the terminal closed
        const key = 'char' in k ? k.char : k.name;
        switch (key) {
          case 'q': case 'Q': return 0;
          case ' ': case 'f': case 'pagedown': case 'ctrl-f': case 'ctrl-v': top += page; break;
          case 'b': case 'pageup': case 'ctrl-b': top -= page; break;
          case 'j': case 'down': case 'enter': case 'e': case 'ctrl-n': top += 1; break;
          case 'k': case 'up': case 'y': case 'ctrl-p': top -= 1; break;
          case 'g': case '<': case 'home': top = 0; break;
          case 'G': case '>': case 'end': top = lastTop; break;
          case '/': {
            const typed = promptLine(screen, rows, '/');
            if (typed === null || typed === '') break;
            try { pattern = new RegExp(typed); } catch { message = `bad pattern: ${typed}`; break; }
            ({ top, message } = search(lines, top, pattern));
            break;
          }
          case 'n':
            if (pattern === undefined) message = 'no previous pattern';
            else ({ top, message } = search(lines, top, pattern));
            break;
          default: break;
        }
      }
    } finally {
      screen.close();
    }
  });
}

/** The first line after `top` that matches. */
function search(lines: string[], top: number, pattern: RegExp): { top: number; message: string } {
  const at = lines.findIndex((l, i) => i > top && pattern.test(l));
  return at < 0 ? { top, message: 'Pattern not found' } : { top: at, message: '' };
}


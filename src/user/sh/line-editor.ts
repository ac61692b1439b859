// The shell's line editor (a small readline): the keys a person types at the prompt,
// with the terminal in raw mode (no echo, no signals, one key at a time), turned into
// an edited line and the bytes that redraw it. Pure: no syscalls here, so it is tested
// on its own; sh.ts reads the keys and writes the output, completion.ts finds what
// Tab completes.
//
//   Left/Right ^B/^F   move        Home/End ^A/^E   start/end of line
//   Backspace ^H       delete back  Delete ^D        delete here (^D on an empty line: end)
//   ^K ^U ^W ^Y        kill to end, to start, the word before; yank what was killed
//   Up/Down ^P/^N      history      ^R               incremental search back in history
//   Tab                complete     ^C               abandon the line   ^L  clear the screen
//
// Drawing: the prompt is written once; its last line and the text are redrawn from a
// carriage return. A line wider than the terminal scrolls sideways around the cursor
// instead of wrapping, so a redraw never needs to know how many rows it took.

/** A decoded key: a character to insert, or the name of an editing key. */
export type Key = { char: string } | { name: string };

/** What Tab may complete the word before the cursor to. */
export interface Completion { start: number; candidates: string[] }

/** What happened after a key. */
export type EditResult =
  | { kind: 'more' }
  | { kind: 'line'; line: string }
  | { kind: 'eof' }
  | { kind: 'interrupt' };

/** Bytes in, keys out: escape sequences may arrive split across reads. */
export class KeyDecoder {
  private pending = '';
  private readonly decoder = new TextDecoder();

  /** A lone Escape waits for what may follow it; when nothing does (a pause), it was the Escape key. */
  get escapePending(): boolean { return this.pending === '\x1b'; }

  flushEscape(): Key[] {
    if (this.pending !== '\x1b') return [];
    this.pending = '';
    return [{ name: 'escape' }];
  }

  feed(bytes: Uint8Array): Key[] {
    this.pending += this.decoder.decode(bytes, { stream: true });
    const keys: Key[] = [];
    while (this.pending.length > 0) {
      const s = this.pending;
      const c = s.charCodeAt(0);
      if (c === 0x1b) {
        if (s.length === 1) break; // wait for the rest
        const m = /^\x1b(\[([0-9;]*)([A-Za-z~])|O([A-Za-z]))/.exec(s);
        if (m === null) {
          if (s[1] === '[' || s[1] === 'O') { if (/^\x1b[[O][0-9;]*$/.test(s)) break; }
          keys.push({ name: 'escape' });
          this.pending = s.slice(1);
          continue;
        }
        keys.push({ name: escapeName(m[3] ?? m[4]!, m[2] ?? '') });
        this.pending = s.slice(m[0].length);
        continue;
      }
      const cp = s.codePointAt(0)!;
      const len = cp > 0xffff ? 2 : 1;
      this.pending = s.slice(len);
      if (cp === 0x0d || cp === 0x0a) keys.push({ name: 'enter' });
      else if (cp === 0x7f || cp === 0x08) keys.push({ name: 'backspace' });
      else if (cp === 0x09) keys.push({ name: 'tab' });
      else if (cp < 0x20) keys.push({ name: `ctrl-${String.fromCharCode(cp + 0x60)}` });
      else keys.push({ char: String.fromCodePoint(cp) });
    }
    return keys;
  }
}

function escapeName(final: string, params: string): string {
  switch (final) {
    case 'A': return 'up';
    case 'B': return 'down';
    case 'C': return 'right';
    case 'D': return 'left';
    case 'H': return 'home';
    case 'F': return 'end';
    case '~':
      switch (params.split(';')[0]) {
        case '1': case '7': return 'home';
        case '4': case '8': return 'end';
        case '3': return 'delete';
        case '5': return 'pageup';
        case '6': return 'pagedown';
      }
  }
  return 'unknown';
}

export interface EditorOptions {
  /** The whole prompt (written once at the start). */
  prompt: string;
  /** The terminal's width in columns (0: unknown, taken as 80). */
  columns: number;
  /** Earlier lines, oldest first (the shell's `history`). */
  history: readonly string[];
  /** What the word before `cursor` in `line` completes to. */
  complete(line: string, cursor: number): Completion;
}

/** Edits one line. `start()` is the first output; then `key()` for each key. */
export class LineEditor {
  private text: string[] = []; // code points
  private cursor = 0;
  private killed = '';
  private historyAt: number;
  private saved: string[] = []; // the line being typed while walking the history
  private search: { query: string; at: number; found: number | undefined; failed: boolean; original: string[] } | undefined;
  private out = '';
  private readonly promptLine: string;

  constructor(private readonly o: EditorOptions) {
    this.historyAt = o.history.length;
    const nl = o.prompt.lastIndexOf('\n');
    this.promptLine = nl < 0 ? o.prompt : o.prompt.slice(nl + 1);
  }

  get line(): string { return this.text.join(''); }

  /** The prompt. */
  start(): string { return this.o.prompt; }

  /** Applies a key; returns what happened and the bytes that show it. */
  key(k: Key): { result: EditResult; output: string } {
    this.out = '';
    const result = this.search !== undefined ? this.searchKey(k) : this.editKey(k);
    return { result, output: this.out };
  }

  private get columns(): number { return this.o.columns > 0 ? this.o.columns : 80; }

  private editKey(k: Key): EditResult {
    if ('char' in k) { this.insert([k.char]); return { kind: 'more' }; }
    switch (k.name) {
      case 'enter': return this.accept();
      case 'left': case 'ctrl-b': if (this.cursor > 0) { this.cursor--; this.redraw(); } break;
      case 'right': case 'ctrl-f': if (this.cursor < this.text.length) { this.cursor++; this.redraw(); } break;
      case 'home': case 'ctrl-a': this.cursor = 0; this.redraw(); break;
      case 'end': case 'ctrl-e': this.cursor = this.text.length; this.redraw(); break;
      case 'backspace':
        if (this.cursor > 0) { this.text.splice(--this.cursor, 1); this.redraw(); }
        break;
      case 'ctrl-d': // on an empty line: end of input; inside one: Delete
        if (this.text.length === 0) { this.out += '\n'; return { kind: 'eof' }; }
        this.deleteHere();
        break;
      case 'delete': this.deleteHere(); break;
      case 'ctrl-k': this.killed = this.text.splice(this.cursor).join(''); this.redraw(); break;
      case 'ctrl-u': this.killed = this.text.splice(0, this.cursor).join(''); this.cursor = 0; this.redraw(); break;
      case 'ctrl-w': {
        let n = this.cursor;
        while (n > 0 && this.text[n - 1] === ' ') n--;
        while (n > 0 && this.text[n - 1] !== ' ') n--;
        this.killed = this.text.splice(n, this.cursor - n).join('');
        this.cursor = n;
        this.redraw();
        break;
      }
      case 'ctrl-y': this.insert([...this.killed]); break;
      case 'up': case 'ctrl-p': this.walkHistory(-1); break;
      case 'down': case 'ctrl-n': this.walkHistory(1); break;
      case 'ctrl-r':
        this.search = { query: '', at: this.o.history.length, found: undefined, failed: false, original: this.text.slice() };
        this.redraw();
        break;
      case 'tab': this.completeWord(); break;
      case 'ctrl-c': this.out += '^C\n'; return { kind: 'interrupt' };
      case 'ctrl-l': this.out += '\x1b[H\x1b[2J' + this.o.prompt; this.redraw(); break;
      default: break; // other keys do nothing (bash rings the bell)
    }
    return { kind: 'more' };
  }

  private accept(): EditResult {
    this.cursor = this.text.length;
    this.redraw();
    this.out += '\n';
    return { kind: 'line', line: this.line };
  }

  private deleteHere(): void {
    if (this.cursor < this.text.length) { this.text.splice(this.cursor, 1); this.redraw(); }
  }

  private insert(chars: string[]): void {
    if (chars.length === 0) return;
    const atEnd = this.cursor === this.text.length;
    this.text.splice(this.cursor, 0, ...chars);
    this.cursor += chars.length;
    // The common case, typing at the end of a line that fits, echoes just the characters.
    if (atEnd && this.promptLine.length + this.text.length < this.columns) this.out += chars.join('');
    else this.redraw();
  }

  private walkHistory(step: number): void {
    const h = this.o.history;
    const next = this.historyAt + step;
    if (next < 0 || next > h.length) return;
    if (this.historyAt === h.length) this.saved = this.text.slice();
    this.historyAt = next;
    this.text = next === h.length ? this.saved.slice() : [...h[next]!];
    this.cursor = this.text.length;
    this.redraw();
  }

  // ---- ^R ----

  private searchKey(k: Key): EditResult {
    const s = this.search!;
    if ('char' in k) { s.query += k.char; this.findFrom(s.found ?? s.at - 1); return { kind: 'more' }; }
    switch (k.name) {
      case 'ctrl-r': this.findFrom((s.found ?? s.at) - 1); return { kind: 'more' };
      case 'backspace':
        s.query = s.query.slice(0, -1);
        s.found = undefined;
        this.findFrom(s.at - 1);
        return { kind: 'more' };
      case 'ctrl-g': case 'ctrl-c':
        this.text = s.original;
        this.cursor = this.text.length;
        this.search = undefined;
        this.redraw();
        return { kind: 'more' };
      case 'enter':
        this.search = undefined;
        return this.accept();
      default:
        // Any other key ends the search and then does its work on the line found (Escape only ends it).
        this.search = undefined;
        if (s.found !== undefined) this.historyAt = s.found;
        this.redraw();
        return k.name === 'escape' ? { kind: 'more' } : this.editKey(k);
    }
  }

  /** Looks for the query in history entries `from` and older; the line shows the newest match. */
  private findFrom(from: number): void {
    const s = this.search!;
    const h = this.o.history;
    let i = Math.min(from, h.length - 1);
    for (; i >= 0; i--) if (h[i]!.includes(s.query)) break;
    s.failed = i < 0 && s.query !== '';
    if (i >= 0 && s.query !== '') {
      s.found = i;
      this.text = [...h[i]!];
      const at = h[i]!.lastIndexOf(s.query);
      this.cursor = [...h[i]!.slice(0, at)].length;
    }
    this.redraw();
  }

  // ---- Tab ----

  private completeWord(): void {
    const line = this.line;
    const before = [...line].slice(0, this.cursor).join('');
    const { start, candidates } = this.o.complete(before, before.length);
    if (candidates.length === 0) return;
    const word = before.slice(start);
    const common = candidates.reduce((a, b) => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++; return a.slice(0, i); });
    if (candidates.length === 1) {
      const only = candidates[0]!;
      this.insert([...(only.slice(word.length) + (only.endsWith('/') ? '' : ' '))]);
      return;
    }
    if (common.length > word.length) { this.insert([...common.slice(word.length)]); return; }
    // Several, and nothing they share to add: list them under the line, then redraw it.
    this.out += '\n' + columnize(candidates, this.columns) + this.o.prompt;
    this.redraw();
  }

  // ---- drawing ----

  private redraw(): void {
    let shown = this.text;
    let cursor = this.cursor;
    let label = this.promptLine;
    if (this.search !== undefined) {
      const failed = this.search.failed ? 'failed ' : '';
      label = `(${failed}reverse-i-search)'${this.search.query}': `;
    }
    const room = Math.max(8, this.columns - label.length - 1);
    if (shown.length > room) {
      // Scroll sideways so the cursor stays in view.
      const first = Math.max(0, Math.min(cursor - Math.floor(room / 2), shown.length - room));
      shown = shown.slice(first, first + room);
      cursor -= first;
    }
    this.out += `\r${label}${shown.join('')}\x1b[K`;
    const back = shown.length - cursor;
    if (back > 0) this.out += `\x1b[${back}D`;
  }
}

/** Names in columns across a terminal `columns` wide, as ls lays them out. */
export function columnize(names: readonly string[], columns: number): string {
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const perRow = Math.max(1, Math.floor(columns / width));
  const rows = Math.ceil(names.length / perRow);
  let out = '';
  for (let r = 0; r < rows; r++) {
    let row = '';
    for (let c = 0; c < perRow; c++) {
      const name = names[c * rows + r];
      if (name !== undefined) row += name.padEnd(width);
    }
    out += row.trimEnd() + '\n';
  }
  return out;
}

// vi: a small full-screen editor.
//   normal   h j k l / arrows move, 0 $ line start/end, gg G first/last line,
//            i a I A o O insert, x delete a character, dd delete a line, yy copy a
//            line, p P put it below/above, /PATTERN search, n next match, : command
//   insert   typed text goes in; Backspace, Enter; Escape back to normal
//   :w [FILE]  :q  :q!  :wq  :x   write, quit (refused with unsaved changes), both
// The terminal is raw without signals while it runs: ^C is a key, not a kill.
import * as libc from '../libc/index.js';
import { SysError, Errno } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { Screen, stdoutIsTerminal, fit, promptLine, type Key } from '../util/screen.js';

class Editor {
  lines: string[] = [''];
  row = 0;
  col = 0;
  top = 0;
  mode: 'normal' | 'insert' = 'normal';
  modified = false;
  message = '';
  register: string[] | undefined;
  pattern: RegExp | undefined;
  pendingKey = '';
  done = false;

  constructor(public file: string | undefined) {
    if (file === undefined) return;
    try {
      const text = libc.textDecode(libc.readFile(file));
      this.lines = text.split('\n');
      if (this.lines.length > 1 && this.lines[this.lines.length - 1] === '') this.lines.pop();
      this.message = `"${file}" ${this.lines.length}L, ${text.length}B`;
    } catch (e) {
      if (!(e instanceof SysError && e.errno === Errno.ENOENT)) throw e;
      this.message = `"${file}" [New]`;
    }
  }

  private get line(): string { return this.lines[this.row]!; }

  private clampCol(): void {
    const max = Math.max(0, this.line.length - (this.mode === 'insert' ? 0 : 1));
    this.col = Math.max(0, Math.min(this.col, max));
  }

  private setLine(text: string): void { this.lines[this.row] = text; this.modified = true; }

  normal(key: Key, screen: Screen, rows: number): void {
    const k = 'char' in key ? key.char : key.name;
    const combo = this.pendingKey + k;
    this.pendingKey = '';
    switch (combo) {
      case 'h': case 'left': case 'backspace': this.col--; break;
      case 'l': case 'right': case ' ': this.col++; break;
      case 'j': case 'down': case 'enter': this.row = Math.min(this.lines.length - 1, this.row + 1); break;
      case 'k': case 'up': this.row = Math.max(0, this.row - 1); break;
      case '0': case 'home': this.col = 0; break;
      case '$': case 'end': this.col = this.line.length; break;
      case 'G': this.row = this.lines.length - 1; break;
      case 'gg': this.row = 0; break;
      case 'i': this.mode = 'insert'; break;
      case 'a': this.mode = 'insert'; this.col++; break;
      case 'I': this.mode = 'insert'; this.col = 0; break;
      case 'A': this.mode = 'insert'; this.col = this.line.length; break;
      case 'o': this.lines.splice(this.row + 1, 0, ''); this.row++; this.col = 0; this.mode = 'insert'; this.modified = true; break;
      case 'O': this.lines.splice(this.row, 0, ''); this.col = 0; this.mode = 'insert'; this.modified = true; break;
      case 'x': case 'delete':
        if (this.line.length > 0) { this.setLine(this.line.slice(0, this.col) + this.line.slice(this.col + 1)); }
        break;
      case 'dd':
        this.register = [this.line];
        if (this.lines.length === 1) this.lines = [''];
        else this.lines.splice(this.row, 1);
        this.row = Math.min(this.row, this.lines.length - 1);
        this.modified = true;
        break;
      case 'yy': this.register = [this.line]; this.message = '1 line yanked'; break;
      case 'p': case 'P':
        if (this.register === undefined) { this.message = 'E353: Nothing in register "'; break; }
        this.lines.splice(combo === 'p' ? this.row + 1 : this.row, 0, ...this.register);
        if (combo === 'p') this.row++;
        this.col = 0;
        this.modified = true;
        break;
      case 'd': case 'y': case 'g': this.pendingKey = combo; break;
      case '/': {
        const typed = promptLine(screen, rows, '/');
        if (typed === null || typed === '') break;
        try { this.pattern = new RegExp(typed); } catch { this.message = `E486: Bad pattern: ${typed}`; break; }
        this.next();
        break;
      }
      case 'n': this.next(); break;
      case ':': {
        const typed = promptLine(screen, rows, ':');
        if (typed !== null) this.command(typed.trim());
        break;
      }
      default: break;
    }
    this.clampCol();
  }

  private next(): void {
    if (this.pattern === undefined) { this.message = 'E35: No previous regular expression'; return; }
    const n = this.lines.length;
    for (let step = 0; step <= n; step++) {
      const r = (this.row + step) % n;
      const from = step === 0 ? this.col + 1 : 0;
      const m = this.pattern.exec(this.lines[r]!.slice(from));
      if (m !== null) { this.row = r; this.col = from + m.index; if (step > 0 && r < this.row) this.message = 'search hit BOTTOM, continuing at TOP'; return; }
    }
    this.message = `E486: Pattern not found: ${this.pattern.source}`;
  }

  insert(key: Key): void {
    if ('char' in key) { this.setLine(this.line.slice(0, this.col) + key.char + this.line.slice(this.col)); this.col += key.char.length; return; }
    switch (key.name) {
      case 'escape': this.mode = 'normal'; this.col--; this.clampCol(); return;
      case 'enter':
        this.lines.splice(this.row + 1, 0, this.line.slice(this.col));
        this.setLine(this.line.slice(0, this.col));
        this.row++;
        this.col = 0;
        return;
      case 'backspace':
        if (this.col > 0) { this.setLine(this.line.slice(0, this.col - 1) + this.line.slice(this.col)); this.col--; }
        else if (this.row > 0) {
          const rest = this.line;
          this.lines.splice(this.row, 1);
          this.row--;
          this.col = this.line.length;
          this.setLine(this.line + rest);
        }
        return;
      case 'tab': this.insert({ char: '\t' }); return;
      case 'left': this.col = Math.max(0, this.col - 1); return;
      case 'right': this.col = Math.min(this.line.length, this.col + 1); return;
      case 'up': this.row = Math.max(0, this.row - 1); this.clampCol(); return;
      case 'down': this.row = Math.min(this.lines.length - 1, this.row + 1); this.clampCol(); return;
      default: return;
    }
  }

  private write(file: string | undefined): boolean {
    if (file === undefined) { this.message = 'E32: No file name'; return false; }
    const text = this.lines.join('\n') + '\n';
    try {
      libc.writeFile(file, text);
    } catch (e) {
      this.message = `"${file}" E212: Can't open file for writing: ${e instanceof Error ? e.message : String(e)}`;
      return false;
    }
    this.file ??= file;
    this.modified = false;
    this.message = `"${file}" ${this.lines.length}L, ${libc.textEncode(text).length}B written`;
    return true;
  }

  command(cmd: string): void {
    const m = /^(\w+)(!?)\s*(.*)$/.exec(cmd);
    if (m === null) { if (/^\d+$/.test(cmd)) { this.row = Math.min(this.lines.length, Math.max(1, Number(cmd))) - 1; } return; }
    const [, name, bang, arg] = m;
    const target = arg === '' ? this.file : arg;
    switch (name) {
      case 'w': this.write(target); return;
      case 'wq': case 'x': if (name === 'x' && !this.modified) { this.done = true; return; } if (this.write(target)) this.done = true; return;
      case 'q':
        if (this.modified && bang !== '!') { this.message = 'E37: No write since last change (add ! to override)'; return; }
        this.done = true;
        return;
      default: this.message = `E492: Not an editor command: ${cmd}`;
    }
  }

  draw(screen: Screen, rows: number, columns: number): void {
    const height = rows - 1;
    if (this.row < this.top) this.top = this.row;
    if (this.row >= this.top + height) this.top = this.row - height + 1;
    const out: string[] = [];
    for (let i = 0; i < height; i++) {
      const line = this.lines[this.top + i];
      out.push(fit(line === undefined ? '~' : line, columns));
    }
    const status = this.message !== '' ? this.message : this.mode === 'insert' ? '-- INSERT --' : '';
    const where = `${this.row + 1},${this.col + 1}`;
    out.push(fit(status, Math.max(0, columns - where.length - 1)) + ' ' + where);
    this.message = '';
    const x = Math.min(columns, displayColumn(this.line, this.col) + 1);
    screen.write(`\x1b[H${out.join('\r\n')}\x1b[${this.row - this.top + 1};${x}H`);
  }
}

/** The screen column of character `col` (tabs take 8). */
function displayColumn(line: string, col: number): number {
  return line.slice(0, col).replace(/\t/g, '        ').length;
}


export function main(argv: string[]): number {
  return run('vi', () => {
    const args = parseArgs(argv.slice(1), {});
    if (args.operands.length > 1) throw new UsageError('one FILE at a time');
    if (!stdoutIsTerminal()) throw new UsageError('standard output is not a terminal');
    const editor = new Editor(args.operands[0]);
    const screen = new Screen(false);
    try {
      while (!editor.done) {
        const { rows, columns } = screen.size();
        editor.draw(screen, rows, columns);
        const k = screen.key();
        if (k === null) return 1; // the terminal closed
        if (editor.mode === 'insert') editor.insert(k); else editor.normal(k, screen, rows);
      }
      return 0;
    } finally {
      screen.close();
    }
  });
}

// The line discipline: turns raw input bytes into what read() returns.
// A terminal has modes (abi/syscalls.ts TERM_MODE, set with ioctl TIOC.SMODE):
//   ICANON  edit a line, deliver it at Enter; ^D at the start of a line is end of
//           input, up/down walk the history. Without it a read returns the bytes
//           there are as soon as there is one (VMIN 1): what a line editor or a
//           full-screen program reads keys with.
//   ECHO    echo what is typed.
//   ISIG    ^C interrupts the foreground process group, ^Z suspends it.
// A pipe or file (not a terminal) passes bytes through in every mode; end of file
// when the host closes.

import { TERM_MODE, TERM_MODE_COOKED } from '../../abi/syscalls.js';

const BS = 0x08, DEL = 0x7f, ETX = 0x03, EOT = 0x04, NAK = 0x15, ETB = 0x17, SUB = 0x1a, CR = 0x0d, LF = 0x0a, ESC = 0x1b;
const HISTORY = 100;

export interface DisciplineHooks {
  echo(bytes: Uint8Array): void;
  interrupt(): void;
  /** ^Z with ISIG (optional: a driver without job control leaves it out). */
  suspend?(): void;
}

const encoder = new TextEncoder();

interface Chunk { bytes: Uint8Array; raw: boolean }

export class LineDiscipline {
  private readonly ready: Chunk[] = []; // completed lines or raw chunks; empty = EOF mark
  private line: number[] = [];
  private closed = false;
  private escape: number[] | undefined;
  private readonly history: number[][] = [];
  private historyAt = 0;
  private mode: number = TERM_MODE_COOKED;

  /** `terminal`: the host's input is a terminal. `scratch` is the driver's line buffer memory; the line is mirrored there. */
  constructor(private readonly terminal: boolean, private readonly scratch: Uint8Array, private readonly hooks: DisciplineHooks) {}

  private get canonical(): boolean { return this.terminal && (this.mode & TERM_MODE.ICANON) !== 0; }

  getMode(): number { return this.mode; }

  /**
   * Changes the modes. Input typed ahead moves with the change: a partial line becomes
   * raw bytes for a raw reader, and raw bytes nobody read yet are edited as typed when
   * canonical mode comes back (so a ^C typed while a line editor gave up the terminal
   * still interrupts, and typed-ahead text reaches the next line).
   */
  setMode(mode: number): void {
    const wasCanonical = this.canonical;
    this.mode = mode & (TERM_MODE.ISIG | TERM_MODE.ICANON | TERM_MODE.ECHO);
    if (!this.terminal || wasCanonical === this.canonical) return;
    if (!this.canonical) {
      if (this.line.length > 0) { this.ready.push({ bytes: Uint8Array.from(this.line), raw: true }); this.line = []; }
      return;
    }
    const pending: Uint8Array[] = [];
    for (let i = 0; i < this.ready.length;) {
      const c = this.ready[i]!;
      if (c.raw && c.bytes.length > 0) { pending.push(c.bytes); this.ready.splice(i, 1); } else i++;
    }
    for (const bytes of pending) for (const b of bytes) this.feedByte(b);
  }

  feed(bytes: Uint8Array): void {
    if (!this.terminal) { this.ready.push({ bytes: bytes.slice(), raw: true }); return; }
    if (this.canonical) { for (const b of bytes) this.feedByte(b); return; }
    // Raw: only the signal characters are the discipline's.
    let start = 0;
    const flush = (end: number): void => {
      if (end > start) {
        const part = bytes.slice(start, end);
        this.ready.push({ bytes: part, raw: true });
        if ((this.mode & TERM_MODE.ECHO) !== 0) this.hooks.echo(part);
      }
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if ((this.mode & TERM_MODE.ISIG) === 0 || (b !== ETX && b !== SUB)) continue;
      flush(i);
      start = i + 1;
      this.signalKey(b);
    }
    flush(bytes.length);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.line.length > 0) this.deliver(false);
  }

  private get echoing(): boolean { return (this.mode & TERM_MODE.ECHO) !== 0; }

  private echoText(s: string): void { if (this.echoing) this.hooks.echo(encoder.encode(s)); }

  private echoBytes(bytes: number[]): void { if (this.echoing) this.hooks.echo(Uint8Array.from(bytes)); }

  private setLine(next: number[]): void {
    this.echoText('\b \b'.repeat(this.line.length));
    this.line = next.slice();
    this.echoBytes(this.line);
  }

  private deliver(newline: boolean): void {
    if (this.line.length > 0) {
      this.history.push(this.line.slice());
      if (this.history.length > HISTORY) this.history.shift();
    }
    this.historyAt = this.history.length;
    const bytes = newline ? [...this.line, LF] : this.line;
    this.scratch.set(bytes.slice(0, this.scratch.length));
    this.ready.push({ bytes: Uint8Array.from(bytes), raw: false });
    this.line = [];
  }

  private signalKey(b: number): void {
    if (b === ETX) { this.echoText('^C\n'); this.line = []; this.hooks.interrupt(); return; }
    if (this.hooks.suspend === undefined) return;
    this.echoText('^Z\n');
    this.line = [];
    this.hooks.suspend();
  }

  private feedByte(b: number): void {
    if (this.escape !== undefined) {
      this.escape.push(b);
      if (this.escape.length === 2) {
        const code = this.escape[1];
        this.escape = undefined;
        if (code === 0x41 && this.historyAt > 0) this.setLine(this.history[--this.historyAt]!); // up
        else if (code === 0x42) { // down
          if (this.historyAt < this.history.length - 1) this.setLine(this.history[++this.historyAt]!);
          else { this.historyAt = this.history.length; this.setLine([]); }
        }
      }
      return;
    }
    if ((this.mode & TERM_MODE.ISIG) !== 0 && (b === ETX || b === SUB)) { this.signalKey(b); return; }
    switch (b) {
      case ESC: this.escape = []; return;
      case CR: case LF: this.echoText('\n'); this.deliver(true); return;
      case BS: case DEL:
        if (this.line.length > 0) { this.line.pop(); this.echoText('\b \b'); }
        return;
      case NAK: this.setLine([]); return;
      case ETB: {
        let n = this.line.length;
        while (n > 0 && this.line[n - 1] === 0x20) n--;
        while (n > 0 && this.line[n - 1] !== 0x20) n--;
        this.setLine(this.line.slice(0, n));
        return;
      }
      case EOT:
        if (this.line.length === 0) this.ready.push({ bytes: new Uint8Array(0), raw: false });
        else this.deliver(false);
        return;
      default:
        if (b < 0x20 && b !== 0x09) return;
        this.line.push(b);
        this.echoBytes([b]);
    }
  }

  /** What a read of up to `max` bytes returns now, or undefined if it must wait. */
  take(max: number): Uint8Array | undefined {
    const first = this.ready[0];
    if (first === undefined) return this.closed ? new Uint8Array(0) : undefined;
    if (first.bytes.length <= max) { this.ready.shift(); return first.bytes; }
    this.ready[0] = { bytes: first.bytes.subarray(max), raw: first.raw };
    return first.bytes.subarray(0, max);
  }

  readable(): boolean { return this.ready.length > 0 || this.closed; }
}

// The line discipline: turns raw input bytes into what read() returns.
// Canonical mode (a terminal): edit a line, echo, deliver it at Enter; ^C interrupts,
// ^D at the start of a line is end of input, up/down walk the history.
// Raw mode (a pipe or file): bytes pass through; end of file when the host closes.

const BS = 0x08, DEL = 0x7f, ETX = 0x03, EOT = 0x04, NAK = 0x15, ETB = 0x17, CR = 0x0d, LF = 0x0a, ESC = 0x1b;
const HISTORY = 100;

export interface DisciplineHooks {
  echo(bytes: Uint8Array): void;
  interrupt(): void;
}

const encoder = new TextEncoder();

export class LineDiscipline {
  private readonly ready: Uint8Array[] = []; // completed lines or raw chunks; empty = EOF mark
  private line: number[] = [];
  private closed = false;
  private escape: number[] | undefined;
  private readonly history: number[][] = [];
  private historyAt = 0;

  /** `scratch` is the driver's line buffer memory; the line is mirrored there. */
  constructor(private readonly canonical: boolean, private readonly scratch: Uint8Array, private readonly hooks: DisciplineHooks) {}

  feed(bytes: Uint8Array): void {
    if (!this.canonical) { this.ready.push(bytes.slice()); return; }
    for (const b of bytes) this.feedByte(b);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.line.length > 0) this.deliver(false);
  }

  private echoText(s: string): void { this.hooks.echo(encoder.encode(s)); }

  private setLine(next: number[]): void {
    this.echoText('\b \b'.repeat(this.line.length));
    this.line = next.slice();
    this.hooks.echo(Uint8Array.from(this.line));
  }

  private deliver(newline: boolean): void {
    if (this.line.length > 0) {
      this.history.push(this.line.slice());
      if (this.history.length > HISTORY) this.history.shift();
    }
    this.historyAt = this.history.length;
    const bytes = newline ? [...this.line, LF] : this.line;
    this.scratch.set(bytes.slice(0, this.scratch.length));
    this.ready.push(Uint8Array.from(bytes));
    this.line = [];
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
      case ETX: this.echoText('^C\n'); this.line = []; this.hooks.interrupt(); return;
      case EOT:
        if (this.line.length === 0) this.ready.push(new Uint8Array(0));
        else this.deliver(false);
        return;
      default:
        if (b < 0x20 && b !== 0x09) return;
        this.line.push(b);
        this.hooks.echo(Uint8Array.of(b));
    }
  }

  /** What a read of up to `max` bytes returns now, or undefined if it must wait. */
  take(max: number): Uint8Array | undefined {
    const first = this.ready[0];
    if (first === undefined) return this.closed ? new Uint8Array(0) : undefined;
    if (first.length === 0) { this.ready.shift(); return first; }
    if (first.length <= max) { this.ready.shift(); return first; }
    this.ready[0] = first.subarray(max);
    return first.subarray(0, max);
  }

  readable(): boolean { return this.ready.length > 0 || this.closed; }
}

// The kernel log (dmesg): a bounded list of timestamped lines.

import type { LogRecord } from '../abi/sysinfo.js';

const MAX_LINES = 2000;

export class KernelLog {
  private readonly lines: LogRecord[] = [];
  private readonly bootMs = performance.now();

  constructor(private readonly echo: (line: string) => void) {}

  log(line: string): void {
    const record = { ms: Math.round((performance.now() - this.bootMs) * 1000) / 1000, line };
    this.lines.push(record);
    if (this.lines.length > MAX_LINES) this.lines.shift();
    // The same form as dmesg's: seconds since boot, to the microsecond.
    this.echo(`[${(record.ms / 1000).toFixed(6).padStart(12)}] ${line}`);
  }

  records(): LogRecord[] { return this.lines.slice(); }

  /** Milliseconds since boot, the zero of the records' times. */
  sinceBootMs(): number { return performance.now() - this.bootMs; }
}

// Shared plumbing for user programs: buffered output, error reporting in the
// "prog: message" form, and the `run` wrapper every program's main goes through so
// that an uncaught SysError becomes a one-line message and exit status 1.

import { write, read, readAll, fstat, isChr, SysError, Errno, strerror as strerrorOf } from '../libc/index.js';
import { majorOf } from '../../abi/fs.js';
import { usageOf } from './usage.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A usage error: printed as "prog: message" and exits 2. */
export class UsageError extends Error {
  constructor(message: string) { super(message); this.name = 'UsageError'; }
}

/** Thrown by the option parser on `--help`: `run` prints the program's usage and exits 0. */
export class HelpRequest extends Error {
  constructor() { super('help'); this.name = 'HelpRequest'; }
}

/** Output buffered in memory and written in large chunks (one syscall per 32 KiB). */
export class Output {
  private parts: string[] = [];
  private size = 0;
  constructor(readonly fd: number, private readonly limit = 32768) {}

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.limit) this.flush();
  }

  line(s: string): void { this.write(s + '\n'); }

  /** Raw bytes: flushes what is buffered first so order is kept. */
  bytes(b: Uint8Array): void {
    this.flush();
    if (b.length > 0) write(this.fd, b);
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const s = this.parts.join('');
    this.parts = [];
    this.size = 0;
    write(this.fd, encoder.encode(s));
  }
}

export const stdout = new Output(1);

/** Prints "prog: message" on stderr (unbuffered, after flushing stdout). */
export function complain(prog: string, message: string): void {
  try { stdout.flush(); } catch { /* stdout may be a closed pipe */ }
  try { write(2, `${prog}: ${message}\n`); } catch { /* nowhere left to report */ }
}

/** The message of any thrown value, without a stack. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The base name a program was invoked under (argv[0] may be a path). */
export function progName(argv: readonly string[], fallback: string): string {
  const a = argv[0] ?? fallback;
  const slash = a.lastIndexOf('/');
  return slash >= 0 ? a.slice(slash + 1) : a;
}

/**
 * Runs a program body: flushes stdout at the end, turns a UsageError into status 2,
 * a SysError or other error into "prog: message" and status 1, and a write to a
 * closed pipe (EPIPE) into a quiet exit like SIGPIPE's.
 */
export function run(prog: string, body: () => number): number {
  let status: number;
  try {
    status = body();
    stdout.flush();
  } catch (e) {
    if (e instanceof SysError && e.errno === Errno.EPIPE) return 141;
    if (e instanceof UsageError) { complain(prog, e.message); return 2; }
    if (e instanceof HelpRequest) { stdout.write(usageOf(prog)); stdout.flush(); return 0; }
    complain(prog, messageOf(e));
    return 1;
  }
  return status;
}

/** Whether `fd` is the terminal (a tty device, major 5). */
export function isatty(fd: number): boolean {
  try {
    const st = fstat(fd);
    return isChr(st.mode) && majorOf(st.rdev) === 5;
  } catch {
    return false;
  }
}

/** Reads lines from an fd one chunk at a time; the last line may lack its '\n'. */
export class LineReader {
  private pending = '';
  private done = false;
  private readonly dec = new TextDecoder();
  constructor(readonly fd: number) {}

  /** The next line without its '\n', or null at end of input. */
  next(): string | null {
    for (;;) {
      const nl = this.pending.indexOf('\n');
      if (nl >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        return line;
      }
      if (this.done) {
        if (this.pending.length === 0) return null;
        const line = this.pending;
        this.pending = '';
        return line;
      }
      const chunk = read(this.fd, 65536);
      if (chunk.length === 0) { this.done = true; this.pending += this.dec.decode(); continue; }
      this.pending += this.dec.decode(chunk, { stream: true });
    }
  }
}

/** Splits text into lines; a final line without '\n' counts too. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export const utf8 = (b: Uint8Array): string => decoder.decode(b);
export const bytesOf = (s: string): Uint8Array => encoder.encode(s);

/** "subject: reason" for a failed call (the errno's text for a SysError). */
export function errorText(e: unknown, subject: string): string {
  if (e instanceof SysError) return `${subject}: ${strerrorOf(e.errno)}`;
  return `${subject}: ${messageOf(e)}`;
}

/** Why a call failed: the errno's text for a SysError, else the message. */
export function reasonOf(e: unknown): string {
  return e instanceof SysError ? strerrorOf(e.errno) : messageOf(e);
}

/** Reads an fd to its end into one byte array. */
export const readToEnd = readAll;

// Byte-exact text for the filters that must match GNU tools in the C locale (sort,
// tr, cut, sed, ...): input bytes become a string of code units 0-255 (Latin-1), so
// every comparison is by byte and every byte survives the trip back out unchanged.

import { open, close, readAll, write, O } from '../libc/index.js';
import { complain, errorText } from './io.js';

/** Bytes → a string with one code unit per byte. */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/** A string of code units 0-255 → its bytes (higher units keep their low byte). */
export function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** The whole of a file ('-' is stdin) as bytes. */
export function readInput(name: string): Uint8Array {
  if (name === '-') return readAll(0);
  const fd = open(name, O.RDONLY);
  try { return readAll(fd); } finally { close(fd); }
}

/** Output of Latin-1 strings, written as bytes in large chunks. */
export class ByteOutput {
  private parts: string[] = [];
  private size = 0;
  constructor(readonly fd = 1) {}
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 32768) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const s = this.parts.join('');
    this.parts = [];
    this.size = 0;
    write(this.fd, latin1Bytes(s));
  }
}

/**
 * Reads each named input as Latin-1 text, reporting a file that cannot be read as
 * "prog: name: reason"; returns the texts read and whether any failed.
 */
export function readTexts(prog: string, files: readonly string[]): { texts: string[]; failed: boolean } {
  const texts: string[] = [];
  let failed = false;
  for (const f of files.length > 0 ? files : ['-']) {
    try {
      texts.push(latin1(readInput(f)));
    } catch (e) {
      complain(prog, errorText(e, f));
      failed = true;
    }
  }
  return { texts, failed };
}

/** Lines of a text; a last line without '\n' counts, and `final` says whether it had one. */
export function textLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Every named input ('-' is stdin) one after another, reporting the unreadable ones. */
export function readConcatenated(prog: string, files: readonly string[]): { data: Uint8Array; failed: boolean } {
  const parts: Uint8Array[] = [];
  let failed = false;
  for (const f of files.length > 0 ? files : ['-']) {
    try { parts.push(readInput(f)); } catch (e) { complain(prog, errorText(e, f)); failed = true; }
  }
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { data.set(p, at); at += p.length; }
  return { data, failed };
}

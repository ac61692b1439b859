// awk's values and their conversions. A value is a number, a string, or a "strnum":
// text that came from input (fields, getline, split, ARGV, ENVIRON, -v), which compares
// as a number when it looks like one. An unset variable is both "" and 0. Numbers
// become strings through CONVFMT (OFMT for print), integers exactly; strings become
// numbers by their longest numeric prefix, as strtod reads them.

import { formatPrintf } from '../printf.js';

/** Text from input: compares as a number when it looks like one. */
export class StrNum { constructor(readonly s: string) {} }
/** The value of a variable never set. */
export const UNINIT = new StrNum('');

export type Value = number | string | StrNum;

const NUMERIC = /^[ \t\n\r\f\v]*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?[ \t\n\r\f\v]*$/;
const PREFIX = /^[ \t\n\r\f\v]*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const SPECIAL = /^[ \t\n\r\f\v]*([-+])(inf|nan)/i;

/** Whether `v` takes part in a comparison as a number. */
export function isNumeric(v: Value): boolean {
  if (typeof v === 'number') return true;
  if (typeof v === 'string') return false;
  return v === UNINIT || NUMERIC.test(v.s);
}

/** The number a string stands for: its longest numeric prefix, else 0. */
export function stringToNumber(s: string): number {
  const m = PREFIX.exec(s);
  if (m !== null) return Number(m[0].trim());
  const special = SPECIAL.exec(s);
  if (special !== null) {
    const n = special[2]!.toLowerCase() === 'inf' ? Infinity : NaN;
    return special[1] === '-' ? -n : n;
  }
  return 0;
}

export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  return stringToNumber(typeof v === 'string' ? v : v.s);
}

/** A number as text: integers exactly, others through `format` (CONVFMT or OFMT). */
export function numberToString(n: number, format: string): string {
  if (Number.isNaN(n)) return n < 0 || Object.is(n, -NaN) ? '-nan' : 'nan';
  if (!Number.isFinite(n)) return n < 0 ? '-inf' : 'inf';
  if (Number.isInteger(n)) return Math.abs(n) < 1e16 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  return formatNumber(format, n);
}

export function toStr(v: Value, format: string): string {
  if (typeof v === 'number') return numberToString(v, format);
  return typeof v === 'string' ? v : v.s;
}

export function truthy(v: Value): boolean {
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (v === UNINIT) return false;
  return NUMERIC.test(v.s) ? stringToNumber(v.s) !== 0 : v.s !== '';
}

/** One printf conversion applied to a number (the format is one %-spec). */
export function formatNumber(spec: string, n: number): string {
  return formatPrintf(spec, [Number.isFinite(n) ? String(n) : '0']).text;
}

/**
 * awk's printf: conversions %c %d %i %o %x %X %u %e %E %f %F %g %G %s %% with flags,
 * width and precision (`*` takes an argument). Text between conversions is copied
 * as it is (the lexer already turned its escapes into characters).
 */
export function awkFormat(format: string, args: readonly Value[], convfmt: string): string {
  let out = '';
  let next = 0;
  const arg = (): Value => args[next++] ?? UNINIT;
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%') { out += c; continue; }
    const m = /^%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])?/.exec(format.slice(i));
    if (m === null || m[4] === undefined) { out += format.slice(i); break; }
    i += m[0].length - 1;
    const conv = m[4];
    if (conv === '%') { out += '%'; continue; }
    let flags = m[1] ?? '';
    let width = m[2] === '*' ? Math.trunc(toNumber(arg())) : m[2] === undefined ? undefined : Number(m[2]);
    if (width !== undefined && width < 0) { flags += '-'; width = -width; }
    const precision = m[3] === '*' ? Math.trunc(toNumber(arg())) : m[3] === undefined ? undefined : Number(m[3] === '' ? 0 : m[3]);
    const spec = (letter: string): string => `%${flags}${width ?? ''}${precision !== undefined && precision >= 0 ? '.' + precision : ''}${letter}`;
    const v = arg();
    switch (conv) {
      case 'c': {
        const ch = typeof v === 'number' || (v instanceof StrNum && v !== UNINIT && NUMERIC.test(v.s)) ? String.fromCharCode(Math.trunc(toNumber(v)) & 255) : toStr(v, convfmt).slice(0, 1);
        out += pad(ch, flags, width);
        break;
      }
      case 's': {
        let s = toStr(v, convfmt);
        if (precision !== undefined) s = s.slice(0, precision);
        out += pad(s, flags, width);
        break;
      }
      case 'd': case 'i': case 'o': case 'x': case 'X': case 'u': {
        const n = toNumber(v);
        if (!Number.isFinite(n)) { out += pad(numberToString(n, convfmt), flags.replace('0', ''), width); break; }
        out += formatPrintf(spec(conv === 'i' ? 'd' : conv), [String(Math.trunc(n))]).text;
        break;
      }
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
        const n = toNumber(v);
        if (!Number.isFinite(n)) { out += pad(numberToString(n, convfmt), flags.replace('0', ''), width); break; }
        out += formatPrintf(spec(conv), [String(n)]).text;
        break;
      }
      default:
        out += m[0];
        next--;
    }
  }
  return out;
}

function pad(s: string, flags: string, width: number | undefined): string {
  if (width === undefined || s.length >= width) return s;
  return flags.includes('-') ? s.padEnd(width) : s.padStart(width);
}

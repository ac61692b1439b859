// Formatting shared by ls, stat, find, du, df: mode strings ("drwxr-xr-x"), dates
// in ls's style, human-readable sizes, and column padding.

import { S, type Stat } from '../libc/index.js';
import { majorOf, minorOf } from '../../abi/fs.js';

const TYPE_CHAR: Record<number, string> = {
  [S.IFREG]: '-', [S.IFDIR]: 'd', [S.IFLNK]: 'l', [S.IFCHR]: 'c', [S.IFBLK]: 'b',
  [S.IFIFO]: 'p', [S.IFSOCK]: 's',
};

/** The ten-character mode string of ls -l: type, then rwx for user, group, other. */
export function modeString(mode: number): string {
  let s = TYPE_CHAR[mode & S.IFMT] ?? '?';
  const bits = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) s += (mode & (0o400 >> i)) !== 0 ? bits[i] : '-';
  const arr = s.split('');
  if ((mode & 0o4000) !== 0) arr[3] = arr[3] === 'x' ? 's' : 'S';
  if ((mode & 0o2000) !== 0) arr[6] = arr[6] === 'x' ? 's' : 'S';
  if ((mode & 0o1000) !== 0) arr[9] = arr[9] === 'x' ? 't' : 'T';
  return arr.join('');
}

/** A short name for the file type, as stat(1) prints it. */
export function fileTypeName(mode: number, size: number): string {
  switch (mode & S.IFMT) {
    case S.IFREG: return size === 0 ? 'regular empty file' : 'regular file';
    case S.IFDIR: return 'directory';
    case S.IFLNK: return 'symbolic link';
    case S.IFCHR: return 'character special file';
    case S.IFBLK: return 'block special file';
    case S.IFIFO: return 'fifo';
    case S.IFSOCK: return 'socket';
    default: return 'weird file';
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** ls -l's date column (UTC): "Nov 23 02:20", or "Nov 23  2025" when over six months away. */
export function lsDate(timeNs: number, nowNs: number): string {
  const d = new Date(timeNs / 1e6);
  const month = MONTHS[d.getUTCMonth()] ?? '???';
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const halfYearNs = 182.5 * 24 * 3600 * 1e9;
  if (Math.abs(nowNs - timeNs) > halfYearNs) return `${month} ${day}  ${d.getUTCFullYear()}`;
  return `${month} ${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/** stat(1)'s full timestamp: "2026-11-23 02:20:49.123456789 +0000". */
export function fullDate(timeNs: number, nsec?: number): string {
  // With `nsec` (Stat's exact nanoseconds within the second) the float64 only names the second.
  const sec = nsec === undefined ? Math.floor(timeNs / 1e9) : Math.round((timeNs - nsec) / 1e9);
  const d = new Date(sec * 1000);
  const frac = String(nsec ?? Math.max(0, Math.floor(timeNs % 1e9))).padStart(9, '0');
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${frac} +0000`;
}

/** Sizes as du -h / df -h print them: 512, 1.5K, 12M, 3.0G (powers of 1024). */
export function humanSize(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  if (u === 0) return String(Math.round(v));
  if (v < 10) {
    const r = Math.ceil(v * 10) / 10;
    return r >= 10 ? `${Math.ceil(r)}${units[u]}` : `${r.toFixed(1)}${units[u]}`;
  }
  return `${Math.ceil(v)}${units[u]}`;
}

/** The size column of ls -l: bytes, or "major, minor" for device nodes. */
export function sizeColumn(st: Stat): string {
  const fmt = st.mode & S.IFMT;
  if (fmt === S.IFCHR || fmt === S.IFBLK) return `${majorOf(st.rdev)}, ${minorOf(st.rdev)}`;
  return String(st.size);
}

/** Right-aligns each column of `rows` to its widest cell, except columns in `left`. */
export function alignColumns(rows: readonly string[][], left: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => {
    if (i === r.length - 1) return left.has(i) ? c : c.padStart(widths[i] ?? 0);
    return left.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0);
  }).join(' '));
}

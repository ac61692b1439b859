// The command line shared by gzip, gunzip (gzip -d) and zcat (gzip -dc): each FILE is
// replaced by FILE.gz (or back), keeping its mode and modification time, or with -c
// written to stdout; no FILE or "-" means stdin to stdout. The format is in
// util/gzip-format.ts.

import { open, close, write, fstat, unlink, lstat, fchmod, futimens, isReg, isDir, O, SysError, Errno } from '../libc/index.js';
import { stdout, complain, errorText, isatty, UsageError } from './io.js';
import { parseArgs } from './args.js';
import { readInput } from './bytes.js';
import { gzipEncode, gzipDecode, GzipFormatError } from './gzip-format.js';

export interface GzipMode { decompress: boolean; toStdout: boolean }

const NS = 1e9;

/** Runs gzip with argv (after the program name); `mode` is what the program's name implies. */
export function gzipMain(prog: string, args: string[], mode: GzipMode): number {
  const a = parseArgs(args.map((x) => (/^-[1-9]$/.test(x) ? `-L${x.slice(1)}` : x === '--fast' ? '-L1' : x === '--best' ? '-L9' : x)), {
    flags: 'cdfklnNqtv',
    options: 'SL',
    long: { stdout: 'c', 'to-stdout': 'c', decompress: 'd', uncompress: 'd', force: 'f', keep: 'k', list: 'l', 'no-name': 'n', name: 'N', quiet: 'q', test: 't', verbose: 'v', suffix: 'S' },
  });
  const level = Number(a.options.get('L') ?? 6);
  if (!(level >= 1 && level <= 9)) throw new UsageError(`invalid compression level '${a.options.get('L')}'`);
  const decompress = mode.decompress || a.flags.has('d') || a.flags.has('t') || a.flags.has('l');
  const toStdout = mode.toStdout || a.flags.has('c');
  const force = a.flags.has('f');
  const suffix = a.options.get('S') ?? '.gz';
  if (suffix === '') throw new UsageError('invalid suffix ""');
  const files = a.operands.length > 0 ? a.operands : ['-'];
  let status = 0;
  const listed: [number, number, string, number][] = [];
  for (const file of files) {
    try {
      if (a.flags.has('l')) { listed.push(list(file, suffix)); continue; }
      if (a.flags.has('t')) { gzipDecode(readInput(file)); if (a.flags.has('v')) stdout.line(`${file}:\t OK`); continue; }
      if (decompress) status = Math.max(status, decompressOne(prog, file, suffix, toStdout, force, a.flags.has('k')));
      else status = Math.max(status, compressOne(prog, file, suffix, toStdout, force, level, !a.flags.has('n'), a.flags.has('k')));
    } catch (e) {
      if (e instanceof GzipFormatError) { complain(prog, `${file === '-' ? 'stdin' : file}: ${e.message}`); status = 1; continue; }
      if (e instanceof SysError && e.errno === Errno.EPIPE) throw e;
      if (!(e instanceof SysError) && e instanceof Error) { complain(prog, e.message); status = 1; continue; }
      complain(prog, errorText(e, file === '-' ? 'stdin' : file));
      status = 1;
    }
  }
  if (a.flags.has('l') && listed.length > 0) {
    stdout.line('         compressed        uncompressed  ratio uncompressed_name');
    const row = ([c, u, n, o]: [number, number, string, number]): string => `${String(c).padStart(19)} ${String(u).padStart(19)} ${ratio(c, u, o).padStart(5)}% ${n}`;
    for (const l of listed) stdout.line(row(l));
    if (listed.length > 1) {
      const c = listed.reduce((s, l) => s + l[0], 0), u = listed.reduce((s, l) => s + l[1], 0);
      stdout.line(row([c, u, '(totals)', listed.reduce((s, l) => s + l[3], 0)]));
    }
  }
  return status;
}

// gzip -l's ratio: the space the DEFLATE data saves (header and trailer not counted)
// as a percentage of the uncompressed size, one decimal, truncated as gzip does.
function ratio(compressed: number, uncompressed: number, overhead: number): string {
  if (uncompressed === 0) return '0.0';
  const permille = Math.trunc(1000 * (uncompressed - (compressed - overhead)) / uncompressed);
  return `${permille < 0 && permille > -10 ? '-' : ''}${Math.trunc(permille / 10)}.${Math.abs(permille % 10)}`;
}

function list(file: string, suffix: string): [number, number, string, number] {
  const data = readInput(file);
  const { data: out, first } = gzipDecode(data);
  const name = file === '-' ? '' : file.endsWith(suffix) ? file.slice(0, -suffix.length) : file;
  return [data.length, out.length, name, first.headerBytes + 8];
}

function checkRegular(prog: string, file: string): boolean {
  const st = lstat(file);
  if (isReg(st.mode)) return true;
  complain(prog, `${file}: ${isDir(st.mode) ? 'is a directory' : 'not a regular file'} -- ignored`);
  return false;
}

function compressOne(prog: string, file: string, suffix: string, toStdout: boolean, force: boolean, level: number, keepName: boolean, keep: boolean): number {
  if (file === '-' || toStdout) {
    if (!force && isatty(1)) { complain(prog, 'compressed data not written to a terminal. Use -f to force compression.'); return 1; }
    if (file !== '-' && !checkRegular(prog, file)) return 1;
    const data = readInput(file);
    const mtime = file === '-' ? 0 : Math.floor(lstat(file).mtimeNs / NS);
    stdout.bytes(gzipEncode(data, level, file === '-' || !keepName ? undefined : baseName(file), keepName ? mtime : 0));
    return 0;
  }
  if (file.endsWith(suffix)) { complain(prog, `${file} already has ${suffix} suffix -- unchanged`); return 1; }
  if (!checkRegular(prog, file)) return 1;
  const fd = open(file, O.RDONLY);
  let data: Uint8Array;
  let st;
  try { st = fstat(fd); data = readInput(file); } finally { close(fd); }
  const target = file + suffix;
  writeReplacing(prog, target, gzipEncode(data, level, keepName ? baseName(file) : undefined, keepName ? Math.floor(st.mtimeNs / NS) : 0), st.mode & 0o7777, st.atimeNs, st.mtimeNs, force);
  if (!keep) unlink(file);
  return 0;
}

function decompressOne(prog: string, file: string, suffix: string, toStdout: boolean, force: boolean, keep: boolean): number {
  if (file === '-' || toStdout) {
    if (file !== '-' && !checkRegular(prog, file)) return 1;
    stdout.bytes(gzipDecode(readInput(file)).data);
    return 0;
  }
  let target: string;
  if (file.endsWith(suffix)) target = file.slice(0, -suffix.length);
  else if (file.endsWith('.tgz')) target = file.slice(0, -4) + '.tar';
  else { complain(prog, `${file}: unknown suffix -- ignored`); return 1; }
  if (target === '' || target.endsWith('/')) { complain(prog, `${file}: unknown suffix -- ignored`); return 1; }
  if (!checkRegular(prog, file)) return 1;
  const st = lstat(file);
  const { data } = gzipDecode(readInput(file));
  writeReplacing(prog, target, data, st.mode & 0o7777, st.atimeNs, st.mtimeNs, force);
  if (!keep) unlink(file);
  return 0;
}

// Writes `target` (refusing to replace one that exists unless forced) with the
// source's mode and times.
function writeReplacing(prog: string, target: string, data: Uint8Array, mode: number, atimeNs: number, mtimeNs: number, force: boolean): void {
  let exists = true;
  try { lstat(target); } catch { exists = false; }
  if (exists && !force) throw new Error(`${target} already exists; not overwritten`);
  if (exists) unlink(target);
  const fd = open(target, O.WRONLY | O.CREAT | O.EXCL, 0o600);
  try {
    let at = 0;
    while (at < data.length) at += write(fd, data.subarray(at));
    fchmod(fd, mode);
    futimens(fd, atimeNs, mtimeNs);
  } catch (e) {
    close(fd);
    try { unlink(target); } catch { /* already gone */ }
    throw e;
  }
  close(fd);
  void prog;
}

function baseName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

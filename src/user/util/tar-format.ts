// The tar archive format: 512-byte ustar headers (POSIX.1-1988) in front of each
// member's data, padded to 512 bytes, ended by two zero blocks and padded to a
// 10240-byte record as GNU tar does. Reading also takes what GNU tar writes by
// default: the "ustar  " magic of its gnu format, long names in ././@LongLink members
// (types L and K), pax extended headers (x, g: path, linkpath, size, mtime) and
// base-256 numbers.

export const BLOCK = 512;
export const RECORD = 20 * BLOCK;

export const TYPE = { FILE: '0', HARDLINK: '1', SYMLINK: '2', CHAR: '3', BLOCK: '4', DIR: '5', FIFO: '6' } as const;

export interface TarEntry {
  name: string;
  mode: number; // permission bits
  uid: number;
  gid: number;
  size: number;
  mtime: number; // seconds
  type: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

/** Why an archive cannot be read or written (the message tar prints). */
export class TarFormatError extends Error {}

const latin1 = (b: Uint8Array): string => { let s = ''; for (const c of b) s += String.fromCharCode(c); return s; };
function text(b: Uint8Array): string { const z = b.indexOf(0); return latin1(z < 0 ? b : b.subarray(0, z)); }

function number(b: Uint8Array, what: string): number {
  if (((b[0] ?? 0) & 0x80) !== 0) {
    // base-256: the rest of the field big-endian, the first byte's top bit the marker
    let n = (b[0] as number) & 0x3f;
    if (((b[0] as number) & 0x40) !== 0) throw new TarFormatError(`negative ${what} in header`);
    for (let i = 1; i < b.length; i++) n = n * 256 + (b[i] as number);
    return n;
  }
  const s = text(b).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`archive contains '${s}' where a numeric ${what} value was expected`);
  return parseInt(s, 8);
}

function putText(h: Uint8Array, at: number, len: number, s: string): void {
  for (let i = 0; i < s.length && i < len; i++) h[at + i] = s.charCodeAt(i) & 255;
}

// An octal field of `len` bytes: len-1 digits and a NUL (base-256 when it does not fit).
function putNumber(h: Uint8Array, at: number, len: number, n: number): void {
  const s = n.toString(8);
  if (s.length <= len - 1) { putText(h, at, len, s.padStart(len - 1, '0')); return; }
  let v = n;
  for (let i = len - 1; i > 0; i--) { h[at + i] = v % 256; v = Math.floor(v / 256); }
  h[at] = 0x80;
}

function checksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  return sum;
}

/** One ustar header block; names over 100 bytes are split into prefix and name. */
export function encodeHeader(e: TarEntry): Uint8Array {
  const h = new Uint8Array(BLOCK);
  let name = e.name;
  let prefix = '';
  if (name.length > 100) {
    // Split at a '/' so the prefix fits 155 bytes and the rest 100.
    let cut = name.lastIndexOf('/', 155);
    while (cut > 0 && name.length - cut - 1 > 100) cut = -1;
    if (cut <= 0) throw new TarFormatError(`${e.name}: file name is too long (max 256); not dumped`);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  if (e.linkname.length > 100) throw new TarFormatError(`${e.name}: link name is too long (max 100); not dumped`);
  putText(h, 0, 100, name);
  putNumber(h, 100, 8, e.mode & 0o7777);
  putNumber(h, 108, 8, e.uid);
  putNumber(h, 116, 8, e.gid);
  putNumber(h, 124, 12, e.size);
  putNumber(h, 136, 12, e.mtime);
  h[156] = e.type.charCodeAt(0);
  putText(h, 157, 100, e.linkname);
  putText(h, 257, 6, 'ustar');
  putText(h, 263, 2, '00');
  putText(h, 265, 32, e.uname);
  putText(h, 297, 32, e.gname);
  putNumber(h, 329, 8, e.devmajor);
  putNumber(h, 337, 8, e.devminor);
  putText(h, 345, 155, prefix);
  const sum = checksum(h).toString(8).padStart(6, '0');
  putText(h, 148, 8, sum + '\0 ');
  return h;
}

/** The members of an archive, with their data (views into `data`). */
export function* readArchive(data: Uint8Array): Generator<{ entry: TarEntry; body: Uint8Array }> {
  let at = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  let global: Record<string, string> = {};
  let sawEnd = false;
  while (at + BLOCK <= data.length) {
    const h = data.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) { sawEnd = true; break; }
    const stored = number(h.subarray(148, 156), 'checksum');
    if (stored !== checksum(h)) throw new TarFormatError(at === 0 ? 'This does not look like a tar archive' : 'Skipping to next header: bad checksum');
    const magic = text(h.subarray(257, 263));
    const ustar = magic.startsWith('ustar');
    const rawName = text(h.subarray(0, 100));
    const prefix = ustar && text(h.subarray(263, 265)) === '00' ? text(h.subarray(345, 500)) : '';
    const type = h[156] === 0 ? TYPE.FILE : String.fromCharCode(h[156] as number);
    const values = { ...global, ...pax };
    const size = values['size'] !== undefined ? Number(values['size']) : number(h.subarray(124, 136), 'size');
    const bodyStart = at + BLOCK;
    const bodyEnd = bodyStart + (type === TYPE.DIR || type === TYPE.SYMLINK || type === TYPE.HARDLINK ? 0 : size);
    if (bodyEnd > data.length) throw new TarFormatError('Unexpected EOF in archive');
    const body = data.subarray(bodyStart, bodyEnd);
    at = bodyStart + Math.ceil((bodyEnd - bodyStart) / BLOCK) * BLOCK;
    if (type === 'L') { longName = text(body); continue; }
    if (type === 'K') { longLink = text(body); continue; }
    if (type === 'x' || type === 'g') {
      const record = parsePax(body);
      if (type === 'x') pax = record; else global = { ...global, ...record };
      continue;
    }
    const entry: TarEntry = {
      name: values['path'] ?? longName ?? (prefix !== '' ? `${prefix}/${rawName}` : rawName),
      mode: number(h.subarray(100, 108), 'mode') & 0o7777,
      uid: values['uid'] !== undefined ? Number(values['uid']) : number(h.subarray(108, 116), 'uid'),
      gid: values['gid'] !== undefined ? Number(values['gid']) : number(h.subarray(116, 124), 'gid'),
      size: bodyEnd - bodyStart,
      mtime: values['mtime'] !== undefined ? Math.floor(Number(values['mtime'])) : number(h.subarray(136, 148), 'mtime'),
      type: type === '7' ? TYPE.FILE : type,
      linkname: values['linkpath'] ?? longLink ?? text(h.subarray(157, 257)),
      uname: values['uname'] ?? (ustar ? text(h.subarray(265, 297)) : ''),
      gname: values['gname'] ?? (ustar ? text(h.subarray(297, 329)) : ''),
      devmajor: ustar ? number(h.subarray(329, 337), 'devmajor') : 0,
      devminor: ustar ? number(h.subarray(337, 345), 'devminor') : 0,
    };
    longName = undefined;
    longLink = undefined;
    pax = {};
    yield { entry, body };
  }
  if (!sawEnd && at < data.length) throw new TarFormatError('Unexpected EOF in archive');
}

// "LEN KEY=VALUE\n" records.
function parsePax(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const s = new TextDecoder().decode(body);
  let at = 0;
  while (at < s.length) {
    const space = s.indexOf(' ', at);
    if (space < 0) break;
    const len = Number(s.slice(at, space));
    if (!(len > 0)) throw new TarFormatError('Malformed extended header');
    const record = s.slice(space + 1, at + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

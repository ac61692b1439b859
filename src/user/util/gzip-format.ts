// The gzip container (RFC 1952) around DEFLATE data: header with the original name and
// time, the compressed blocks (fflate, a well-kept DEFLATE), and a trailer with the
// CRC-32 and length of the original, checked on the way back. A file may hold several
// members one after another (as `cat a.gz b.gz` makes); they decompress to the
// concatenation, as gzip does.

import { deflateSync, inflateSync } from 'fflate';

const FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

let table: Uint32Array | undefined;

/** CRC-32 (the IEEE polynomial gzip and zlib use). */
export function crc32(data: Uint8Array, crc = 0): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** Why a gzip stream cannot be read (the message gzip prints). */
export class GzipFormatError extends Error {}

export interface GzipMember { name: string | undefined; mtime: number; headerBytes: number }

/** One gzip member: `name` (Latin-1) and `mtime` (seconds; 0 = none) go in the header. */
export function gzipEncode(data: Uint8Array, level: number, name: string | undefined, mtime: number): Uint8Array {
  const body = deflateSync(data, { level: level as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 });
  const nameBytes = name === undefined ? new Uint8Array(0) : Uint8Array.from([...name].map((c) => c.charCodeAt(0) & 255).filter((b) => b !== 0).concat([0]));
  const out = new Uint8Array(10 + nameBytes.length + body.length + 8);
  const view = new DataView(out.buffer);
  out.set([0x1f, 0x8b, 8, name === undefined ? 0 : FNAME], 0);
  view.setUint32(4, Math.max(0, Math.min(0xffffffff, Math.floor(mtime))), true);
  out[8] = level === 9 ? 2 : level === 1 ? 4 : 0;
  out[9] = 3; // Unix
  out.set(nameBytes, 10);
  out.set(body, 10 + nameBytes.length);
  const end = 10 + nameBytes.length + body.length;
  view.setUint32(end, crc32(data), true);
  view.setUint32(end + 4, data.length >>> 0, true);
  return out;
}

/** Every member decompressed and checked; the first member's header. */
export function gzipDecode(data: Uint8Array): { data: Uint8Array; first: GzipMember } {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) throw new GzipFormatError('not in gzip format');
  const parts: Uint8Array[] = [];
  let first: GzipMember | undefined;
  let at = 0;
  while (at < data.length) {
    if (first !== undefined && data.subarray(at).every((b) => b === 0)) break; // padding after the last member
    if (data.length - at < 18) throw new GzipFormatError(first === undefined ? 'unexpected end of file' : 'trailing garbage ignored');
    if (data[at] !== 0x1f || data[at + 1] !== 0x8b) throw new GzipFormatError(first === undefined ? 'not in gzip format' : 'trailing garbage ignored');
    if (data[at + 2] !== 8) throw new GzipFormatError(`unknown method ${data[at + 2]} -- not supported`);
    const flags = data[at + 3] as number;
    if ((flags & 0xe0) !== 0) throw new GzipFormatError(`has flags 0x${flags.toString(16)} -- not supported`);
    const view = new DataView(data.buffer, data.byteOffset);
    const mtime = view.getUint32(at + 4, true);
    let p = at + 10;
    if (flags & FEXTRA) { if (p + 2 > data.length) throw new GzipFormatError('unexpected end of file'); p += 2 + view.getUint16(p, true); }
    let name: string | undefined;
    if (flags & FNAME) {
      const end = data.indexOf(0, p);
      if (end < 0) throw new GzipFormatError('unexpected end of file');
      name = String.fromCharCode(...data.subarray(p, end));
      p = end + 1;
    }
    if (flags & FCOMMENT) { const end = data.indexOf(0, p); if (end < 0) throw new GzipFormatError('unexpected end of file'); p = end + 1; }
    if (flags & FHCRC) p += 2;
    if (p > data.length) throw new GzipFormatError('unexpected end of file');
    // The DEFLATE stream's end is found by inflating; its compressed length by a second
    // pass is not available, so the trailer is located by the inflater's consumption.
    const { output, consumed } = inflateMember(data.subarray(p));
    const t = p + consumed;
    if (t + 8 > data.length) throw new GzipFormatError('unexpected end of file');
    if (view.getUint32(t, true) !== crc32(output)) throw new GzipFormatError('invalid compressed data--crc error');
    if (view.getUint32(t + 4, true) !== (output.length >>> 0)) throw new GzipFormatError('invalid compressed data--length error');
    parts.push(output);
    first ??= { name, mtime, headerBytes: p - at };
    at = t + 8;
  }
  const total = parts.reduce((n, x) => n + x.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const x of parts) { out.set(x, o); o += x.length; }
  return { data: out, first: first as GzipMember };
}

// Inflates one raw DEFLATE stream at the start of `data`; returns the output and how
// many input bytes the stream used (found by walking the block structure).
function inflateMember(data: Uint8Array): { output: Uint8Array; consumed: number } {
  const consumed = deflateLength(data);
  let output: Uint8Array;
  try {
    output = inflateSync(data.subarray(0, consumed));
  } catch (e) {
    throw new GzipFormatError(`invalid compressed data--format violated (${e instanceof Error ? e.message : String(e)})`);
  }
  return { output, consumed };
}

// The length in bytes of the DEFLATE stream at the start of `data`: decodes the block
// headers and Huffman codes without producing output (RFC 1951, section 3.2).
function deflateLength(data: Uint8Array): number {
  let bit = 0;
  const fail = (): never => { throw new GzipFormatError('invalid compressed data--format violated'); };
  const bits = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = bit >>> 3;
      if (byte >= data.length) throw new GzipFormatError('unexpected end of file');
      v |= (((data[byte] as number) >>> (bit & 7)) & 1) << i;
      bit++;
    }
    return v;
  };
  // A canonical Huffman decoder from code lengths.
  const decoder = (lengths: number[]): (() => number) => {
    const counts = new Array<number>(16).fill(0);
    for (const l of lengths) counts[l]!++;
    counts[0] = 0;
    const offsets = new Array<number>(16).fill(0);
    for (let i = 1; i < 16; i++) offsets[i] = offsets[i - 1]! + counts[i - 1]!;
    const symbols = new Array<number>(lengths.length);
    lengths.forEach((l, s) => { if (l !== 0) symbols[offsets[l]!++] = s; });
    return () => {
      let code = 0, first = 0, index = 0;
      for (let len = 1; len < 16; len++) {
        code |= bits(1);
        const count = counts[len]!;
        if (code - count < first) return symbols[index + (code - first)]!;
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
      }
      return fail();
    };
  };
  const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  let fixed: [() => number, () => number] | undefined;
  for (;;) {
    const last = bits(1);
    const type = bits(2);
    if (type === 0) {
      bit = (bit + 7) & ~7;
      const len = bits(16);
      const nlen = bits(16);
      if ((len ^ 0xffff) !== nlen) fail();
      bit += len * 8;
      if (bit > data.length * 8) throw new GzipFormatError('unexpected end of file');
    } else if (type === 3) {
      fail();
    } else {
      let lit: () => number, dist: () => number;
      if (type === 1) {
        fixed ??= [decoder([...Array(144).fill(8), ...Array(112).fill(9), ...Array(24).fill(7), ...Array(8).fill(8)]), decoder(Array(30).fill(5))];
        [lit, dist] = fixed;
      } else {
        const hlit = bits(5) + 257, hdist = bits(5) + 1, hclen = bits(4) + 4;
        const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
        const cl = new Array<number>(19).fill(0);
        for (let i = 0; i < hclen; i++) cl[order[i]!] = bits(3);
        const clDecode = decoder(cl);
        const lengths: number[] = [];
        while (lengths.length < hlit + hdist) {
          const sym = clDecode();
          if (sym < 16) lengths.push(sym);
          else if (sym === 16) { if (lengths.length === 0) fail(); const prev = lengths[lengths.length - 1]!; for (let r = 3 + bits(2); r > 0; r--) lengths.push(prev); }
          else if (sym === 17) for (let r = 3 + bits(3); r > 0; r--) lengths.push(0);
          else for (let r = 11 + bits(7); r > 0; r--) lengths.push(0);
        }
        if (lengths.length > hlit + hdist) fail();
        lit = decoder(lengths.slice(0, hlit));
        dist = decoder(lengths.slice(hlit));
      }
      for (;;) {
        const sym = lit();
        if (sym === 256) break;
        if (sym < 256) continue;
        const l = sym - 257;
        if (l >= 29) fail();
        bits(LEN_EXTRA[l]!);
        const d = dist();
        if (d >= 30) fail();
        bits(DIST_EXTRA[d]!);
      }
    }
    if (last === 1) break;
  }
  return (bit + 7) >>> 3;
}

/** Whether `data` starts like a gzip member. */
export const isGzip = (data: Uint8Array): boolean => data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;

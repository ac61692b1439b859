// Message digests for sha256sum and md5sum, in plain TypeScript (programs see only
// the system call ABI, not the host's crypto): SHA-256 (FIPS 180-4) and MD5 (RFC 1321),
// each over a whole byte array, returning lowercase hex.

const hexOf = (words: Iterable<number>, bigEndian: boolean): string => {
  let s = '';
  for (const w of words) {
    const v = bigEndian ? w >>> 0 : (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;
    s += v.toString(16).padStart(8, '0');
  }
  return s;
};

// The message with its 0x80, zeros and 64-bit length: a multiple of 64 bytes.
function padded(data: Uint8Array, bigEndian: boolean): DataView {
  const length = Math.ceil((data.length + 9) / 64) * 64;
  const buf = new Uint8Array(length);
  buf.set(data);
  buf[data.length] = 0x80;
  const view = new DataView(buf.buffer);
  const bits = data.length * 8;
  const high = Math.floor(bits / 2 ** 32);
  const low = bits >>> 0;
  if (bigEndian) { view.setUint32(length - 8, high); view.setUint32(length - 4, low); } else { view.setUint32(length - 8, low, true); view.setUint32(length - 4, high, true); }
  return view;
}

export { sha256 } from '../../lib/sha256.js';

const S_MD5 = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K_MD5 = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);

/** MD5 of `data` in hex. */
export function md5(data: Uint8Array): string {
  const view = padded(data, false);
  const h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
  const m = new Int32Array(16);
  for (let block = 0; block < view.byteLength; block += 64) {
    for (let t = 0; t < 16; t++) m[t] = view.getInt32(block + t * 4, true);
    let [a, b, c, d] = h as [number, number, number, number];
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      const round = i >> 4;
      if (round === 0) { f = (b & c) | (~b & d); g = i; } else if (round === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; } else if (round === 2) { f = b ^ c ^ d; g = (3 * i + 5) % 16; } else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      const s = S_MD5[(round << 2) | (i & 3)] as number;
      const x = (a + f + (K_MD5[i] as number) + (m[g] as number)) | 0;
      a = d; d = c; c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    h[0] = ((h[0] as number) + a) | 0; h[1] = ((h[1] as number) + b) | 0; h[2] = ((h[2] as number) + c) | 0; h[3] = ((h[3] as number) + d) | 0;
  }
  return hexOf(h, false);
}

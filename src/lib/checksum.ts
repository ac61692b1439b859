// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum
// of 16-bit big-endian words, used by IPv4, ICMP, UDP and TCP. `sum` folds a buffer
// into a running 32-bit sum so a pseudo-header and a payload can be summed apart.
//
// NOTE: the ones' complement sum does not depend on byte order (RFC 1071 2(B)): the
// sum of the words read little-endian is the byte-swap of the sum read big-endian.
// So an even-aligned buffer is summed through a Uint16Array view in the host's order
// (one load per word instead of two loads, a shift and an or) and swapped once at the
// end; an odd-aligned one, and the odd last byte, take the byte loop.

/** Buffers shorter than this take the byte loop (a view costs an allocation). */
const WORDS_FROM = 64;
/** Whether the host is little-endian (every platform Node and browsers run on today is). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const fold = (s: number): number => {
  let t = s;
  while (t > 0xffff) t = (t % 0x10000) + Math.floor(t / 0x10000);
  return t;
};

/** Adds the 16-bit words of `b` (an odd last byte padded with zero) to `acc`. */
export function sum(b: Uint8Array, acc = 0): number {
  const n = b.length;
  let s = acc;
  let i = 0;
  if (n >= WORDS_FROM && (b.byteOffset & 1) === 0) {
    const count = n >> 1;
    const words = new Uint16Array(b.buffer, b.byteOffset, count);
    // At most 32768 words of at most 0xffff each per pass: the total stays an exact integer far below 2^53.
    let t = 0;
    for (let k = 0; k < count; k++) t += words[k]!;
    t = fold(t);
    s += LITTLE_ENDIAN ? ((t & 0xff) << 8) | (t >>> 8) : t;
    i = count << 1;
  }
  for (; i + 1 < n; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < n) s += b[i]! << 8;
  return fold(s);
}

/** The checksum field's value for data whose words sum to `s`. */
export function finish(s: number): number {
  return ~fold(s) & 0xffff;
}

export const checksum = (b: Uint8Array, acc = 0): number => finish(sum(b, acc));

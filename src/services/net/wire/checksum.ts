// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum
// of 16-bit big-endian words, used by IPv4, ICMP, UDP and TCP. `sum` folds a buffer
// into a running 32-bit sum so a pseudo-header and a payload can be summed apart.

/** Adds the 16-bit words of `b` (an odd last byte padded with zero) to `acc`. */
export function sum(b: Uint8Array, acc = 0): number {
  let s = acc;
  const n = b.length & ~1;
  for (let i = 0; i < n; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((b.length & 1) !== 0) s += b[b.length - 1]! << 8;
  // Fold now and then so the sum stays a small integer.
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The checksum field's value for data whose words sum to `s`. */
export function finish(s: number): number {
  let t = s;
  while (t > 0xffff) t = (t & 0xffff) + (t >>> 16);
  return ~t & 0xffff;
}

export const checksum = (b: Uint8Array, acc = 0): number => finish(sum(b, acc));

// IPv4 addresses inside the stack are uint32 numbers (10.0.2.15 = 0x0a00020f): cheap
// to compare and to use as map keys. The wire formats (wire/) take 4-byte arrays and
// the socket layer dotted quads; these convert between the three.

export const toBytes = (a: number): Uint8Array => new Uint8Array([a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff]);
export const fromBytes = (b: Uint8Array): number => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
export const formatAddress = (a: number): string => `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;

/** "a.b.c.d" as a uint32, or undefined. */
export function parseAddress(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
}

export const netmask = (prefix: number): number => (prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefix, 32))) >>> 0);
export const sameNetwork = (a: number, b: number, prefix: number): boolean => ((a ^ b) & netmask(prefix)) === 0;
export const isMulticastOrBroadcast = (a: number, local: number, prefix: number): boolean =>
  a === 0xffffffff || (a >>> 28) === 0xe || (prefix < 31 && sameNetwork(a, local, prefix) && (a | netmask(prefix)) >>> 0 === 0xffffffff);

// ICMP messages (RFC 792): echo request and reply (ping), and the error messages the
// stack sends (destination unreachable, time exceeded), which quote the offending
// IPv4 header and the first 8 bytes of its payload.

import { checksum } from './checksum.js';

export const ICMP = { ECHO_REPLY: 0, DEST_UNREACHABLE: 3, ECHO_REQUEST: 8, TIME_EXCEEDED: 11 } as const;
export const ICMP_HEADER = 8;

export interface IcmpMessage { type: number; code: number; /** The 4 bytes after the checksum (echo: id, sequence). */ rest: Uint8Array; payload: Uint8Array }

export function parseIcmp(m: Uint8Array): IcmpMessage | undefined {
  if (m.length < ICMP_HEADER || checksum(m) !== 0) return undefined;
  return { type: m[0]!, code: m[1]!, rest: m.subarray(4, 8), payload: m.subarray(ICMP_HEADER) };
}

export function buildIcmp(type: number, code: number, rest: Uint8Array, payload: Uint8Array): Uint8Array {
  const m = new Uint8Array(ICMP_HEADER + payload.length);
  m[0] = type; m[1] = code;
  m.set(rest.subarray(0, 4), 4);
  m.set(payload, ICMP_HEADER);
  const c = checksum(m);
  m[2] = c >> 8; m[3] = c & 0xff;
  return m;
}

/** An echo's id and sequence as the 4 bytes after the checksum. */
export function echoFields(id: number, sequence: number): Uint8Array {
  return new Uint8Array([id >> 8, id & 0xff, sequence >> 8, sequence & 0xff]);
}

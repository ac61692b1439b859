// Ethernet II frames: destination and source MAC, EtherType, payload. Parsing never
// throws: a frame too short for its header is undefined (dropped by the caller).

export const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806 } as const;
export const ETHERNET_HEADER = 14;
export const BROADCAST_MAC = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export interface EthernetFrame { dst: Uint8Array; src: Uint8Array; type: number; payload: Uint8Array }

export function parseEthernet(f: Uint8Array): EthernetFrame | undefined {
  if (f.length < ETHERNET_HEADER) return undefined;
  return { dst: f.subarray(0, 6), src: f.subarray(6, 12), type: (f[12]! << 8) | f[13]!, payload: f.subarray(ETHERNET_HEADER) };
}

export function buildEthernet(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(ETHERNET_HEADER + payload.length);
  f.set(dst.subarray(0, 6), 0);
  f.set(src.subarray(0, 6), 6);
  f[12] = type >> 8; f[13] = type & 0xff;
  f.set(payload, ETHERNET_HEADER);
  return f;
}

export const formatMac = (m: Uint8Array): string => [...m.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');

// ARP for IPv4 over Ethernet (RFC 826): a 28-byte request or reply carrying the
// sender's and target's MAC and IPv4 addresses. Parsing never throws: anything but
// Ethernet/IPv4 with the right lengths is undefined.

export const ARP_PACKET = 28;
export const ARP_OP = { REQUEST: 1, REPLY: 2 } as const;

export interface ArpPacket { op: number; senderMac: Uint8Array; senderIp: number; targetMac: Uint8Array; targetIp: number }

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

export function parseArp(p: Uint8Array): ArpPacket | undefined {
  if (p.length < ARP_PACKET) return undefined;
  // Hardware type 1 (Ethernet), protocol 0x0800, lengths 6 and 4.
  if (p[0] !== 0 || p[1] !== 1 || p[2] !== 0x08 || p[3] !== 0 || p[4] !== 6 || p[5] !== 4) return undefined;
  const op = (p[6]! << 8) | p[7]!;
  if (op !== ARP_OP.REQUEST && op !== ARP_OP.REPLY) return undefined;
  return { op, senderMac: p.slice(8, 14), senderIp: u32(p, 14), targetMac: p.slice(18, 24), targetIp: u32(p, 24) };
}

export function buildArp(a: ArpPacket): Uint8Array {
  const p = new Uint8Array(ARP_PACKET);
  p.set([0, 1, 0x08, 0, 6, 4, a.op >> 8, a.op & 0xff]);
  p.set(a.senderMac.subarray(0, 6), 8);
  p.set([a.senderIp >>> 24, (a.senderIp >>> 16) & 0xff, (a.senderIp >>> 8) & 0xff, a.senderIp & 0xff], 14);
  p.set(a.targetMac.subarray(0, 6), 18);
  p.set([a.targetIp >>> 24, (a.targetIp >>> 16) & 0xff, (a.targetIp >>> 8) & 0xff, a.targetIp & 0xff], 24);
  return p;
}

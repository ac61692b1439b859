// The classic pcap file format (libpcap's, version 2.4, link type Ethernet): a global
// header, then a record header and the bytes of each frame. tcpdump and tshark read it.

export const LINKTYPE_ETHERNET = 1;

export function pcapHeader(snaplen = 65535): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, snaplen, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  return b;
}

/** One record: the frame (cut at `snaplen`) and its time in microseconds since the epoch. */
export function pcapRecord(frame: Uint8Array, timeUs: number, snaplen = 65535): Uint8Array {
  const kept = frame.subarray(0, snaplen);
  const b = new Uint8Array(16 + kept.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, Math.floor(timeUs / 1e6), true);
  v.setUint32(4, Math.floor(timeUs % 1e6), true);
  v.setUint32(8, kept.length, true);
  v.setUint32(12, frame.length, true);
  b.set(kept, 16);
  return b;
}

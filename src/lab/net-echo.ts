// The far end of a network fault campaign's traffic (faults.ts, cells `nic` and `net`):
// a TCP and a UDP echo server on the host's loopback, which the guest reaches through
// its NIC and `--net user` as 10.0.2.2 (src/user/bin/_kbench-net.ts is the guest's
// side). The TCP server keeps every byte each connection delivered, under the id the
// connection's first 8 bytes name ("KBNF" and a 32-bit id), so that after the job the
// host can check each chunk the guest saw echoed and verified against the seed: a chunk
// missing or different here is data lost, as a block missing from the durable disk is.

import net from 'node:net';
import dgram from 'node:dgram';

/** One echoed chunk on the guest's connection through the NIC (bytes; handed to the guest's workload). */
export const NET_CHUNK = 4096;

/** What the TCP echo keeps at most, over all connections (bytes): the rest is echoed, not kept. */
const KEEP_BYTES = 64 << 20;

/** One verified chunk, as the guest reported it (`A op conn offset`). */
export interface NetAck { op: number; conn: number; offset: number }

export interface NetEcho {
  tcpPort: number;
  udpPort: number;
  /** Acknowledged chunks (`bytes` each) whose bytes this server did not receive as `expected(op)`. */
  lost(acks: Iterable<NetAck>, bytes: number, expected: (op: number) => Uint8Array): number;
  close(): Promise<void>;
}

export async function startNetEcho(): Promise<NetEcho> {
  const received = new Map<number, Uint8Array[]>();
  let kept = 0;
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let head = Buffer.alloc(0);
    let chunks: Uint8Array[] | undefined;
    sock.on('data', (d: Buffer) => {
      if (chunks === undefined) {
        head = Buffer.concat([head, d]);
        if (head.length < 8) return;
        if (head.toString('latin1', 0, 4) !== 'KBNF') { sock.destroy(); return; }
        const id = head.readUInt32BE(4);
        chunks = received.get(id) ?? [];
        received.set(id, chunks);
        d = head.subarray(8);
      }
      if (d.length === 0) return;
      if (kept + d.length <= KEEP_BYTES) { chunks.push(new Uint8Array(d)); kept += d.length; }
      sock.write(d);
    });
  });
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, from) => { udp.send(m, from.port, from.address); });
  udp.on('error', () => {});
  await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(0, '127.0.0.1', () => resolve()); });
  await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(0, '127.0.0.1', () => resolve()); });
  const streams = new Map<number, Uint8Array>();
  const stream = (conn: number): Uint8Array => {
    let s = streams.get(conn);
    if (s === undefined) { s = Buffer.concat(received.get(conn) ?? []); streams.set(conn, s); }
    return s;
  };
  return {
    tcpPort: (tcp.address() as net.AddressInfo).port,
    udpPort: udp.address().port,
    lost(acks, bytes, expected) {
      streams.clear();
      let lost = 0;
      for (const a of acks) {
        const got = stream(a.conn).subarray(a.offset, a.offset + bytes);
        const want = expected(a.op);
        if (got.length !== want.length || !want.every((v, i) => v === got[i])) lost++;
      }
      return lost;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}

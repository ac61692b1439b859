// The socket ABI: address families, socket types, options and the sockaddr layouts a
// process passes to bind/connect/sendto and gets back from accept/recvfrom/
// getsockname. Values and layouts are Linux's (sockaddr_in: family, port in network
// order, address; sockaddr_un: family, path), so a C program compiled for kernelkit
// and one reading socket(7) agree. The kernel decodes a sockaddr into a SockAddr
// (below) and the net component never sees user memory.

import { KernelError, Errno } from './errno.js';

export const AF = { UNIX: 1, INET: 2, PACKET: 17 } as const;
/** Socket types; SOCK_NONBLOCK and SOCK_CLOEXEC may be or-ed into the type, as in Linux. */
export const SOCK = { STREAM: 1, DGRAM: 2, RAW: 3, NONBLOCK: 0o4000, CLOEXEC: 0o2000000 } as const;
/**
 * AF_PACKET capture (packet(7), read-only here): socket(AF_PACKET, SOCK_RAW,
 * htons(ETH_P_ALL)) needs root and a network device; each recv gives one whole
 * Ethernet frame eth0 received or sent, recvfrom's address a sockaddr_ll naming eth0
 * with the frame's direction (PACKET_HOST or PACKET_OUTGOING). Nothing can be sent.
 */
export const ETH_P_ALL_BE = 0x0300;
export const PACKET_HOST = 0, PACKET_OUTGOING = 4;
/** eth0's interface index (lo is 1), as `ip link` numbers them. */
export const ETH0_INDEX = 2;
export const SOCKADDR_LL_SIZE = 20;
export const SOCK_TYPE_MASK = 0xf;
/** Protocols; IPPROTO_ICMP with SOCK_DGRAM is Linux's unprivileged ping socket (echo requests only). */
export const IPPROTO = { IP: 0, ICMP: 1, TCP: 6, UDP: 17 } as const;
export const SOL_SOCKET = 1;
/** Packet-socket options (Linux's SOL_PACKET): PACKET_STATISTICS reads struct tpacket_stats { u32 tp_packets; u32 tp_drops; } and resets it. */
export const SOL_PACKET = 263, PACKET_STATISTICS = 6;
/** Socket-level options (SOL_SOCKET). */
export const SO = { REUSEADDR: 2, TYPE: 3, ERROR: 4, SNDBUF: 7, RCVBUF: 8, KEEPALIVE: 9 } as const;
/** TCP-level options (IPPROTO_TCP). */
export const TCP_NODELAY = 1;
/** send/recv flags. */
export const MSG = { PEEK: 2, DONTWAIT: 0x40, NOSIGNAL: 0x4000 } as const;
export const SHUT = { RD: 0, WR: 1, RDWR: 2 } as const;

/** Largest sockaddr a process may pass: sockaddr_un (2 + 108). */
export const SOCKADDR_MAX = 110;
export const SOCKADDR_IN_SIZE = 16;
export const UNIX_PATH_MAX = 108;

/** A decoded socket address: an IPv4 address (dotted quad) and port, or a Unix path. */
export interface SockAddr {
  family: number;
  /** AF_INET: "a.b.c.d"; AF_UNIX: the path; AF_PACKET: the interface's name. */
  addr: string;
  /** AF_INET: the port in host order; AF_UNIX: 0; AF_PACKET: the packet type (PACKET_HOST, PACKET_OUTGOING). */
  port: number;
}

/** Parses "a.b.c.d" into four bytes, or undefined. */
export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

export function formatIpv4(b: ArrayLike<number>): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** Encodes `a` as Linux lays it out (sockaddr_in or sockaddr_un). */
export function encodeSockAddr(a: SockAddr): Uint8Array {
  if (a.family === AF.PACKET) {
    // sockaddr_ll: family, protocol (network order), ifindex, hardware type (ARPHRD_ETHER), packet type, address length.
    const out = new Uint8Array(SOCKADDR_LL_SIZE);
    const v = new DataView(out.buffer);
    v.setUint16(0, AF.PACKET, true);
    v.setUint16(2, 0x0003, false);
    v.setInt32(4, ETH0_INDEX, true);
    v.setUint16(8, 1, true);
    out[10] = a.port;
    return out;
  }
  if (a.family === AF.INET) {
    const out = new Uint8Array(SOCKADDR_IN_SIZE);
    const v = new DataView(out.buffer);
    v.setUint16(0, AF.INET, true);
    v.setUint16(2, a.port, false);
    out.set(parseIpv4(a.addr) ?? [0, 0, 0, 0], 4);
    return out;
  }
  const path = new TextEncoder().encode(a.addr);
  const out = new Uint8Array(2 + Math.min(path.length, UNIX_PATH_MAX) + 1);
  new DataView(out.buffer).setUint16(0, AF.UNIX, true);
  out.set(path.subarray(0, UNIX_PATH_MAX), 2);
  return out;
}

/** Decodes a sockaddr a process passed; EINVAL for a short or malformed one, EAFNOSUPPORT for another family. */
export function decodeSockAddr(b: Uint8Array): SockAddr {
  if (b.length < 2) throw new KernelError(Errno.EINVAL, 'sockaddr shorter than its family field');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const family = v.getUint16(0, true);
  if (family === AF.INET) {
    if (b.length < 8) throw new KernelError(Errno.EINVAL, 'sockaddr_in shorter than 8 bytes');
    return { family, port: v.getUint16(2, false), addr: formatIpv4(b.subarray(4, 8)) };
  }
  if (family === AF.PACKET) {
    if (b.length < 12) throw new KernelError(Errno.EINVAL, 'sockaddr_ll shorter than 12 bytes');
    const index = v.getInt32(4, true);
    return { family, addr: index === ETH0_INDEX ? 'eth0' : `if${index}`, port: b[10]! };
  }
  if (family === AF.UNIX) {
    const raw = b.subarray(2, Math.min(b.length, 2 + UNIX_PATH_MAX));
    const end = raw.indexOf(0);
    const path = raw.subarray(0, end < 0 ? raw.length : end);
    // An empty path is an unnamed socket (a client that never bound); bind and connect refuse it.
    let text: string;
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(path); } catch { throw new KernelError(Errno.EINVAL, 'sockaddr_un path is not UTF-8'); }
    return { family, port: 0, addr: text };
  }
  throw new KernelError(Errno.EAFNOSUPPORT, `address family ${family}`);
}

/**
 * The network configuration and state `ip` shows (the `netinfo` call): the interfaces,
 * their addresses, the routes and the neighbour (ARP) table. Read-only: nothing here
 * changes the stack. Counters come from the device (eth0) and are absent for `lo`.
 */
export interface NetInfo {
  links: LinkInfo[];
  addresses: { dev: string; address: string; prefix: number }[];
  /** `dest` is `default` or a network in CIDR form; `via` the gateway, if any. */
  routes: { dest: string; via?: string; dev: string }[];
  /** `mac` absent while an ARP request is outstanding (INCOMPLETE). */
  neighbours: { address: string; mac?: string; state: 'REACHABLE' | 'INCOMPLETE'; dev: string; queued: number }[];
}

/** The loopback interface every machine has (net always reports it first). */
export const LOOPBACK_NETINFO: NetInfo = {
  links: [{ name: 'lo', mac: '00:00:00:00:00:00', mtu: 65536, loopback: true }],
  addresses: [{ dev: 'lo', address: '127.0.0.1', prefix: 8 }],
  routes: [],
  neighbours: [],
};

export interface LinkInfo {
  name: string;
  /** aa:bb:cc:dd:ee:ff; all zero for lo. */
  mac: string;
  mtu: number;
  loopback: boolean;
  stats?: { rxPackets: number; txPackets: number; rxBytes: number; txBytes: number; rxDropped: number; txDropped: number; rxErrors: number; txErrors: number };
}

/** One row of the socket table (ss, netstat). */
export interface SocketInfo {
  id: number;
  family: number;
  type: number;
  /** LISTEN, ESTABLISHED, CLOSE_WAIT, ..., or UNCONN for an unconnected datagram socket. */
  state: string;
  local: string;
  remote: string;
  recvQueue: number;
  sendQueue: number;
  /** A TCP connection through the stack: its protocol state (ss -i, -m). */
  tcp?: TcpInfo;
}

/** What `ss -i` shows of a TCP connection (Linux's tcp_info, in its units: ms, segments). */
export interface TcpInfo {
  /** Retransmission timeout, smoothed RTT and its variance (ms); rtt 0 before the first sample. */
  rto: number;
  rtt: number;
  rttvar: number;
  mss: number;
  /** Congestion window and slow-start threshold in segments (ssthresh 0 while it is unset). */
  cwnd: number;
  ssthresh: number;
  sack: boolean;
  /** Window scale shifts: the peer's (applied to what it advertises) and ours. */
  sndWscale: number;
  rcvWscale: number;
  /** In loss recovery (fast retransmit, NewReno or SACK). */
  recovery: boolean;
  retransmits: number;
  fastRetransmits: number;
  timeouts: number;
  segmentsSent: number;
  segmentsReceived: number;
  /** Bytes sent (retransmissions included), acknowledged, and received in order. */
  bytesSent: number;
  bytesAcked: number;
  bytesReceived: number;
  /** The buffers' sizes now (autotuning may have grown them). */
  rcvBuffer: number;
  sndBuffer: number;
}

// One socket's state. A stream socket moves through
//   CLOSED --bind--> BOUND --listen--> LISTEN
//   CLOSED/BOUND --connect--> ESTABLISHED --shutdown(WR) or peer's close--> ... --close--> gone
// and, once connected, holds its peer: what one side sends lands in the other side's
// receive queue (`rx`, bounded by SO_RCVBUF), so a full queue blocks the sender, an
// empty one the receiver. A datagram socket keeps a queue of whole datagrams with
// their senders. The operations are in sockets.ts; the address tables in ports.ts.
// A socket whose peer is off the loopback network holds a connection, listener or
// UDP endpoint of the TCP/IP stack instead (inet.ts).

import type { SockAddr } from '../../abi/net.js';
import type { SockFilter } from '../../abi/cbpf.js';
import { ByteQueue } from './byte-queue.js';
import type { SleepQueue } from './sleepers.js';
import type { Connection } from './stack/tcp/connection.js';
import type { Listener } from './stack/tcp/tcp.js';
import type { UdpEndpoint } from './stack/udp.js';

export type StreamState = 'CLOSED' | 'BOUND' | 'LISTEN' | 'ESTABLISHED';

export interface Datagram { data: Uint8Array; from: SockAddr }

export interface SocketOptions {
  reuseAddress: boolean;
  keepAlive: boolean;
  noDelay: boolean;
  receiveBuffer: number;
  sendBuffer: number;
  /** SO_RCVBUF / SO_SNDBUF were set: a TCP connection's buffer keeps that size instead of autotuning (Linux's SOCK_RCVBUF_LOCK). */
  receiveBufferSet: boolean;
  sendBufferSet: boolean;
}

export class Socket {
  state: StreamState = 'CLOSED';
  local: SockAddr | undefined;
  remote: SockAddr | undefined;
  /** Stream: the connected other end (same net instance: loopback or AF_UNIX). */
  peer: Socket | undefined;
  /** Stream: bytes received and not yet read. */
  readonly rx: ByteQueue;
  /** Stream: the peer will send nothing more (its FIN): reads end when rx is empty. */
  peerDone = false;
  /** This side called shutdown(WR) or close: sends are EPIPE. */
  sendDone = false;
  /** This side called shutdown(RD): reads return end of file. */
  receiveDone = false;
  /** Pending error (SO_ERROR), reported once by the next call. */
  error = 0;
  /** Listening: connections made and not yet accepted. */
  readonly pending: Socket[] = [];
  backlog = 0;
  /** Datagram: the queue and its size in bytes (bounded by SO_RCVBUF). */
  readonly datagrams: Datagram[] = [];
  datagramBytes = 0;
  readonly options: SocketOptions;
  /** Everyone blocked on this socket; woken by any change. */
  readonly sleepers: SleepQueue = [];
  closed = false;
  /** A datagram socket of IPPROTO_ICMP: a ping socket (its port is the echo id). */
  icmp = false;
  // ---- on the TCP/IP stack (inet.ts), off the loopback network ----
  /** Stream: its connection. */
  tcp: Connection | undefined;
  /** Listening: the stack's listener for its port. */
  tcpListener: Listener | undefined;
  /** Datagram: its endpoint in the stack's UDP table. */
  udpEndpoint: UdpEndpoint | undefined;
  /** Ping socket: its echo id is registered with the stack's ICMP layer. */
  echoBound = false;
  /** AF_PACKET capture: frames dropped because the queue was full. */
  captureDrops = 0;
  /** AF_PACKET capture: frames queued (with captureDrops, what PACKET_STATISTICS reports). */
  captureQueued = 0;
  /** AF_PACKET capture: the checked socket filter (SO_ATTACH_FILTER), run before a frame is queued. */
  filter: readonly SockFilter[] | undefined;
  /** SO_LOCK_FILTER: the filter can no longer be attached, detached or unlocked. */
  filterLocked = false;

  constructor(readonly id: number, readonly family: number, readonly type: number, defaults: { receiveBuffer: number; sendBuffer: number }) {
    this.options = { reuseAddress: false, keepAlive: false, noDelay: false, receiveBufferSet: false, sendBufferSet: false, ...defaults };
    this.rx = new ByteQueue(defaults.receiveBuffer);
  }
}

// One TCP connection (RFC 9293): the state machine
//
//   CLOSED --connect/SYN--> SYN_SENT --SYN+ACK/ACK--> ESTABLISHED
//   LISTEN --SYN/SYN+ACK--> SYN_RECEIVED --ACK--> ESTABLISHED      (listener in tcp.ts)
//   SYN_SENT --SYN/SYN+ACK--> SYN_RECEIVED                          (simultaneous open)
//   ESTABLISHED --close/FIN--> FIN_WAIT_1 --ACK--> FIN_WAIT_2 --FIN/ACK--> TIME_WAIT --2MSL--> CLOSED
//   FIN_WAIT_1 --FIN/ACK--> CLOSING --ACK--> TIME_WAIT                (simultaneous close)
//   ESTABLISHED --FIN/ACK--> CLOSE_WAIT --close/FIN--> LAST_ACK --ACK--> CLOSED
//
// with its send side (send-buffer.ts; Nagle; retransmission on the RFC 6298 timer,
// rto.ts; fast retransmit and NewReno, newreno.ts; with SACK, RFC 6675 loss recovery
// from the scoreboard, scoreboard.ts; persist probes into a zero window) and receive
// side (the application's receive queue; out-of-order segments held in out-of-order.ts
// and reported in SACK blocks; delayed ACKs; window scaling). Incoming segments are checked in
// RFC 9293 3.10.7's order (sequence, RST, SYN, ACK, text, FIN), with RFC 5961's
// challenge ACKs for an RST or SYN inside the window that is not exactly expected.
// Timers are deadlines (ms) that tcp.ts runs; nothing here reads a clock itself.

import { ByteQueue } from '../../byte-queue.js';
import type { Grant } from '../../../../abi/grant.js';
import type { TcpInfo } from '../../../../abi/net.js';
import { Errno } from '../../../../abi/errno.js';
import { FLAG, MAX_SACK_BLOCKS, type TcpOptions, type TcpSegment } from '../../wire/tcp.js';
import { NewReno } from './newreno.js';
import { OutOfOrderQueue } from './out-of-order.js';
import { RtoEstimator } from './rto.js';
import { DUP_THRESH, Scoreboard } from './scoreboard.js';
import { SendBuffer } from './send-buffer.js';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './seq.js';
import type { TcpTunables } from './tunables.js';

export type TcpState = 'CLOSED' | 'SYN_SENT' | 'SYN_RECEIVED' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2'
  | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT';

/** A segment as a connection makes it; tcp.ts adds the ports. */
/** A segment to send; `gso` (the mss) when its payload is a run of several segments for the link to cut (segmentation offload). */
export type OutSegment = Omit<TcpSegment, 'srcPort' | 'dstPort'> & { gso?: number };

/** What a connection needs from tcp.ts. */
export interface ConnectionHost {
  now(): number;
  /** Sends a segment of this connection (tcp.ts adds ports and the IP layer). */
  output(c: Connection, s: OutSegment): void;
  /** The connection reached ESTABLISHED (a passive one joins its listener's accept queue). */
  established(c: Connection): void;
  /** The connection is CLOSED and forgotten. */
  removed(c: Connection): void;
  /**
   * An ACK is owed (two full segments arrived): true when the host takes it and sends it
   * at the end of the batch of frames it is delivering (`ackNow` then), false to send it now.
   */
  deferAck?(c: Connection): boolean;
  /** The largest IPv4 datagram the link takes as one large segment (segmentation offload); 0 or absent: none. */
  gsoMax?(): number;
  /** Buffer autotuning's shared budget: true when `bytes` more may be grown (absent: always). */
  reserveGrowth?(bytes: number): boolean;
  releaseGrowth?(bytes: number): void;
  readonly tunables: TcpTunables;
}

export interface ConnectionStats { segmentsSent: number; segmentsReceived: number; retransmits: number; bytesSent: number; bytesAcked: number; bytesReceived: number }

const SENDING_STATES: ReadonlySet<TcpState> = new Set(['ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK']);
const RECEIVING_STATES: ReadonlySet<TcpState> = new Set(['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2']);

export class Connection {
  state: TcpState = 'CLOSED';
  // ---- send sequence space (RFC 9293 3.3.1); SND.MAX is the highest sequence sent ----
  iss: number;
  sndUna: number;
  sndNxt: number;
  sndMax: number;
  sndWnd = 0;
  private sndWl1 = 0;
  private sndWl2 = 0;
  private maxSndWnd = 0;
  private sndScale = 0;
  /** Sequence number of the send buffer's first byte. */
  private bufferSeq: number;
  private finQueued = false;
  // ---- receive sequence space ----
  irs = 0;
  rcvNxt = 0;
  private rcvScale = 0;
  /** The right edge of the window last advertised (never moved left). */
  private rcvEdge = 0;
  finReceived = false;
  // ---- buffers ----
  readonly sendBuffer: SendBuffer;
  readonly rx: ByteQueue;
  readonly outOfOrder = new OutOfOrderQueue();
  // ---- MSS, congestion control, RTO ----
  mss = 536;
  private readonly ourMss: number;
  readonly cc: NewReno;
  readonly rto = new RtoEstimator();
  /** Both ends said SACK-permitted in their SYNs (RFC 2018). */
  sackOk = false;
  /** What the peer reported holding above SND.UNA (with sackOk). */
  readonly board = new Scoreboard();
  /** RFC 6675's HighRxt: retransmissions in this recovery reached up to here. */
  private highRxt = 0;
  /** This recovery sent its rescue retransmission (RFC 6675 NextSeg rule 4). */
  private rescued = false;
  private timing: { seq: number; at: number } | undefined;
  private retries = 0;
  // ---- timers (deadlines in ms; Infinity when off) ----
  rtxAt = Infinity;
  persistAt = Infinity;
  private persistBackoff = 0;
  delackAt = Infinity;
  private ackPending = 0;
  keepaliveAt = Infinity;
  private keepProbes = 0;
  private lastHeard: number;
  closeAt = Infinity;
  // ---- the application's side (set by the socket layer) ----
  noDelay = false;
  keepAlive = false;
  /** Pending error for the application (ECONNRESET, ECONNREFUSED, ETIMEDOUT). */
  error = 0;
  /** The application closed its end: nobody reads any more. */
  orphaned = false;
  /** Called on any change the application may wait for. */
  onChange: (() => void) | undefined;
  /** A passive connection's listener (tcp.ts), until accepted. */
  listener: unknown;
  readonly stats: ConnectionStats = { segmentsSent: 0, segmentsReceived: 0, retransmits: 0, bytesSent: 0, bytesAcked: 0, bytesReceived: 0 };

  constructor(
    private readonly host: ConnectionHost,
    readonly localAddress: number, readonly localPort: number,
    readonly remoteAddress: number, readonly remotePort: number,
    iss: number, linkMtu: number, buffers: { receive: number; send: number; autoReceive?: boolean; autoSend?: boolean },
  ) {
    this.iss = iss >>> 0;
    this.sndUna = this.iss; this.sndNxt = this.iss; this.sndMax = this.iss;
    this.bufferSeq = seqAdd(this.iss, 1);
    this.ourMss = Math.max(88, linkMtu - 40);
    this.sendBuffer = new SendBuffer(buffers.send);
    this.rx = new ByteQueue(buffers.receive);
    this.cc = new NewReno(this.mss);
    this.lastHeard = host.now();
    this.autoReceive = buffers.autoReceive === true;
    this.autoSend = buffers.autoSend === true;
    this.readSince = this.lastHeard;
  }

  // ---- buffer autotuning (tunables.ts) ----
  /** The application left SO_RCVBUF / SO_SNDBUF alone: the buffer may grow. */
  autoReceive: boolean;
  autoSend: boolean;
  /** Bytes the application read since `readSince` (one round trip's worth is measured). */
  private readBytes = 0;
  private readSince: number;
  /** Bytes this connection's buffers grew by (given back to the budget when it ends). */
  private grownBytes = 0;

  // Once per round trip, the receive buffer is made at least four times what the
  // application read in it (Linux's tcp_rcv_space_adjust keeps it about twice that,
  // doubled again while the sender is still growing its window): when the window
  // limited the transfer, the application read about a window, and the next round
  // trip may carry twice as much. An application that reads slowly never grows it.
  private autotuneReceive(n: number): void {
    if (!this.autoReceive || this.tun.autotune === 0) return;
    this.readBytes += n;
    const now = this.host.now();
    if (now - this.readSince < Math.max(1, this.rto.srtt ?? 1)) return;
    const want = Math.min(this.tun.rmemMax, 4 * this.readBytes);
    this.readBytes = 0;
    this.readSince = now;
    if (want > this.rx.capacity && this.grow(want - this.rx.capacity)) this.rx.capacity = want;
  }

  // The send buffer holds what is in flight and what the application queued behind it:
  // twice the most the windows allow in flight keeps the sender from waiting for room.
  private autotuneSend(): void {
    if (!this.autoSend || this.tun.autotune === 0) return;
    const want = Math.min(this.tun.wmemMax, 2 * Math.min(this.cc.cwnd, this.maxSndWnd));
    if (want > this.sendBuffer.capacity && this.grow(want - this.sendBuffer.capacity)) this.sendBuffer.capacity = want;
  }

  private grow(bytes: number): boolean {
    if (this.host.reserveGrowth?.(bytes) === false) return false;
    this.grownBytes += bytes;
    return true;
  }

  private get tun(): TcpTunables { return this.host.tunables; }

  /** What `ss -i` shows (abi/net.ts TcpInfo). */
  info(): TcpInfo {
    const segments = (bytes: number): number => Math.ceil(bytes / this.mss);
    return {
      rto: this.rto.rto, rtt: this.rto.srtt ?? 0, rttvar: this.rto.rttvar, mss: this.mss,
      cwnd: segments(this.cc.cwnd), ssthresh: this.cc.ssthresh >= 0x7fffffff ? 0 : segments(this.cc.ssthresh),
      sack: this.sackOk, sndWscale: this.sndScale, rcvWscale: this.rcvScale, recovery: this.cc.inRecovery,
      retransmits: this.stats.retransmits, fastRetransmits: this.cc.stats.fastRetransmits, timeouts: this.cc.stats.timeouts,
      segmentsSent: this.stats.segmentsSent, segmentsReceived: this.stats.segmentsReceived, bytesSent: this.stats.bytesSent, bytesAcked: this.stats.bytesAcked, bytesReceived: this.stats.bytesReceived,
      rcvBuffer: this.rx.capacity, sndBuffer: this.sendBuffer.capacity,
    };
  }

  // ---- opening ------------------------------------------------------------------------

  /** Active open: sends the SYN. */
  open(): void {
    this.state = 'SYN_SENT';
    this.rcvScale = this.tun.windowScale;
    this.sendSyn();
  }

  /** Passive open from a listener: the peer's SYN; sends the SYN+ACK. */
  accept(syn: TcpSegment): void {
    this.irs = syn.seq;
    this.rcvNxt = seqAdd(syn.seq, 1);
    this.takeSynOptions(syn.options, true);
    this.sndWnd = syn.window; // never scaled in a SYN
    this.sndWl1 = syn.seq; this.sndWl2 = this.iss;
    this.state = 'SYN_RECEIVED';
    this.sendSyn();
  }

  private takeSynOptions(o: TcpOptions, passive: boolean): void {
    this.mss = Math.max(64, Math.min(this.ourMss, o.mss ?? 536));
    this.cc.setMss(this.mss);
    this.sackOk = this.tun.sack !== 0 && o.sackPermitted === true;
    if (o.windowScale !== undefined) {
      this.sndScale = Math.min(14, o.windowScale);
      if (passive) this.rcvScale = this.tun.windowScale;
    } else {
      this.sndScale = 0;
      this.rcvScale = 0;
    }
  }

  private sendSyn(): void {
    const options: TcpOptions = { mss: this.ourMss };
    if (this.state === 'SYN_SENT' || this.rcvScale > 0) options.windowScale = this.state === 'SYN_SENT' ? this.tun.windowScale : this.rcvScale;
    if (this.state === 'SYN_SENT' ? this.tun.sack !== 0 : this.sackOk) options.sackPermitted = true;
    const flags = this.state === 'SYN_SENT' ? FLAG.SYN : FLAG.SYN | FLAG.ACK;
    // The window in a SYN is never scaled.
    const window = Math.min(65535, this.rx.room);
    this.rcvEdge = seqAdd(this.rcvNxt, window << 0);
    this.emit({ seq: this.iss, ack: flags & FLAG.ACK ? this.rcvNxt : 0, flags, window, options, payload: new Uint8Array(0) });
    if (this.retries === 0) this.timing = { seq: this.iss, at: this.host.now() };
    if (seqLt(this.sndMax, seqAdd(this.iss, 1))) this.sndMax = seqAdd(this.iss, 1);
    this.sndNxt = seqAdd(this.iss, 1);
    if (this.rtxAt === Infinity) this.rtxAt = this.host.now() + this.rto.rto;
  }

  // ---- the application's calls -----------------------------------------------------------

  /** Queues bytes to send; the count taken (0 when the send buffer is full). */
  write(data: Uint8Array): number {
    const n = this.sendBuffer.push(data);
    if (n > 0) this.output();
    return n;
  }

  /** `write` from a grant: `n` bytes of `src` (the caller checked that they fit the send buffer's room), copied once. */
  writeFrom(src: Grant, n: number): void {
    this.sendBuffer.pushFrom(src, n);
    if (n > 0) this.output();
  }

  /** Bytes received in order, removed unless `peek`; may open the window (an ACK goes out). */
  read(max: number, peek = false): Uint8Array {
    const before = this.windowToAdvertise();
    const data = this.rx.take(max, peek);
    if (!peek) { this.autotuneReceive(data.length); this.windowOpened(before, data.length); }
    return data;
  }

  /** `read` into a grant (copied once); the count. */
  readInto(dst: Grant): number {
    const before = this.windowToAdvertise();
    const n = this.rx.takeInto(dst);
    this.autotuneReceive(n);
    this.windowOpened(before, n);
    return n;
  }

  private windowOpened(before: number, taken: number): void {
    if (taken === 0 || !RECEIVING_STATES.has(this.state)) return;
    const after = this.windowToAdvertise();
    // Tell the peer when the window grew by two segments or half the buffer (RFC 1122's receiver SWS avoidance).
    if (after - before >= Math.min(2 * this.mss, this.rx.capacity >> 1) || (before === 0 && after > 0)) this.sendAck();
  }

  get canWrite(): boolean { return SENDING_STATES.has(this.state) && !this.finQueued || this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED'; }
  /** The peer sent its FIN and every byte before it was read. */
  get atEnd(): boolean { return this.finReceived && this.rx.size === 0; }
  get synchronized(): boolean { return this.state !== 'CLOSED' && this.state !== 'SYN_SENT' && this.state !== 'SYN_RECEIVED'; }

  /** shutdown(SHUT_WR): a FIN after the queued bytes. */
  shutdownWrite(): void {
    if (this.finQueued) return;
    if (this.state === 'SYN_SENT') { this.remove(0); return; }
    this.finQueued = true;
    if (this.state === 'ESTABLISHED') this.state = 'FIN_WAIT_1';
    else if (this.state === 'CLOSE_WAIT') this.state = 'LAST_ACK';
    this.output();
  }

  /** close(): unread data resets the peer (as Linux does); otherwise an orderly FIN. */
  close(): void {
    this.orphaned = true;
    this.onChange = undefined;
    if (this.state === 'CLOSED') return;
    if (this.rx.size > 0 || this.outOfOrder.bytes > 0) { this.abort(0); return; }
    this.shutdownWrite();
    if (this.state === 'FIN_WAIT_2') this.closeAt = this.host.now() + this.tun.finTimeout;
  }

  /** Sends an RST (when synchronized) and forgets the connection. */
  abort(errno: number): void {
    if (this.state !== 'CLOSED' && this.state !== 'SYN_SENT' && this.state !== 'TIME_WAIT') {
      this.emit({ seq: this.sndMax, ack: this.rcvNxt, flags: FLAG.RST | FLAG.ACK, window: 0, options: {}, payload: new Uint8Array(0) });
    }
    this.remove(errno);
  }

  private remove(errno: number): void {
    if (errno !== 0) this.error = errno;
    this.state = 'CLOSED';
    this.rtxAt = this.persistAt = this.delackAt = this.keepaliveAt = this.closeAt = Infinity;
    this.outOfOrder.clear();
    this.sendBuffer.clear();
    this.board.clear();
    if (this.grownBytes > 0) { this.host.releaseGrowth?.(this.grownBytes); this.grownBytes = 0; }
    this.host.removed(this);
    this.changed();
  }

  private changed(): void { this.onChange?.(); }

  // ---- sending ------------------------------------------------------------------------------

  private windowToAdvertise(): number {
    const room = this.rx.room;
    // Receiver SWS avoidance: do not offer a sliver of window.
    const offer = room < Math.min(this.mss, this.rx.capacity >> 1) ? 0 : room;
    return Math.max(offer, Math.min(this.rx.capacity, seqDiff(this.rcvEdge, this.rcvNxt)));
  }

  /** Emits one segment with our current ACK and window. */
  private emit(s: OutSegment): void {
    if ((s.flags & FLAG.SYN) === 0 && (s.flags & FLAG.ACK) !== 0) {
      const wnd = Math.min(this.windowToAdvertise(), 65535 << this.rcvScale);
      s.window = Math.min(65535, wnd >>> this.rcvScale);
      const edge = seqAdd(this.rcvNxt, s.window << this.rcvScale);
      if (seqGt(edge, this.rcvEdge)) this.rcvEdge = edge;
      s.ack = this.rcvNxt;
      this.ackPending = 0;
      this.delackAt = Infinity;
      // SACK blocks ride on segments without data, so options never push a full segment past the MSS.
      if (this.sackOk && s.payload.length === 0 && (s.flags & FLAG.RST) === 0 && this.outOfOrder.segments > 0) {
        s.options = { sack: this.outOfOrder.blocks(MAX_SACK_BLOCKS) };
      }
    }
    this.stats.segmentsSent++;
    this.host.output(this, s);
  }

  // NOTE: a bare ACK carries SND.MAX, not SND.NXT: after a timeout SND.NXT goes back to
  // SND.UNA, and an ACK numbered below what the peer has received would look old to it.
  sendAck(): void { this.emit({ seq: this.sndMax, ack: this.rcvNxt, flags: FLAG.ACK, window: 0, options: {}, payload: new Uint8Array(0) }); }

  private get finSeq(): number { return seqAdd(this.bufferSeq, this.sendBuffer.size); }
  private get finSent(): boolean { return this.finQueued && seqGt(this.sndNxt, this.finSeq); }

  /** Sends the segment starting at `seq` (at most `max` bytes), with a FIN if it reaches the end. The sequence space it used. */
  private sendAt(seq: number, max: number): number {
    const offset = seqDiff(seq, this.bufferSeq);
    // NOTE: a view into the send buffer, copied into the frame before emit returns.
    const data = this.sendBuffer.view(offset, max);
    const endsBuffer = offset + data.length === this.sendBuffer.size;
    const fin = this.finQueued && endsBuffer;
    let flags = FLAG.ACK;
    if (data.length > 0 && endsBuffer) flags |= FLAG.PSH;
    if (fin) flags |= FLAG.FIN;
    if (data.length === 0 && !fin) return 0;
    this.emit({ seq, ack: this.rcvNxt, flags, window: 0, options: {}, payload: data, ...(data.length > this.mss ? { gso: this.mss } : {}) });
    this.stats.bytesSent += data.length;
    return data.length + (fin ? 1 : 0);
  }

  /** Sends what the windows, Nagle and the buffer allow; an ACK if one is owed and nothing else carried it. */
  output(): void {
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED') return;
    const now = this.host.now();
    if (SENDING_STATES.has(this.state) && this.cc.sackRecovery) this.sackRecoveryOutput(now);
    else if (SENDING_STATES.has(this.state)) {
      // With segmentation offload a segment may carry a run of full-sized segments.
      const gsoMax = this.host.gsoMax?.() ?? 0;
      const segMax = gsoMax > this.mss + 40 ? Math.max(this.mss, Math.floor((gsoMax - 40) / this.mss) * this.mss) : this.mss;
      for (;;) {
        const inFlight = seqDiff(this.sndNxt, this.sndUna);
        const unsent = this.sendBuffer.size - seqDiff(this.sndNxt, this.bufferSeq);
        const usable = Math.min(this.sndWnd, this.cc.cwnd) - inFlight;
        if (unsent > 0) {
          let len = Math.min(segMax, unsent);
          if (len > usable && usable >= this.mss) len = segMax > this.mss ? usable - (usable % this.mss) : usable;
          else if (len > usable) {
            // Sender SWS avoidance: send less than a segment only when it is all there is and half the peer's largest window allows it.
            if (usable <= 0 || (usable < unsent && usable < (this.maxSndWnd >> 1))) {
              if (this.sndWnd === 0 && inFlight === 0 && this.persistAt === Infinity) this.armPersist(now);
              break;
            }
            len = usable;
          }
          const isNew = this.sndNxt === this.sndMax;
          // Nagle (RFC 896): a short new segment waits while data is unacknowledged (never a retransmission).
          if (isNew && len < this.mss && !this.noDelay && seqGt(this.sndMax, this.sndUna) && !(this.finQueued && len === unsent)) break;
          const used = this.sendAt(this.sndNxt, len);
          if (used === 0) break;
          if (isNew && this.timing === undefined) this.timing = { seq: this.sndNxt, at: now };
          if (!isNew) this.stats.retransmits++;
          this.sndNxt = seqAdd(this.sndNxt, used);
          if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
          if (this.rtxAt === Infinity) this.rtxAt = now + this.rto.rto;
          this.persistAt = Infinity;
          continue;
        }
        if (this.finQueued && !this.finSent) {
          if (this.sndNxt !== this.sndMax) this.stats.retransmits++;
          this.sendAt(this.sndNxt, 0);
          this.sndNxt = seqAdd(this.sndNxt, 1);
          if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
          if (this.rtxAt === Infinity) this.rtxAt = now + this.rto.rto;
        }
        break;
      }
    }
    if (this.ackPending >= 2) this.owedAck();
  }

  // RFC 6675 5 (step 4.3, then C): the first unacknowledged segment goes at once;
  // then, while cwnd - pipe allows a full segment, NextSeg: the next lost hole (rule 1),
  // else new data the peer's window takes (rule 2), else the next hole not yet known
  // lost (rule 3), one MSS at a time. SACKed bytes are never resent, nor a hole twice in
  // one recovery (HighRxt).
  private sackRecoveryOutput(now: number): void {
    for (;;) {
      if (this.cc.cwnd - this.pipe() < this.mss) break;
      const from = seqGt(this.highRxt, this.sndUna) ? this.highRxt : this.sndUna;
      const holes = this.board.holes(this.sndUna, from, this.mss);
      const lost = holes.find((h) => h.lost);
      if (lost !== undefined && this.retransmitHole(lost.start, lost.end, now)) continue;
      const unsent = this.sendBuffer.size - seqDiff(this.sndNxt, this.bufferSeq);
      const room = this.sndWnd - seqDiff(this.sndNxt, this.sndUna);
      const finToSend = unsent <= 0 && this.finQueued && !this.finSent;
      if ((unsent > 0 && room >= Math.min(this.mss, unsent)) || finToSend) {
        const used = this.sendAt(this.sndNxt, Math.min(this.mss, Math.max(0, unsent)));
        if (used === 0) break;
        if (this.sndNxt !== this.sndMax) this.stats.retransmits++;
        this.sndNxt = seqAdd(this.sndNxt, used);
        if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
        if (this.rtxAt === Infinity) this.rtxAt = now + this.rto.rto;
        continue;
      }
      const next = holes[0];
      if (next !== undefined) { if (this.retransmitHole(next.start, next.end, now)) continue; break; }
      // Rule 4, the rescue retransmission (once per recovery): the last MSS of what is
      // outstanding, when nothing SACKed lies above it, so a lost tail is resent now
      // instead of at the retransmission timer.
      if (this.rescued || this.board.holds(seqAdd(this.sndMax, -1))) break;
      this.rescued = true;
      const start = seqDiff(this.sndMax, this.sndUna) > this.mss ? seqAdd(this.sndMax, -this.mss) : this.sndUna;
      if (this.sendAt(start, seqDiff(this.sndMax, start)) > 0) { this.stats.retransmits++; this.timing = undefined; }
      break;
    }
  }

  /** Resends the start of hole [start, end) (at most an MSS); false when nothing went. */
  private retransmitHole(start: number, end: number, now: number): boolean {
    const used = this.sendAt(start, Math.min(this.mss, seqDiff(end, start)));
    if (used === 0) return false;
    this.highRxt = seqAdd(start, used);
    this.stats.retransmits++;
    this.timing = undefined;
    if (this.rtxAt === Infinity) this.rtxAt = now + this.rto.rto;
    return true;
  }

  /**
   * RFC 6675's pipe: each byte not SACKed counts once unless it is in a lost hole (its
   * original is gone), and once more if it was retransmitted (below HighRxt).
   */
  private pipe(): number {
    let lost = 0;
    for (const h of this.board.holes(this.sndUna, this.sndUna, this.mss)) if (h.lost) lost += seqDiff(h.end, h.start);
    const resent = seqGt(this.highRxt, this.sndUna) ? seqDiff(this.highRxt, this.sndUna) - this.board.bytesBelow(this.highRxt) : 0;
    return seqDiff(this.sndMax, this.sndUna) - this.board.bytes - lost + resent;
  }

  // RFC 1122 4.2.3.2 / RFC 5681 4.2: an ACK for every second full segment. While the
  // host delivers a batch of frames (one receive from the NIC, as Linux's GRO merges a
  // NAPI poll's segments before TCP sees them) the ACK goes out once, at the batch's
  // end, acknowledging all of it; out of batches it goes now.
  private owedAck(): void {
    if (this.host.deferAck?.(this) !== true) this.sendAck();
  }

  /** Sends the ACK a batch deferred (deferAck), unless a segment since carried it. */
  ackNow(): void {
    if (this.ackPending > 0 && this.state !== 'CLOSED') this.sendAck();
  }

  private armPersist(now: number): void {
    this.persistAt = now + Math.min(this.tun.persistMax, Math.max(this.rto.rto, 200) * 2 ** this.persistBackoff);
  }

  // ---- timers ---------------------------------------------------------------------------------

  deadline(): number { return Math.min(this.rtxAt, this.persistAt, this.delackAt, this.keepaliveAt, this.closeAt); }

  onTimer(now: number): void {
    if (this.closeAt <= now) { this.remove(0); return; }
    if (this.delackAt <= now) this.sendAck();
    if (this.rtxAt <= now) this.onRetransmitTimeout(now);
    if (this.state === 'CLOSED') return;
    if (this.persistAt <= now) {
      // A window probe: one byte beyond the zero window (RFC 9293 3.8.6.1).
      this.persistAt = Infinity;
      if (this.sndWnd === 0 && this.sendBuffer.size - seqDiff(this.sndNxt, this.bufferSeq) > 0) {
        this.sendAt(this.sndNxt, 1);
        if (seqGt(seqAdd(this.sndNxt, 1), this.sndMax)) this.sndMax = seqAdd(this.sndNxt, 1);
        this.persistBackoff = Math.min(this.persistBackoff + 1, 16);
        this.armPersist(now);
      }
    }
    if (this.keepaliveAt <= now) this.onKeepalive(now);
  }

  private onRetransmitTimeout(now: number): void {
    this.rtxAt = Infinity;
    if (this.sndUna === this.sndMax) return;
    this.retries++;
    const limit = this.synchronized ? this.tun.retries : this.tun.synRetries;
    if (this.retries > limit) { this.abort(Errno.ETIMEDOUT); return; }
    this.rto.expired();
    this.timing = undefined; // Karn: nothing sent before now may be timed
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED') { this.stats.retransmits++; this.sendSyn(); this.rtxAt = now + this.rto.rto; return; }
    this.cc.onTimeout(seqDiff(this.sndMax, this.sndUna), this.sndMax);
    // The receiver may have dropped what it reported (RFC 2018 8): forget the SACK blocks.
    this.board.clear();
    // Go back N: resend from the first unacknowledged byte as the (now one-segment) window allows.
    this.sndNxt = this.sndUna;
    this.rtxAt = now + this.rto.rto;
    this.output();
  }

  private onKeepalive(now: number): void {
    this.keepaliveAt = Infinity;
    if (!this.keepAlive || !this.synchronized || this.state === 'TIME_WAIT') return;
    if (now - this.lastHeard < this.tun.keepIdle && this.keepProbes === 0) { this.keepaliveAt = this.lastHeard + this.tun.keepIdle; return; }
    if (this.keepProbes >= this.tun.keepCount) { this.abort(Errno.ETIMEDOUT); return; }
    this.keepProbes++;
    // A probe: an ACK one byte before SND.UNA, which the peer must answer with an ACK.
    this.emit({ seq: seqAdd(this.sndUna, -1), ack: this.rcvNxt, flags: FLAG.ACK, window: 0, options: {}, payload: new Uint8Array(0) });
    this.keepaliveAt = now + this.tun.keepInterval;
  }

  /** (Re)starts the keepalive timer after SO_KEEPALIVE changes or traffic. */
  armKeepalive(): void {
    this.keepaliveAt = this.keepAlive && this.synchronized && this.state !== 'TIME_WAIT' ? this.lastHeard + this.tun.keepIdle : Infinity;
  }

  // ---- receiving --------------------------------------------------------------------------------

  /** A segment for this connection (RFC 9293 3.10.7). */
  input(s: TcpSegment): void {
    const now = this.host.now();
    this.stats.segmentsReceived++;
    if (this.state === 'SYN_SENT') { this.inputSynSent(s); return; }
    if (this.state === 'CLOSED') return;
    const syn = (s.flags & FLAG.SYN) !== 0;
    // A retransmitted SYN while we wait for the handshake's ACK: send the SYN+ACK again.
    if (this.state === 'SYN_RECEIVED' && syn && (s.flags & FLAG.ACK) === 0 && s.seq === this.irs) { this.sendSyn(); return; }
    // Simultaneous open (RFC 793 figure 8): the peer's SYN+ACK acknowledges ours; its SYN we already hold.
    if (this.state === 'SYN_RECEIVED' && syn && (s.flags & FLAG.ACK) !== 0 && s.seq === this.irs && s.ack === this.sndMax && (s.flags & FLAG.RST) === 0) {
      this.stats.segmentsReceived--;
      this.input({ ...s, flags: s.flags & ~FLAG.SYN, seq: this.rcvNxt });
      this.sendAck();
      return;
    }
    // 1. Sequence number.
    let seq = s.seq, data = s.payload, fin = (s.flags & FLAG.FIN) !== 0;
    const segLen = data.length + (syn ? 1 : 0) + (fin ? 1 : 0);
    const wnd = Math.max(0, seqDiff(this.rcvEdge, this.rcvNxt));
    const inWindow = (x: number): boolean => seqLe(this.rcvNxt, x) && seqLt(x, seqAdd(this.rcvNxt, wnd));
    let acceptable = segLen === 0
      ? (wnd === 0 ? seq === this.rcvNxt : inWindow(seq))
      : wnd > 0 && (inWindow(seq) || inWindow(seqAdd(seq, segLen - 1)));
    // A zero window still takes an ACK (and RST) at RCV.NXT, without its data.
    let zeroWindowData = false;
    if (!acceptable && wnd === 0 && seq === this.rcvNxt) { acceptable = true; zeroWindowData = true; }
    if (!acceptable) {
      if ((s.flags & FLAG.RST) === 0) {
        if (this.state === 'TIME_WAIT' && fin) this.closeAt = now + 2 * this.tun.msl;
        this.sendAck();
      }
      return;
    }
    this.lastHeard = now;
    this.keepProbes = 0;
    // 2. RST (RFC 5961 3.2: only an exact match resets; others in the window get a challenge ACK).
    if ((s.flags & FLAG.RST) !== 0) {
      if (seq !== this.rcvNxt) { this.sendAck(); return; }
      const errno = this.state === 'SYN_RECEIVED' ? (this.listener !== undefined ? 0 : Errno.ECONNREFUSED)
        : this.state === 'CLOSING' || this.state === 'LAST_ACK' || this.state === 'TIME_WAIT' ? 0 : Errno.ECONNRESET;
      this.remove(errno);
      return;
    }
    // 3. SYN in a synchronized state: a challenge ACK (RFC 5961 4.2).
    if (syn) { this.sendAck(); return; }
    // 4. ACK.
    if ((s.flags & FLAG.ACK) === 0) return;
    if (this.state === 'SYN_RECEIVED') {
      if (!(seqLt(this.sndUna, s.ack) && seqLe(s.ack, this.sndMax))) {
        this.emit({ seq: s.ack, ack: 0, flags: FLAG.RST, window: 0, options: {}, payload: new Uint8Array(0) });
        return;
      }
      this.state = this.finQueued ? 'FIN_WAIT_1' : 'ESTABLISHED';
      this.sndWnd = s.window << this.sndScale;
      this.maxSndWnd = Math.max(this.maxSndWnd, this.sndWnd);
      this.sndWl1 = seq; this.sndWl2 = s.ack;
      this.host.established(this);
      this.changed();
    }
    if (!this.processAck(s, now)) return;
    if ((this.state as TcpState) === 'CLOSED') return;
    // 5. Text. Trim what lies before RCV.NXT or beyond the window.
    if (RECEIVING_STATES.has(this.state) && !zeroWindowData && (data.length > 0 || fin)) {
      if (seqLt(seq, this.rcvNxt)) {
        const cut = seqDiff(this.rcvNxt, seq);
        if (cut > data.length) { data = new Uint8Array(0); fin = false; } else data = data.subarray(cut);
        seq = this.rcvNxt;
      }
      const room = seqDiff(seqAdd(this.rcvNxt, Math.max(wnd, this.rx.room)), seq);
      if (data.length > room) { data = data.subarray(0, Math.max(0, room)); fin = false; }
      if (seq === this.rcvNxt) this.receiveInOrder(data, fin, now);
      else {
        this.outOfOrder.add(seq, data, fin);
        this.sendAck(); // a duplicate ACK tells the sender of the hole
      }
    } else if (this.state === 'TIME_WAIT' && fin) {
      this.closeAt = now + 2 * this.tun.msl;
      this.sendAck();
    }
    this.output();
    this.armKeepalive();
  }

  private receiveInOrder(data: Uint8Array, fin: boolean, now: number): void {
    const hadHoles = this.outOfOrder.segments > 0;
    let took = this.rx.push(data);
    this.rcvNxt = seqAdd(this.rcvNxt, took);
    let finNow = fin && took === data.length;
    if (took === data.length && hadHoles) {
      const more = this.outOfOrder.take(this.rcvNxt);
      for (const d of more.data) {
        const n = this.rx.push(d);
        took += n;
        this.rcvNxt = seqAdd(this.rcvNxt, n);
        if (n < d.length) break;
      }
      finNow = finNow || more.fin;
    }
    this.stats.bytesReceived += took;
    if (took > 0) this.changed();
    if (finNow) { this.receiveFin(now); return; }
    if (hadHoles) { this.sendAck(); return; }
    if (took > 0) {
      // A large segment (GRO) counts as the run of full segments it stands for.
      this.ackPending += took > this.mss ? Math.ceil(took / this.mss) : 1;
      if (this.ackPending >= 2) this.owedAck();
      else if (this.delackAt === Infinity) this.delackAt = now + this.tun.delayedAck;
    }
  }

  private receiveFin(now: number): void {
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.finReceived = true;
    if (this.state === 'ESTABLISHED') this.state = 'CLOSE_WAIT';
    else if (this.state === 'FIN_WAIT_1') this.state = 'CLOSING';
    else if (this.state === 'FIN_WAIT_2') this.enterTimeWait(now);
    this.sendAck();
    this.changed();
  }

  private enterTimeWait(now: number): void {
    this.state = 'TIME_WAIT';
    this.rtxAt = this.persistAt = this.keepaliveAt = this.delackAt = Infinity;
    this.closeAt = now + 2 * this.tun.msl;
    this.changed();
  }

  /** RFC 9293's ACK processing with NewReno; false when the segment is to be dropped. */
  private processAck(s: TcpSegment, now: number): boolean {
    const ack = s.ack;
    if (seqGt(ack, this.sndMax)) { this.sendAck(); return false; }
    const window = s.window << this.sndScale;
    const flight = seqDiff(this.sndMax, this.sndUna);
    if (seqGt(ack, this.sndUna)) {
      const acked = seqDiff(ack, this.sndUna);
      // RTT sample (Karn: only a segment sent once is timed).
      if (this.timing !== undefined && seqGt(ack, this.timing.seq)) { this.rto.sample(now - this.timing.at); this.timing = undefined; }
      // Drop acknowledged data from the send buffer (not the SYN or FIN, which hold no bytes).
      const dataAcked = Math.min(Math.max(0, seqDiff(ack, this.bufferSeq)), this.sendBuffer.size);
      this.sendBuffer.drop(dataAcked);
      this.stats.bytesAcked += dataAcked;
      this.bufferSeq = seqAdd(this.bufferSeq, dataAcked);
      this.sndUna = ack;
      this.board.advance(ack);
      if (seqLt(this.sndNxt, this.sndUna)) this.sndNxt = this.sndUna;
      this.retries = 0;
      this.persistBackoff = 0;
      const partial = this.cc.onAck(acked, ack, flight);
      this.rtxAt = this.sndUna === this.sndMax ? Infinity : now + this.rto.rto;
      if (partial) this.retransmitFirst();
      if (dataAcked > 0) { this.autotuneSend(); this.changed(); }
    } else if (ack === this.sndUna && s.payload.length === 0 && (s.flags & (FLAG.SYN | FLAG.FIN)) === 0 && window === this.sndWnd && window > 0 && flight > 0) {
      // A duplicate ACK (RFC 5681 2); answers to window probes into a zero window are not.
      if (!this.sackOk) { if (this.cc.onDupAck(flight, this.sndMax, this.sndUna)) this.retransmitFirst(); }
      else this.cc.countDupAck();
    }
    if (this.sackOk && s.options.sack !== undefined) this.board.update(s.options.sack, this.sndUna, this.sndMax);
    // RFC 6675 5 step 4: DupThresh duplicates, or the first unacknowledged byte lost, start recovery.
    if (this.sackOk && !this.cc.inRecovery && flight > 0 && (this.cc.dupAcks >= DUP_THRESH || this.board.firstLost(this.sndUna, this.mss))) {
      if (this.cc.enterSackRecovery(seqDiff(this.sndMax, this.sndUna), this.sndMax, this.sndUna)) {
        this.highRxt = this.sndUna;
        this.rescued = false;
        this.retransmitHole(this.sndUna, this.sndMax, now);
      }
    }
    // Window update (RFC 9293 3.10.7.4): from a newer segment, or the same with a newer ACK.
    if (seqLt(this.sndWl1, s.seq) || (this.sndWl1 === s.seq && seqLe(this.sndWl2, ack))) {
      const opened = this.sndWnd === 0 && window > 0;
      this.sndWnd = window;
      this.maxSndWnd = Math.max(this.maxSndWnd, window);
      this.sndWl1 = s.seq; this.sndWl2 = ack;
      if (opened) { this.persistAt = Infinity; this.persistBackoff = 0; }
    }
    // Our FIN acknowledged?
    if (this.finQueued && seqGt(this.sndUna, this.finSeq)) {
      if (this.state === 'FIN_WAIT_1') {
        this.state = 'FIN_WAIT_2';
        if (this.orphaned) this.closeAt = now + this.tun.finTimeout;
        this.changed();
      } else if (this.state === 'CLOSING') { this.enterTimeWait(now); return false; }
      else if (this.state === 'LAST_ACK') { this.remove(0); return false; }
    }
    return true;
  }

  private retransmitFirst(): void {
    this.stats.retransmits++;
    this.timing = undefined;
    this.sendAt(this.sndUna, this.mss);
    this.rtxAt = this.host.now() + this.rto.rto;
  }

  private inputSynSent(s: TcpSegment): void {
    const ackFlag = (s.flags & FLAG.ACK) !== 0;
    if (ackFlag && (seqLe(s.ack, this.iss) || seqGt(s.ack, this.sndMax))) {
      if ((s.flags & FLAG.RST) === 0) this.emit({ seq: s.ack, ack: 0, flags: FLAG.RST, window: 0, options: {}, payload: new Uint8Array(0) });
      return;
    }
    if ((s.flags & FLAG.RST) !== 0) {
      if (ackFlag) this.remove(Errno.ECONNREFUSED);
      return;
    }
    if ((s.flags & FLAG.SYN) === 0) return;
    this.irs = s.seq;
    this.rcvNxt = seqAdd(s.seq, 1);
    this.rcvEdge = this.rcvNxt;
    this.takeSynOptions(s.options, false);
    this.lastHeard = this.host.now();
    if (ackFlag) {
      this.sndUna = s.ack;
      this.bufferSeq = s.ack;
      this.rtxAt = Infinity;
      if (this.timing !== undefined) { this.rto.sample(this.host.now() - this.timing.at); this.timing = undefined; }
      this.state = 'ESTABLISHED';
      this.sndWnd = s.window << this.sndScale;
      this.maxSndWnd = this.sndWnd;
      this.sndWl1 = s.seq; this.sndWl2 = s.ack;
      this.host.established(this);
      this.sendAck();
      this.armKeepalive();
      this.output();
      this.changed();
      return;
    }
    // Simultaneous open: both sent SYNs; answer with SYN+ACK from the same ISS.
    this.state = 'SYN_RECEIVED';
    this.sndWnd = s.window;
    this.sndWl1 = s.seq; this.sndWl2 = this.iss;
    this.sendSyn();
  }
}

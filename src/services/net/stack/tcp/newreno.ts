// Congestion control: NewReno (RFC 5681 slow start and congestion avoidance, RFC 6582
// fast recovery). The connection reports ACKs, duplicate ACKs and timeouts; this
// decides the congestion window and when to retransmit. Byte counting (RFC 3465): in
// slow start the window grows by the bytes an ACK acknowledges, up to ssthresh, as
// Linux's tcp_slow_start does (RFC 3465 limits the increase to L = 2 SMSS per ACK;
// our receiver answers a batch of segments with one ACK, like Linux after GRO, and a
// limit per ACK would make slow start linear there). Congestion avoidance adds one
// MSS per window's worth of bytes acknowledged.
//
// With SACK (the connection's scoreboard.ts) loss recovery is RFC 6675's instead of
// NewReno's: `enterSackRecovery` sets cwnd to ssthresh without inflating it, duplicate
// ACKs and partial ACKs change nothing here, and the connection sends while
// cwnd - pipe allows, lost holes first.

import { seqGe, seqGt } from './seq.js';

export class NewReno {
  cwnd: number;
  ssthresh = 0x7fffffff;
  dupAcks = 0;
  inRecovery = false;
  /** The recovery under way is RFC 6675's (SACK). */
  sackRecovery = false;
  /** The highest sequence number sent when recovery began (RFC 6582's "recover"). */
  recover = 0;
  private recoverSet = false;
  // Congestion avoidance: bytes acked since the window last grew by an MSS.
  private acked = 0;
  readonly stats = { fastRetransmits: 0, timeouts: 0, partialAcks: 0 };

  constructor(private mss: number) { this.cwnd = NewReno.initialWindow(mss); }

  /** RFC 5681's IW: 4 segments up to 1095 bytes, 3 up to 2190, else 2 (Linux uses 10). */
  static initialWindow(mss: number): number { return mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss; }

  setMss(mss: number): void { this.mss = mss; this.cwnd = NewReno.initialWindow(mss); }

  /** New data acked (`bytes`), with `flight` bytes outstanding before the ACK. Returns true to retransmit the first unacked segment (a partial ACK). */
  onAck(bytes: number, ack: number, flight: number): boolean {
    this.dupAcks = 0;
    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        // Full acknowledgment: leave recovery with a deflated window.
        this.inRecovery = false;
        this.sackRecovery = false;
        this.cwnd = Math.min(this.ssthresh, Math.max(flight - bytes, this.mss) + this.mss);
        return false;
      }
      this.stats.partialAcks++;
      // With SACK the connection's pipe decides what goes next.
      if (this.sackRecovery) return false;
      // Partial acknowledgment: retransmit the next hole, deflate by what was acked, add back one MSS.
      this.cwnd = Math.max(this.mss, this.cwnd - bytes + (bytes >= this.mss ? this.mss : 0));
      return true;
    }
    if (this.cwnd < this.ssthresh) this.cwnd = Math.min(this.cwnd + bytes, Math.max(this.ssthresh, this.cwnd + this.mss));
    else {
      this.acked += bytes;
      if (this.acked >= this.cwnd) { this.acked -= this.cwnd; this.cwnd += this.mss; }
    }
    return false;
  }

  /** A duplicate ACK; true on the third (enter fast retransmit). `highest` is SND.MAX. */
  onDupAck(flight: number, highest: number, sndUna: number): boolean {
    if (this.inRecovery) { if (!this.sackRecovery) this.cwnd += this.mss; return false; }
    this.dupAcks++;
    // RFC 6582 4.1: only start a new recovery when the ACK covers more than "recover".
    if (this.dupAcks !== 3 || (this.recoverSet && !seqGt(sndUna, this.recover))) return false;
    this.recoverSet = true;
    this.stats.fastRetransmits++;
    this.ssthresh = Math.max(flight >> 1, 2 * this.mss);
    this.recover = highest;
    this.cwnd = this.ssthresh + 3 * this.mss;
    this.inRecovery = true;
    return true;
  }

  /** A duplicate ACK on a SACK connection: counted, nothing more (the connection decides on recovery). */
  countDupAck(): number { if (!this.inRecovery) this.dupAcks++; return this.dupAcks; }

  /**
   * Enters RFC 6675 loss recovery (the connection saw DupThresh duplicates or its first
   * byte lost), unless RFC 6582's rule holds it back: no new recovery until the ACK
   * passes the one before's recovery point. True when it entered.
   */
  enterSackRecovery(flight: number, highest: number, sndUna: number): boolean {
    if (this.inRecovery || (this.recoverSet && !seqGt(sndUna, this.recover))) return false;
    this.recoverSet = true;
    this.stats.fastRetransmits++;
    this.ssthresh = Math.max(flight >> 1, 2 * this.mss);
    this.cwnd = this.ssthresh;
    this.recover = highest;
    this.inRecovery = true;
    this.sackRecovery = true;
    this.dupAcks = 0;
    return true;
  }

  onTimeout(flight: number, highest: number): void {
    this.stats.timeouts++;
    this.recover = highest;
    this.recoverSet = true;
    this.ssthresh = Math.max(flight >> 1, 2 * this.mss);
    this.cwnd = this.mss;
    this.inRecovery = false;
    this.sackRecovery = false;
    this.dupAcks = 0;
    this.acked = 0;
  }
}

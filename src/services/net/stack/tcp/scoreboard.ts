// The sender's SACK scoreboard (RFC 6675): the runs of bytes above SND.UNA the
// receiver said it holds (RFC 2018 SACK blocks), kept sorted, disjoint and merged. A
// hole is the gap below a run; a hole is lost (RFC 6675 IsLost) when more than
// (DupThresh - 1) full segments' worth of bytes, or DupThresh separate runs, were
// reported above it — every byte of one hole has the same runs above it, so a hole is
// lost or not as a whole. The bytes above the highest run are in flight, not lost.
//
// A block that is not inside (SND.UNA, SND.MAX] is ignored (a D-SACK, a stale or a
// forged one): a peer can make the sender skip bytes it claims to hold, never make it
// send what it has not sent. A receiver that discards what it reported (reneging) is
// caught by the retransmission timer, which clears the board. At most MAX_RUNS runs
// are kept; beyond them the highest are forgotten (they come again in later ACKs).

import type { SackBlock } from '../../wire/tcp.js';
import { seqDiff, seqGt, seqLe, seqLt } from './seq.js';

/** RFC 6675's DupThresh. */
export const DUP_THRESH = 3;
export const MAX_RUNS = 64;

interface Run { start: number; end: number }
export interface Hole { start: number; end: number; lost: boolean }

export class Scoreboard {
  private runs: Run[] = [];
  /** Bytes reported held, all runs together. */
  bytes = 0;

  /** Takes one ACK's blocks given SND.UNA (after the ACK) and SND.MAX. */
  update(blocks: readonly SackBlock[], una: number, max: number): void {
    for (const [start, end] of blocks) {
      if (!seqLt(start, end) || !seqLt(una, end) || seqGt(end, max) || seqLt(start, una)) continue;
      this.add(start, end);
    }
  }

  private add(start: number, end: number): void {
    const merged: Run[] = [];
    let s = start, e = end, placed = false;
    for (const r of this.runs) {
      if (seqLt(r.end, s)) { merged.push(r); continue; }
      if (seqLt(e, r.start)) {
        if (!placed) { merged.push({ start: s, end: e }); placed = true; }
        merged.push(r);
        continue;
      }
      // Overlapping or adjacent: one run.
      if (seqLt(r.start, s)) s = r.start;
      if (seqGt(r.end, e)) e = r.end;
    }
    if (!placed) merged.push({ start: s, end: e });
    if (merged.length > MAX_RUNS) merged.length = MAX_RUNS;
    this.runs = merged;
    this.bytes = merged.reduce((n, r) => n + seqDiff(r.end, r.start), 0);
  }

  /** The cumulative ACK moved to `una`: what lies below it is no longer the board's. */
  advance(una: number): void {
    if (this.runs.length === 0) return;
    const kept: Run[] = [];
    for (const r of this.runs) {
      if (seqLe(r.end, una)) continue;
      kept.push(seqLt(r.start, una) ? { start: una, end: r.end } : r);
    }
    this.runs = kept;
    this.bytes = kept.reduce((n, r) => n + seqDiff(r.end, r.start), 0);
  }

  clear(): void { this.runs = []; this.bytes = 0; }

  /** Bytes reported held below `seq`. */
  bytesBelow(seq: number): number {
    let n = 0;
    for (const r of this.runs) {
      if (!seqLt(r.start, seq)) break;
      n += seqDiff(seqLt(r.end, seq) ? r.end : seq, r.start);
    }
    return n;
  }

  /** Whether the byte at `seq` was reported held. */
  holds(seq: number): boolean {
    return this.runs.some((r) => seqLe(r.start, seq) && seqLt(seq, r.end));
  }

  /**
   * The holes at or above `from` (holes start at `una`; the bytes above the highest run
   * are not a hole), each clipped to start at `from`, in sequence order, with whether
   * it is lost.
   */
  holes(una: number, from: number, mss: number): Hole[] {
    const out: Hole[] = [];
    let holeStart = una;
    let above = this.bytes;
    for (let i = 0; i < this.runs.length; i++) {
      const r = this.runs[i]!;
      const lost = above > (DUP_THRESH - 1) * mss || this.runs.length - i >= DUP_THRESH;
      if (seqLt(holeStart, r.start) && seqLt(from, r.start)) out.push({ start: seqGt(from, holeStart) ? from : holeStart, end: r.start, lost });
      above -= seqDiff(r.end, r.start);
      holeStart = r.end;
    }
    return out;
  }

  /** RFC 6675 IsLost(una): the first unacknowledged byte is lost. */
  firstLost(una: number, mss: number): boolean {
    const first = this.runs[0];
    if (first === undefined || !seqLt(una, first.start)) return false;
    return this.bytes > (DUP_THRESH - 1) * mss || this.runs.length >= DUP_THRESH;
  }
}

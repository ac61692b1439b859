// The out-of-order queue: segments that arrived beyond RCV.NXT, kept (trimmed to the
// receive window, so its size is bounded by the window we advertised) until the hole
// before them fills. Kept sorted and without overlaps: a new segment is cut to the
// parts no held segment covers. At most MAX_SEGMENTS pieces are held: a peer sending
// one-byte segments with gaps between them could otherwise make each insertion scan
// tens of thousands of pieces (Linux prunes its out-of-order queue the same way);
// what does not fit is dropped and will be retransmitted.
//
// `blocks` describes what is held for SACK (RFC 2018): the contiguous runs of held
// bytes, the run holding the most recently arrived segment first, then the others from
// the most recently added to (RFC 2018 4: the first block reports the latest segment,
// the others repeat the most recent blocks so that a lost ACK's news comes again).

import type { SackBlock } from '../../wire/tcp.js';
import { seqAdd, seqDiff, seqLe, seqLt } from './seq.js';

interface Held { seq: number; data: Uint8Array; fin: boolean; stamp: number }

export const MAX_SEGMENTS = 256;

export class OutOfOrderQueue {
  private held: Held[] = [];
  private total = 0;
  /** Counts additions: a held piece's stamp says when it came. */
  private clock = 0;

  get bytes(): number { return this.total; }
  get segments(): number { return this.held.length; }

  /** Holds [seq, seq+data.length) (+FIN). Caller trims it to the window. */
  add(seq: number, data: Uint8Array, fin: boolean): void {
    if (this.held.length >= MAX_SEGMENTS) return;
    const stamp = ++this.clock;
    let pieces: Held[] = [{ seq, data, fin, stamp }];
    for (const h of this.held) {
      const hEnd = seqAdd(h.seq, h.data.length);
      const next: Held[] = [];
      for (const p of pieces) {
        const pEnd = seqAdd(p.seq, p.data.length);
        if (seqLe(pEnd, h.seq) || seqLe(hEnd, p.seq)) { next.push(p); continue; }
        // A segment that overlaps a held one makes it as recent as itself (its run is the one just reported).
        h.stamp = stamp;
        if (seqLt(p.seq, h.seq)) next.push({ seq: p.seq, data: p.data.subarray(0, seqDiff(h.seq, p.seq)), fin: false, stamp });
        if (seqLt(hEnd, pEnd)) next.push({ seq: hEnd, data: p.data.subarray(seqDiff(hEnd, p.seq)), fin: p.fin, stamp });
        else if (p.fin) h.fin = true;
      }
      pieces = next;
    }
    for (const p of pieces) {
      if (p.data.length === 0 && !p.fin) continue;
      if (this.held.length >= MAX_SEGMENTS) break;
      this.held.push({ seq: p.seq, data: p.data.slice(), fin: p.fin, stamp });
      this.total += p.data.length;
    }
    this.held.sort((a, b) => seqDiff(a.seq, b.seq));
  }

  /** Takes what now follows `rcvNxt` in order: the bytes, and whether a FIN ends them. */
  take(rcvNxt: number): { data: Uint8Array[]; fin: boolean } {
    const data: Uint8Array[] = [];
    let next = rcvNxt, fin = false;
    while (this.held.length > 0 && !fin) {
      const h = this.held[0]!;
      if (seqLt(next, h.seq)) break;
      this.held.shift();
      this.total -= h.data.length;
      const skip = seqDiff(next, h.seq);
      if (skip < h.data.length) { data.push(h.data.subarray(skip)); next = seqAdd(h.seq, h.data.length); }
      if (h.fin && skip <= h.data.length) fin = true;
    }
    return { data, fin };
  }

  /**
   * The SACK blocks for what is held, at most `max`: each run of contiguous held bytes
   * once, the most recently added first. Empty when nothing is held.
   */
  blocks(max: number): SackBlock[] {
    const runs: { start: number; end: number; stamp: number }[] = [];
    for (const h of this.held) {
      if (h.data.length === 0) continue;
      const end = seqAdd(h.seq, h.data.length);
      const last = runs[runs.length - 1];
      if (last !== undefined && last.end === h.seq) { last.end = end; last.stamp = Math.max(last.stamp, h.stamp); continue; }
      runs.push({ start: h.seq, end, stamp: h.stamp });
    }
    runs.sort((a, b) => b.stamp - a.stamp);
    return runs.slice(0, max).map((r) => [r.start, r.end] as const);
  }

  clear(): void { this.held = []; this.total = 0; }
}

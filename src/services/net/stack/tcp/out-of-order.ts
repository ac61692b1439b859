// The out-of-order queue: segments that arrived beyond RCV.NXT, kept (trimmed to the
// receive window, so its size is bounded by the window we advertised) until the hole
// before them fills. Kept sorted and without overlaps: a new segment is cut to the
// parts no held segment covers.

import { seqAdd, seqDiff, seqLe, seqLt } from './seq.js';

interface Held { seq: number; data: Uint8Array; fin: boolean }

export class OutOfOrderQueue {
  private held: Held[] = [];
  private total = 0;

  get bytes(): number { return this.total; }
  get segments(): number { return this.held.length; }

  /** Holds [seq, seq+data.length) (+FIN). Caller trims it to the window. */
  add(seq: number, data: Uint8Array, fin: boolean): void {
    let pieces: Held[] = [{ seq, data, fin }];
    for (const h of this.held) {
      const hEnd = seqAdd(h.seq, h.data.length);
      const next: Held[] = [];
      for (const p of pieces) {
        const pEnd = seqAdd(p.seq, p.data.length);
        if (seqLe(pEnd, h.seq) || seqLe(hEnd, p.seq)) { next.push(p); continue; }
        if (seqLt(p.seq, h.seq)) next.push({ seq: p.seq, data: p.data.subarray(0, seqDiff(h.seq, p.seq)), fin: false });
        if (seqLt(hEnd, pEnd)) next.push({ seq: hEnd, data: p.data.subarray(seqDiff(hEnd, p.seq)), fin: p.fin });
        else if (p.fin) h.fin = true;
      }
      pieces = next;
    }
    for (const p of pieces) {
      if (p.data.length === 0 && !p.fin) continue;
      this.held.push({ seq: p.seq, data: p.data.slice(), fin: p.fin });
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

  clear(): void { this.held = []; this.total = 0; }
}

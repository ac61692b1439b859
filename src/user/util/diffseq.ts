// Which lines differ between two files, computed as GNU diff does so that diff's
// output matches it byte for byte, ties included: lines found in only one file are
// set aside first (discardConfusing, GNU's discard_confusing_lines), Myers'
// divide-and-conquer O(ND) search on the rest (compareSequences, GNU diffseq.h with
// its cost bound but not the -H heuristic), then runs of changes slid to GNU's
// preferred place (shiftBoundaries). Used by diff.

/** For each line of `a`, whether it was deleted; for each line of `b`, whether inserted. */
export interface EditScript { deleted: boolean[]; inserted: boolean[] }

// changed arrays carry a zero sentinel before and after: index i lives at i + 1.
class Flags {
  readonly bits: Uint8Array;
  constructor(readonly length: number) { this.bits = new Uint8Array(length + 2); }
  get(i: number): boolean { return this.bits[i + 1] === 1; }
  set(i: number, v: boolean): void { this.bits[i + 1] = v ? 1 : 0; }
}

// Where the search splits x[xoff, xlim) against y[yoff, ylim), and whether each half
// still wants a minimal answer.
interface Split { xmid: number; ymid: number; loMinimal: boolean; hiMinimal: boolean }

// Myers' middle snake between x[xoff, xlim) and y[yoff, ylim). Unless `minimal`, a
// search that costs `tooExpensive` edits gives up and splits at the furthest point
// reached (GNU's heuristic; it bounds the time on very different files).
function middleSnake(x: Int32Array, y: Int32Array, xoff: number, xlim: number, yoff: number, ylim: number, minimal: boolean, tooExpensive: number, fd: Int32Array, bd: Int32Array, o: number): Split {
  const dmin = xoff - ylim;
  const dmax = xlim - yoff;
  const fmid = xoff - yoff;
  const bmid = xlim - ylim;
  let fmin = fmid;
  let fmax = fmid;
  let bmin = bmid;
  let bmax = bmid;
  const odd = ((fmid - bmid) & 1) !== 0;
  fd[o + fmid] = xoff;
  bd[o + bmid] = xlim;
  for (let edits = 1; ; edits++) { // the edit distance searched so far (a count, not a time)
    if (fmin > dmin) fd[o + --fmin - 1] = -1; else ++fmin;
    if (fmax < dmax) fd[o + ++fmax + 1] = -1; else --fmax;
    for (let d = fmax; d >= fmin; d -= 2) {
      const tlo = fd[o + d - 1] as number;
      const thi = fd[o + d + 1] as number;
      let px = tlo < thi ? thi : tlo + 1;
      let py = px - d;
      while (px < xlim && py < ylim && x[px] === y[py]) { px++; py++; }
      fd[o + d] = px;
      if (odd && bmin <= d && d <= bmax && (bd[o + d] as number) <= px) return { xmid: px, ymid: py, loMinimal: true, hiMinimal: true };
    }
    if (bmin > dmin) bd[o + --bmin - 1] = 0x7fffffff; else ++bmin;
    if (bmax < dmax) bd[o + ++bmax + 1] = 0x7fffffff; else --bmax;
    for (let d = bmax; d >= bmin; d -= 2) {
      const tlo = bd[o + d - 1] as number;
      const thi = bd[o + d + 1] as number;
      let px = tlo < thi ? tlo : thi - 1;
      let py = px - d;
      while (xoff < px && yoff < py && x[px - 1] === y[py - 1]) { px--; py--; }
      bd[o + d] = px;
      if (!odd && fmin <= d && d <= fmax && px <= (fd[o + d] as number)) return { xmid: px, ymid: py, loMinimal: true, hiMinimal: true };
    }
    if (minimal || edits < tooExpensive) continue;
    let fxyBest = -1;
    let fxBest = 0;
    for (let d = fmax; d >= fmin; d -= 2) {
      let px = Math.min(fd[o + d] as number, xlim);
      let py = px - d;
      if (ylim < py) { px = ylim + d; py = ylim; }
      if (fxyBest < px + py) { fxyBest = px + py; fxBest = px; }
    }
    let bxyBest = 0x7fffffff;
    let bxBest = 0;
    for (let d = bmax; d >= bmin; d -= 2) {
      let px = Math.max(xoff, bd[o + d] as number);
      let py = px - d;
      if (py < yoff) { px = yoff + d; py = yoff; }
      if (px + py < bxyBest) { bxyBest = px + py; bxBest = px; }
    }
    if (xlim + ylim - bxyBest < fxyBest - (xoff + yoff)) return { xmid: fxBest, ymid: fxyBest - fxBest, loMinimal: true, hiMinimal: false };
    return { xmid: bxBest, ymid: bxyBest - bxBest, loMinimal: false, hiMinimal: true };
  }
}

interface Search { x: Int32Array; y: Int32Array; note: (file: 0 | 1, i: number) => void; tooExpensive: number; fd: Int32Array; bd: Int32Array; o: number }

function compareSequences(s: Search, xoff: number, xlim: number, yoff: number, ylim: number, minimal: boolean): void {
  const { x, y, note } = s;
  while (xoff < xlim && yoff < ylim && x[xoff] === y[yoff]) { xoff++; yoff++; }
  while (xoff < xlim && yoff < ylim && x[xlim - 1] === y[ylim - 1]) { xlim--; ylim--; }
  if (xoff === xlim) { for (; yoff < ylim; yoff++) note(1, yoff); return; }
  if (yoff === ylim) { for (; xoff < xlim; xoff++) note(0, xoff); return; }
  const split = middleSnake(x, y, xoff, xlim, yoff, ylim, minimal, s.tooExpensive, s.fd, s.bd, s.o);
  compareSequences(s, xoff, split.xmid, yoff, split.ymid, split.loMinimal);
  compareSequences(s, split.xmid, xlim, split.ymid, ylim, split.hiMinimal);
}

// Marks lines with no match in the other file (1) or very many (2, provisional),
// then keeps only the discards GNU keeps.
function discardConfusing(equivs: [Int32Array, Int32Array], counts: [Map<number, number>, Map<number, number>]): [Uint8Array, Uint8Array] {
  const result: Uint8Array[] = [];
  for (const f of [0, 1] as const) {
    const eq = equivs[f];
    const end = eq.length;
    const discards = new Uint8Array(end);
    let many = 5;
    let tem = Math.floor(end / 64);
    while ((tem >>= 2) > 0) many *= 2;
    for (let i = 0; i < end; i++) {
      const nmatch = counts[1 - f]!.get(eq[i] as number) ?? 0;
      discards[i] = nmatch === 0 ? 1 : nmatch > many ? 2 : 0;
    }
    for (let i = 0; i < end; i++) {
      if (discards[i] === 2) { discards[i] = 0; continue; }
      if (discards[i] === 0) continue;
      let j = i;
      let provisional = 0;
      for (; j < end; j++) {
        if (discards[j] === 0) break;
        if (discards[j] === 2) provisional++;
      }
      while (j > i && discards[j - 1] === 2) { discards[--j] = 0; provisional--; }
      const length = j - i;
      if (provisional * 4 > length) {
        while (j > i) if (discards[--j] === 2) discards[j] = 0;
      } else {
        let minimum = 1;
        let t = length >> 2;
        while ((t >>= 2) > 0) minimum <<= 1;
        minimum++;
        let consec = 0;
        for (j = 0; j < length; j++) {
          if (discards[i + j] !== 2) consec = 0;
          else if (minimum === ++consec) j -= consec;
          else if (minimum < consec) discards[i + j] = 0;
        }
        consec = 0;
        for (j = 0; j < length; j++) {
          if (j >= 8 && discards[i + j] === 1) break;
          if (discards[i + j] === 2) { consec = 0; discards[i + j] = 0; } else if (discards[i + j] === 0) consec = 0; else consec++;
          if (consec === 3) break;
        }
        i += length - 1;
        consec = 0;
        for (j = 0; j < length; j++) {
          if (j >= 8 && discards[i - j] === 1) break;
          if (discards[i - j] === 2) { consec = 0; discards[i - j] = 0; } else if (discards[i - j] === 0) consec = 0; else consec++;
          if (consec === 3) break;
        }
      }
    }
    result.push(discards);
  }
  return result as [Uint8Array, Uint8Array];
}

function shiftBoundaries(equivs: [Int32Array, Int32Array], changed: [Flags, Flags]): void {
  for (const f of [0, 1] as const) {
    const ch = changed[f];
    const other = changed[1 - f]!;
    const eq = equivs[f];
    const end = eq.length;
    let i = 0;
    let j = 0;
    for (;;) {
      while (i < end && !ch.get(i)) {
        while (other.get(j++)) { /* skip the other file's run */ }
        i++;
      }
      if (i === end) break;
      let start = i;
      while (ch.get(++i)) { /* to the run's end */ }
      while (other.get(j)) j++;
      let runLength: number;
      let corresponding: number;
      do {
        runLength = i - start;
        while (start > 0 && eq[start - 1] === eq[i - 1]) {
          ch.set(--start, true);
          ch.set(--i, false);
          while (ch.get(start - 1)) start--;
          while (other.get(--j)) { /* back over the other file's run */ }
        }
        corresponding = other.get(j - 1) ? i : end;
        while (i !== end && eq[start] === eq[i]) {
          ch.set(start++, false);
          ch.set(i++, true);
          while (ch.get(i)) i++;
          while (other.get(++j)) corresponding = i;
        }
      } while (runLength !== i - start);
      while (corresponding < i) {
        ch.set(--start, true);
        ch.set(--i, false);
        while (other.get(--j)) { /* back over the other file's run */ }
      }
    }
  }
}

/**
 * The lines deleted from `a` and inserted from `b`, as GNU diff chooses them. As GNU
 * diff, the common first and last lines take no part (changes never slide into
 * them), except `horizon` lines next to the differences (diff -U N passes N, so the
 * changes can slide as far as the context it shows).
 */
export function editScript(a: readonly string[], b: readonly string[], horizon = 0): EditScript {
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  let tail = 0;
  while (tail < a.length - same && tail < b.length - same && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const prefix = Math.max(0, same - horizon);
  const suffix = Math.max(0, tail - horizon);
  const middle = middleScript(a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix));
  const pad = (n: number): boolean[] => new Array<boolean>(n).fill(false);
  return {
    deleted: [...pad(prefix), ...middle.deleted, ...pad(suffix)],
    inserted: [...pad(prefix), ...middle.inserted, ...pad(suffix)],
  };
}

function middleScript(a: readonly string[], b: readonly string[]): EditScript {
  const ids = new Map<string, number>();
  const equivs = [a, b].map((lines) => Int32Array.from(lines, (l) => {
    let id = ids.get(l);
    if (id === undefined) { id = ids.size; ids.set(l, id); }
    return id;
  })) as [Int32Array, Int32Array];
  const counts = equivs.map((eq) => {
    const c = new Map<number, number>();
    for (const e of eq) c.set(e, (c.get(e) ?? 0) + 1);
    return c;
  }) as [Map<number, number>, Map<number, number>];
  const discards = discardConfusing(equivs, counts);
  const changed: [Flags, Flags] = [new Flags(a.length), new Flags(b.length)];
  const kept: Int32Array[] = [];
  const realIndex: number[][] = [];
  for (const f of [0, 1] as const) {
    const idx: number[] = [];
    for (let i = 0; i < equivs[f].length; i++) {
      if (discards[f][i] !== 0) changed[f].set(i, true); else idx.push(i);
    }
    realIndex.push(idx);
    kept.push(Int32Array.from(idx, (i) => equivs[f][i] as number));
  }
  const [x, y] = kept as [Int32Array, Int32Array];
  const o = y.length + 1;
  const size = x.length + y.length + 3;
  const fd = new Int32Array(size);
  const bd = new Int32Array(size);
  // GNU's bound on one search: about the square root of the lines, at least 4096.
  let tooExpensive = 1;
  for (let diagonals = x.length + y.length + 3; diagonals !== 0; diagonals >>= 2) tooExpensive <<= 1;
  const note = (file: 0 | 1, i: number): void => changed[file].set(realIndex[file]![i] as number, true);
  compareSequences({ x, y, note, tooExpensive: Math.max(4096, tooExpensive), fd, bd, o }, 0, x.length, 0, y.length, false);
  shiftBoundaries(equivs, changed);
  return {
    deleted: Array.from({ length: a.length }, (_, i) => changed[0].get(i)),
    inserted: Array.from({ length: b.length }, (_, i) => changed[1].get(i)),
  };
}

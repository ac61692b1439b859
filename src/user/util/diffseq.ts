// Which lines differ between two files, computed as GNU diff does so that diff's
// output matches it byte for byte, ties included: lines found in only one file are
// set aside first (discardConfusing, GNU's discard_confusing_lines), Myers'
// divide-and-conquer O(ND) search on the rest (compareSequences, GNU diffseq.h
// without the large-file heuristics), then runs of changes slid to GNU's
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

// Myers' middle snake between x[xoff, xlim) and y[yoff, ylim).
function middleSnake(x: Int32Array, y: Int32Array, xoff: number, xlim: number, yoff: number, ylim: number, fd: Int32Array, bd: Int32Array, o: number): [number, number] {
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
  for (;;) {
    if (fmin > dmin) fd[o + --fmin - 1] = -1; else ++fmin;
    if (fmax < dmax) fd[o + ++fmax + 1] = -1; else --fmax;
    for (let d = fmax; d >= fmin; d -= 2) {
      const tlo = fd[o + d - 1] as number;
      const thi = fd[o + d + 1] as number;
      let px = tlo < thi ? thi : tlo + 1;
      let py = px - d;
      while (px < xlim && py < ylim && x[px] === y[py]) { px++; py++; }
      fd[o + d] = px;
      if (odd && bmin <= d && d <= bmax && (bd[o + d] as number) <= px) return [px, py];
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
      if (!odd && fmin <= d && d <= fmax && px <= (fd[o + d] as number)) return [px, py];
    }
  }
}

function compareSequences(x: Int32Array, y: Int32Array, xoff: number, xlim: number, yoff: number, ylim: number, note: (file: 0 | 1, i: number) => void, fd: Int32Array, bd: Int32Array, o: number): void {
  while (xoff < xlim && yoff < ylim && x[xoff] === y[yoff]) { xoff++; yoff++; }
  while (xoff < xlim && yoff < ylim && x[xlim - 1] === y[ylim - 1]) { xlim--; ylim--; }
  if (xoff === xlim) { for (; yoff < ylim; yoff++) note(1, yoff); return; }
  if (yoff === ylim) { for (; xoff < xlim; xoff++) note(0, xoff); return; }
  const [xmid, ymid] = middleSnake(x, y, xoff, xlim, yoff, ylim, fd, bd, o);
  compareSequences(x, y, xoff, xmid, yoff, ymid, note, fd, bd, o);
  compareSequences(x, y, xmid, xlim, ymid, ylim, note, fd, bd, o);
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
  compareSequences(x, y, 0, x.length, 0, y.length, (file, i) => changed[file].set(realIndex[file]![i] as number, true), fd, bd, o);
  shiftBoundaries(equivs, changed);
  return {
    deleted: Array.from({ length: a.length }, (_, i) => changed[0].get(i)),
    inserted: Array.from({ length: b.length }, (_, i) => changed[1].get(i)),
  };
}

// The bootstrap behind every interval the lab reports. A cell is measured in several
// runs (boots), each with many samples; on two busy cores the runs differ more than
// the samples within one run (a run lands in the "partner on the other core" mode or
// in the "one wake-up per hop" mode), so the resampling is hierarchical: draw runs
// with replacement, then samples with replacement within each drawn run, and take
// the median of the pooled draw. The 2.5th and 97.5th percentiles of those medians
// are the 95% interval (percentile bootstrap). Seeded: the same samples and seed
// give the same interval on every host.
//
// Ratios and geometric means of ratios get their intervals from the replicates of
// their parts, replicate by replicate (the parts were resampled independently).

import { quantile } from './stats.js';

export interface Interval {
  /** The statistic on the data itself (median of all samples pooled). */
  point: number;
  low: number;
  high: number;
}

export interface Bootstrapped extends Interval {
  /** The statistic on each resample (for ratios and combinations). */
  replicates: Float64Array;
}

export const DEFAULT_REPLICATES = 1000;

/** Element `k` (0-based) of `a` in sorted order; reorders `a[0..n)` (Hoare's selection). */
export function select(a: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    // Median of three as the pivot keeps sorted and reversed input linear.
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Nearest-rank median of the first `n` values of `a` (reorders them). */
function medianOf(a: Float64Array, n: number): number {
  return select(a, n, Math.min(n - 1, Math.max(0, Math.ceil(0.5 * n) - 1)));
}

/** The percentile interval of `replicates` around `point`. */
export function percentileInterval(point: number, replicates: Float64Array, level = 0.95): Bootstrapped {
  const finite = Float64Array.from(replicates.filter((x) => Number.isFinite(x))).sort();
  const tail = (1 - level) / 2;
  return { point, low: quantile(finite, tail), high: quantile(finite, 1 - tail), replicates };
}

/**
 * Median over all runs' samples pooled, with a hierarchical bootstrap interval.
 * Runs with no samples are ignored; no samples at all gives NaN.
 */
export function bootstrapMedian(runs: readonly (readonly number[])[], random: () => number, replicates = DEFAULT_REPLICATES): Bootstrapped {
  const kept = runs.filter((r) => r.length > 0);
  const total = kept.reduce((a, r) => a + r.length, 0);
  if (total === 0) return { point: NaN, low: NaN, high: NaN, replicates: new Float64Array(0) };
  const pool = new Float64Array(total);
  let at = 0;
  for (const r of kept) for (const x of r) pool[at++] = x;
  const point = medianOf(pool.slice(), total);
  const out = new Float64Array(replicates);
  // A drawn run contributes as many draws as it has samples, so the pooled size varies
  // from replicate to replicate; the buffer holds the largest possible draw.
  const longest = Math.max(...kept.map((r) => r.length));
  const draw = new Float64Array(longest * kept.length);
  for (let b = 0; b < replicates; b++) {
    let n = 0;
    for (let k = 0; k < kept.length; k++) {
      const run = kept[Math.floor(random() * kept.length)]!;
      for (let i = 0; i < run.length; i++) draw[n++] = run[Math.floor(random() * run.length)]!;
    }
    out[b] = medianOf(draw, n);
  }
  return percentileInterval(point, out);
}

/** f applied replicate by replicate to independently bootstrapped parts. */
export function combine(parts: readonly Bootstrapped[], f: (values: number[]) => number): Bootstrapped {
  if (parts.length === 0) return { point: NaN, low: NaN, high: NaN, replicates: new Float64Array(0) };
  const n = Math.min(...parts.map((p) => p.replicates.length));
  const out = new Float64Array(n);
  for (let b = 0; b < n; b++) out[b] = f(parts.map((p) => p.replicates[b]!));
  return percentileInterval(f(parts.map((p) => p.point)), out);
}

/** numerator / denominator, with its interval. */
export function ratio(numerator: Bootstrapped, denominator: Bootstrapped): Bootstrapped {
  return combine([numerator, denominator], ([a, b]) => a! / b!);
}

/** The geometric mean of several bootstrapped values (e.g. ratios), with its interval. */
export function geomean(parts: readonly Bootstrapped[]): Bootstrapped {
  return combine(parts, (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length));
}

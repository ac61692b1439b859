// Order statistics over samples, the way every lab figure is summarized: median and
// p99 by nearest rank; and the seeded bootstrap that puts a 95% confidence interval
// on a median measured over several runs (bootstrap.ts holds the resampling, this
// file the plain statistics both use).

export interface Summary { n: number; median: number; p99: number; mean: number }

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, median: quantile(s, 0.5), p99: quantile(s, 0.99), mean };
}

export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** x to `digits` significant digits (ratios span 0.001x to 1000x). */
export const significant = (x: number, digits = 3): number => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x);

/** Median of a small list (lower middle for an even count, as `quantile`). */
export function median(xs: readonly number[]): number {
  return quantile([...xs].sort((a, b) => a - b), 0.5);
}

/**
 * At most `max` samples of `samples`, taken evenly across the series (every k-th), so
 * a long series shrinks without favouring its start or its end.
 */
export function decimate(samples: readonly number[], max: number): number[] {
  if (samples.length <= max) return [...samples];
  const out = new Array<number>(max);
  for (let i = 0; i < max; i++) out[i] = samples[Math.floor((i * samples.length) / max)]!;
  return out;
}

// How a claim's verdict follows from a measured interval and a threshold. The
// threshold is fixed by the claim; noise widens the interval, and an interval that
// straddles the threshold is "inconclusive" rather than a coin toss between "held" and
// "not held" (a single-run ratio on two busy cores can flip from one run to the next).

import type { Interval } from './bootstrap.js';

export type Verdict = 'held' | 'not held' | 'inconclusive' | 'not tested';

export interface Judgement { verdict: Verdict; reason: string }

/** 'at-least': held when the value is >= threshold; 'at-most': held when <= threshold. */
export type Direction = 'at-least' | 'at-most';

const fmt = (x: number): string => (!Number.isFinite(x) ? '-' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/** "1.23 [1.01, 1.50]": a value with its 95% interval. */
export function formatInterval(i: Interval, unit = ''): string {
  return `${fmt(i.point)}${unit} [95% CI ${fmt(i.low)}–${fmt(i.high)}${unit}]`;
}

/** Judges `what` (its interval) against `threshold`. */
export function judge(what: string, i: Interval, threshold: number, direction: Direction, unit = 'x'): Judgement {
  if (![i.point, i.low, i.high].every(Number.isFinite)) return { verdict: 'not tested', reason: `${what}: no finite measurement` };
  const op = direction === 'at-least' ? '≥' : '≤';
  const shown = `${what} ${formatInterval(i, unit)}`;
  const above = i.low >= threshold, below = i.high <= threshold;
  if (direction === 'at-least') {
    if (above) return { verdict: 'held', reason: `${shown}: the whole interval is ${op} ${fmt(threshold)}${unit}` };
    if (i.high < threshold) return { verdict: 'not held', reason: `${shown}: the whole interval is below ${fmt(threshold)}${unit}` };
  } else {
    if (below) return { verdict: 'held', reason: `${shown}: the whole interval is ${op} ${fmt(threshold)}${unit}` };
    if (i.low > threshold) return { verdict: 'not held', reason: `${shown}: the whole interval is above ${fmt(threshold)}${unit}` };
  }
  return { verdict: 'inconclusive', reason: `${shown}: the interval straddles the threshold ${fmt(threshold)}${unit}, so this run cannot tell` };
}

/** A claim made of several conditions: every one must hold. */
export function allOf(parts: readonly Judgement[]): Judgement {
  const reason = parts.map((p) => p.reason).join('; ');
  if (parts.length === 0 || parts.some((p) => p.verdict === 'not tested')) return { verdict: 'not tested', reason };
  if (parts.some((p) => p.verdict === 'not held')) return { verdict: 'not held', reason };
  if (parts.every((p) => p.verdict === 'held')) return { verdict: 'held', reason };
  return { verdict: 'inconclusive', reason };
}

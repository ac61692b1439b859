// The bootstrap: seeded and deterministic, the interval behaves as an interval should
// (contains the point, shrinks with more data, widens when runs disagree), and it
// covers the true median about 95% of the time on data with a known median.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bootstrapMedian, select, ratio, geomean, percentileInterval } from './bootstrap.js';
import { quantile, decimate } from './stats.js';
import { seededRandom } from '../lib/random.js';

/** n samples of an exponential distribution of mean `mean` (median = mean * ln 2). */
function exponential(random: () => number, n: number, mean: number): number[] {
  return Array.from({ length: n }, () => -Math.log(1 - random()) * mean);
}

test('select finds the k-th smallest, as a sort would', () => {
  fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 300 }), fc.nat(), (xs, k0) => {
    const k = k0 % xs.length;
    const sorted = [...xs].sort((a, b) => a - b);
    // -0 and 0 are the same value to an order statistic (=== rather than Object.is).
    const got = select(Float64Array.from(xs), xs.length, k);
    assert.ok(got === sorted[k], `select gave ${got}, sort ${sorted[k]}`);
  }));
});

test('same samples and seed, same interval; another seed, another interval', () => {
  const runs = [exponential(seededRandom(1), 500, 10), exponential(seededRandom(2), 500, 12)];
  const a = bootstrapMedian(runs, seededRandom(7));
  const b = bootstrapMedian(runs, seededRandom(7));
  const c = bootstrapMedian(runs, seededRandom(8));
  assert.deepEqual([a.point, a.low, a.high], [b.point, b.low, b.high]);
  assert.deepEqual(a.replicates, b.replicates);
  assert.notDeepEqual(a.replicates, c.replicates);
  assert.equal(a.point, c.point, 'the point estimate does not depend on the seed');
});

test('the point is the median of all samples pooled, and lies inside its interval', () => {
  const random = seededRandom(3);
  for (let t = 0; t < 20; t++) {
    const runs = Array.from({ length: 1 + (t % 4) }, () => exponential(random, 50 + t * 10, 5));
    const pooled = runs.flat().sort((x, y) => x - y);
    const i = bootstrapMedian(runs, random, 400);
    assert.equal(i.point, quantile(pooled, 0.5));
    assert.ok(i.low <= i.point && i.point <= i.high, JSON.stringify([i.low, i.point, i.high]));
  }
});

test('constant samples give a zero-width interval; no samples give NaN', () => {
  const i = bootstrapMedian([[4, 4, 4], [4, 4]], seededRandom(1), 100);
  assert.deepEqual([i.point, i.low, i.high], [4, 4, 4]);
  const e = bootstrapMedian([[], []], seededRandom(1), 100);
  assert.ok(Number.isNaN(e.point) && Number.isNaN(e.low) && Number.isNaN(e.high));
});

test('more samples, a narrower interval', () => {
  const small = bootstrapMedian([exponential(seededRandom(4), 100, 10)], seededRandom(9));
  const large = bootstrapMedian([exponential(seededRandom(4), 10000, 10)], seededRandom(9));
  assert.ok(large.high - large.low < (small.high - small.low) / 3, `${large.high - large.low} vs ${small.high - small.low}`);
});

test('runs that land in different modes (bimodal across runs) widen the interval to span them', () => {
  // Three runs near 1 µs (partner on the other core), two near 50 µs (one wake-up per hop).
  const random = seededRandom(5);
  const fast = () => Array.from({ length: 400 }, () => 1 + random() * 0.2);
  const slow = () => Array.from({ length: 400 }, () => 50 + random() * 5);
  const mixed = bootstrapMedian([fast(), slow(), fast(), slow(), fast()], seededRandom(11));
  assert.ok(mixed.low < 2 && mixed.high > 45, JSON.stringify([mixed.low, mixed.high]));
  // Pooling the same samples as if they were one run hides the disagreement.
  const flat = bootstrapMedian([[fast(), slow(), fast(), slow(), fast()].flat()], seededRandom(11));
  assert.ok(flat.high - flat.low < mixed.high - mixed.low);
});

test('the 95% interval covers the true median about 95% of the time', () => {
  const random = seededRandom(12345);
  const truth = 10 * Math.LN2;
  let covered = 0;
  const trials = 200;
  for (let t = 0; t < trials; t++) {
    const runs = [exponential(random, 60, 10), exponential(random, 60, 10), exponential(random, 60, 10)];
    const i = bootstrapMedian(runs, random, 300);
    if (i.low <= truth && truth <= i.high) covered++;
  }
  // Binomial(200, 0.95): 3 standard deviations is about +-9 trials.
  assert.ok(covered >= 178 && covered <= 199, `covered ${covered} of ${trials}`);
});

test('ratio and geometric mean carry intervals replicate by replicate', () => {
  const a = bootstrapMedian([exponential(seededRandom(20), 2000, 10)], seededRandom(21));
  const b = bootstrapMedian([exponential(seededRandom(22), 2000, 20)], seededRandom(23));
  const r = ratio(b, a);
  assert.equal(r.point, b.point / a.point);
  assert.ok(r.low < 2 && r.high > 2 && r.high - r.low < 0.6, JSON.stringify([r.low, r.high]));
  assert.equal(r.replicates[17], b.replicates[17]! / a.replicates[17]!);
  const g = geomean([r, r]);
  assert.ok(Math.abs(g.point - r.point) < 1e-12 && Math.abs(g.low - r.low) < 1e-12);
  const p = percentileInterval(5, Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NaN]), 0.8);
  assert.deepEqual([p.low, p.high], [1, 9]);
});

test('decimate keeps evenly spaced samples and never more than asked', () => {
  assert.deepEqual(decimate([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(decimate([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8]);
  assert.equal(decimate(Array.from({ length: 1001 }, (_, i) => i), 100).length, 100);
});

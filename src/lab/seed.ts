// A small seeded PRNG (mulberry32): the same seed gives the same cell order and the
// same fault schedule on every host.

import { seededRandom } from '../lib/random.js';

export const rng = seededRandom;

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

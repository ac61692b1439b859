// Impairments on a NIC's cable, for the lab (smoltcp's examples have the same knobs):
// each frame, in either direction, may be dropped (`loss`), have one byte flipped
// (`corrupt`), be held back behind the next frame (`reorder`), and is delayed by
// `delayMs`. Every decision comes from one seeded generator in frame order, so the same
// seed and the same frames give the same drops.

import { seededRandom } from '../../../lib/random.js';
import type { FramePort } from './frame-port.js';

export interface Impairments {
  loss: number;
  corrupt: number;
  reorder: number;
  delayMs: number;
  seed: number;
}

export const NO_IMPAIRMENTS: Impairments = { loss: 0, corrupt: 0, reorder: 0, delayMs: 0, seed: 1 };

export const impaired = (i: Impairments): boolean => i.loss > 0 || i.corrupt > 0 || i.reorder > 0 || i.delayMs > 0;

/** What the impairment stage did, per direction. */
export interface ImpairCounts { dropped: number; corrupted: number; reordered: number }

/** One direction's decisions: returns the frames to pass on now (0, 1 or 2 of them). */
export function impairer(i: Impairments, random: () => number, counts: ImpairCounts): (frame: Uint8Array) => Uint8Array[] {
  let held: Uint8Array | undefined;
  return (frame) => {
    if (i.loss > 0 && random() < i.loss) { counts.dropped++; return []; }
    let f = frame;
    if (i.corrupt > 0 && random() < i.corrupt) {
      f = frame.slice();
      const at = Math.floor(random() * f.length);
      f[at] = f[at]! ^ (1 + Math.floor(random() * 255));
      counts.corrupted++;
    }
    if (held !== undefined) { const h = held; held = undefined; return [f, h]; }
    if (i.reorder > 0 && random() < i.reorder) { held = f; counts.reordered++; return []; }
    return [f];
  };
}

/**
 * The stage between `inner` (towards the NIC) and `outer` (towards the wire): wraps
 * `outer` so that frames in both directions are impaired. Returns the port the inner
 * side uses and the counts.
 */
export function impairPort(outer: FramePort, i: Impairments, later: (ms: number, fn: () => void) => void): { port: FramePort; out: ImpairCounts; in: ImpairCounts } {
  const random = seededRandom(i.seed);
  const out: ImpairCounts = { dropped: 0, corrupted: 0, reordered: 0 };
  const inn: ImpairCounts = { dropped: 0, corrupted: 0, reordered: 0 };
  const sendOut = impairer(i, random, out), takeIn = impairer(i, random, inn);
  let handler: (f: Uint8Array) => void = () => {};
  const pass = (frames: Uint8Array[], to: (f: Uint8Array) => void): void => {
    if (frames.length === 0) return;
    if (i.delayMs > 0) later(i.delayMs, () => { for (const f of frames) to(f); });
    else for (const f of frames) to(f);
  };
  outer.onFrame((f) => pass(takeIn(f), (g) => handler(g)));
  return {
    port: { send: (f) => pass(sendOut(f), (g) => outer.send(g)), onFrame: (h) => { handler = h; }, close: () => outer.close() },
    out, in: inn,
  };
}

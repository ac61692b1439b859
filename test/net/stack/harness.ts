// Test harness for the TCP/IP stack: a fake clock (time moves only when a test says
// so, and timers fire in deadline order), a seeded random source, and an in-memory
// wire joining two stacks' links, with seeded loss, duplication, reordering and
// corruption. Nothing here reads the real clock, so runs are exact and repeatable.

import type { Clock, Link } from '../../../src/services/net/link.js';
import { Stack, type StackOptions } from '../../../src/services/net/stack/stack.js';
import { parseAddress } from '../../../src/services/net/stack/address.js';
import { seededRandom } from '../../../src/lib/random.js';

export class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; fn: () => void; seq: number; live: boolean }[] = [];
  private seq = 0;

  now(): number { return this.time; }

  setTimer(atMs: number, fn: () => void): () => void {
    const t = { at: Math.max(atMs, this.time), fn, seq: this.seq++, live: true };
    this.timers.push(t);
    return () => { t.live = false; };
  }

  /** The earliest live timer's time, or Infinity. */
  next(): number {
    this.timers = this.timers.filter((t) => t.live);
    return this.timers.reduce((m, t) => Math.min(m, t.at), Infinity);
  }

  /** Runs every timer due up to `to` (in order), then sets the time to `to`. */
  advance(to: number): void {
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      let first: (typeof this.timers)[number] | undefined;
      for (const t of this.timers) if (t.at <= to && (first === undefined || t.at < first.at || (t.at === first.at && t.seq < first.seq))) first = t;
      if (first === undefined) break;
      first.live = false;
      this.time = first.at;
      first.fn();
    }
    this.time = Math.max(this.time, to);
  }

  /** Runs timers until `done()` or time passes `limit`; false when the limit was hit. */
  runUntil(done: () => boolean, limit: number): boolean {
    while (!done()) {
      const n = this.next();
      if (n === Infinity || n > limit) return done();
      this.advance(n);
    }
    return true;
  }
}

/** mulberry32, the project's seeded generator (lib/random.ts), uniform in [0, 1). */
export const seeded = seededRandom;

export const ip = (text: string): number => parseAddress(text)!;

/** A link whose frames go to `sink` (set later by a wire or a test). */
export class TestLink implements Link {
  sink: ((frame: Uint8Array) => void) | undefined;
  readonly sent: Uint8Array[] = [];
  record = false;
  constructor(readonly mac: Uint8Array, readonly mtu = 1500) {}
  transmit(frame: Uint8Array): void {
    if (this.record) this.sent.push(frame);
    this.sink?.(frame);
  }
}

export interface Impairments { loss?: number; duplicate?: number; reorder?: number; corrupt?: number; delay?: number }

/** Joins two links: each frame arrives `delay` ms later, unless the seeded impairments decide otherwise. */
export class Wire {
  readonly counts = { frames: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 };
  constructor(clock: FakeClock, a: TestLink, b: TestLink, deliverA: (f: Uint8Array) => void, deliverB: (f: Uint8Array) => void, imp: Impairments = {}, seed = 1) {
    const rnd = seeded(seed);
    const delay = imp.delay ?? 1;
    const carry = (deliver: (f: Uint8Array) => void) => (frame: Uint8Array): void => {
      this.counts.frames++;
      if (rnd() < (imp.loss ?? 0)) { this.counts.lost++; return; }
      const copies = rnd() < (imp.duplicate ?? 0) ? 2 : 1;
      if (copies === 2) this.counts.duplicated++;
      for (let i = 0; i < copies; i++) {
        let f = frame.slice();
        if (rnd() < (imp.corrupt ?? 0)) {
          this.counts.corrupted++;
          f = f.slice();
          const at = Math.floor(rnd() * f.length);
          f[at] = f[at]! ^ (1 + Math.floor(rnd() * 255));
        }
        let d = delay;
        if (rnd() < (imp.reorder ?? 0)) { this.counts.reordered++; d += 1 + Math.floor(rnd() * 4 * delay); }
        clock.setTimer(clock.now() + d, () => deliver(f));
      }
    };
    a.sink = carry(deliverB);
    b.sink = carry(deliverA);
  }
}

export function mac(n: number): Uint8Array { return new Uint8Array([0x02, 0, 0, 0, 0, n]); }

/** Two stacks, 10.0.0.1 and 10.0.0.2 on 10.0.0.0/24, joined by a wire. */
export function pair(imp: Impairments = {}, seed = 1, options: StackOptions = {}): { clock: FakeClock; a: Stack; b: Stack; linkA: TestLink; linkB: TestLink; wire: Wire } {
  const clock = new FakeClock();
  const a = new Stack(clock, { random: seeded(seed * 7 + 1), ...options });
  const b = new Stack(clock, { random: seeded(seed * 7 + 2), ...options });
  const linkA = new TestLink(mac(1)), linkB = new TestLink(mac(2));
  a.attach(linkA, { address: ip('10.0.0.1'), prefix: 24, gateway: ip('10.0.0.254') });
  b.attach(linkB, { address: ip('10.0.0.2'), prefix: 24 });
  const wire = new Wire(clock, linkA, linkB, (f) => a.receive(f), (f) => b.receive(f), imp, seed);
  return { clock, a, b, linkA, linkB, wire };
}

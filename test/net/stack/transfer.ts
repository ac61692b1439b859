// A bulk transfer between two stacks over the in-memory wire (harness.ts): 1 MiB each
// way at once, read as it arrives, both ends closing when done. Used by the transfer
// tests (bytes compared by SHA-256) and by the stack benchmark.

import { createHash } from 'node:crypto';
import { ip, pair, seeded, type Impairments } from './harness.js';
import type { Connection } from '../../../src/services/net/stack/tcp/connection.js';
import type { Stack, StackOptions } from '../../../src/services/net/stack/stack.js';

export interface TransferResult {
  done: boolean;
  /** Fake-clock milliseconds from connect to both ends having all bytes. */
  elapsed: number;
  /** Real milliseconds the same took (this thread's work: both stacks, the wire, reading and hashing). */
  wallMs: number;
  sentHash: [string, string];
  receivedHash: [string, string];
  received: [number, number];
  retransmits: number;
  /** Each end's connection state and pending error at the end. */
  ends: string[];
  wire: { frames: number; lost: number; duplicated: number; reordered: number; corrupted: number };
}

export function transfer(size: number, imp: Impairments, seed: number, limitMs = 4 * 3600_000, options: StackOptions = {}): TransferResult {
  const { clock, a, b, wire } = pair(imp, seed, options);
  const payload = (n: number, s: number): Uint8Array => {
    const r = seeded(s), out = new Uint8Array(n), words = new Uint32Array(out.buffer, 0, n >> 2);
    for (let i = 0; i < words.length; i++) words[i] = Math.floor(r() * 2 ** 32);
    for (let i = words.length * 4; i < n; i++) out[i] = Math.floor(r() * 256);
    return out;
  };
  const data: [Uint8Array, Uint8Array] = [payload(size, seed * 3 + 1), payload(size, seed * 3 + 2)];
  const started = performance.now();
  const listener = b.tcp.listen(80, 4, { receive: 256 * 1024, send: 256 * 1024 });
  const client = a.tcp.connect(40000, ip('10.0.0.2'), 80, { receive: 256 * 1024, send: 256 * 1024 });
  a.settle();
  const ends: { stack: Stack; c: Connection | undefined; sent: number; got: Uint8Array[]; gotBytes: number; hash: ReturnType<typeof createHash>; shut: boolean; pumpQueued: boolean }[] = [
    { stack: a, c: client, sent: 0, got: [], gotBytes: 0, hash: createHash('sha256'), shut: false, pumpQueued: false },
    { stack: b, c: undefined, sent: 0, got: [], gotBytes: 0, hash: createHash('sha256'), shut: false, pumpQueued: false },
  ];
  const pump = (i: number): void => {
    const e = ends[i]!;
    e.pumpQueued = false;
    if (e.c === undefined) {
      const c = listener.ready.shift();
      if (c === undefined) return;
      c.listener = undefined;
      e.c = c;
      c.onChange = () => schedule(i);
    }
    const c = e.c;
    while (e.sent < size) {
      const n = c.write(data[i]!.subarray(e.sent, Math.min(size, e.sent + 65536)));
      if (n === 0) break;
      e.sent += n;
    }
    if (e.sent === size && !e.shut) { e.shut = true; c.shutdownWrite(); }
    for (;;) {
      const chunk = c.read(65536);
      if (chunk.length === 0) break;
      e.hash.update(chunk);
      e.gotBytes += chunk.length;
    }
    e.stack.settle();
  };
  const schedule = (i: number): void => {
    if (ends[i]!.pumpQueued) return;
    ends[i]!.pumpQueued = true;
    clock.setTimer(clock.now(), () => pump(i));
  };
  client.onChange = () => schedule(0);
  listener.onChange = () => schedule(1);
  const finished = (): boolean => ends.every((e) => e.gotBytes === size && e.c !== undefined && e.c.atEnd);
  const done = clock.runUntil(finished, limitMs);
  const elapsed = clock.now();
  const wallMs = performance.now() - started;
  const hashOf = (d: Uint8Array): string => createHash('sha256').update(d).digest('hex');
  return {
    done, elapsed, wallMs,
    sentHash: [hashOf(data[0]), hashOf(data[1])],
    receivedHash: [ends[1]!.hash.digest('hex'), ends[0]!.hash.digest('hex')],
    received: [ends[1]!.gotBytes, ends[0]!.gotBytes],
    retransmits: (ends[0]!.c?.stats.retransmits ?? 0) + (ends[1]!.c?.stats.retransmits ?? 0),
    wire: { ...wire.counts },
    ends: ends.map((e) => `${e.c?.state ?? 'none'} error ${e.c?.error ?? 0} una ${e.c?.sndUna} max ${e.c?.sndMax} rcvNxt ${e.c?.rcvNxt} wnd ${e.c?.sndWnd} cwnd ${e.c?.cc.cwnd} rto ${e.c?.rto.rto} ooo ${e.c?.outOfOrder.bytes} rx ${e.c?.rx.size}`),
  };
}

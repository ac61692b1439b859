// The other thread of the physical reference measurements (reference.ts): it answers
// ping-pongs over a SharedArrayBuffer (raw spin), over a message ring with the
// system's own ring, codec and waiting discipline (lib/), or over a MessagePort.

import { parentPort, workerData } from 'node:worker_threads';
import { MessageRing, ringBytes } from '../lib/ring.js';
import { encode, decode } from '../lib/codec.js';
import { Doorbell, pollLoop, spinFor } from '../lib/poller.js';
import type { MessagePort } from 'node:worker_threads';

export interface ReferenceJob {
  kind: 'spin' | 'ring' | 'ring-caller' | 'port';
  memory?: SharedArrayBuffer;
  ringCapacity?: number;
  bells?: SharedArrayBuffer;
  port?: MessagePort;
  iterations: number;
  spinUs?: number;
  /** ring-caller: untimed calls first. */
  warm?: number;
}

const job = workerData as ReferenceJob;

if (job.kind === 'spin') {
  // Word 0: the caller's sequence number; word 1: the answer. Both sides spin.
  const words = new Int32Array(job.memory!);
  let seen = 0;
  while (seen < job.iterations) {
    let v = Atomics.load(words, 0);
    while (v === seen) v = Atomics.load(words, 0);
    seen = v;
    Atomics.store(words, 1, v);
  }
  parentPort!.postMessage('done');
} else if (job.kind === 'ring') {
  // Side B of a channel: ring A->B at 0, ring B->A after it; bells[0] is the
  // caller's doorbell, bells[1] ours (as in kernel/ipc/endpoint.ts).
  const cap = job.ringCapacity!;
  const inbound = new MessageRing(job.memory!, 0, cap);
  const outbound = new MessageRing(job.memory!, ringBytes(cap), cap);
  const callerBell = new Doorbell(job.bells!, 0);
  const ourBell = new Doorbell(job.bells!, 1);
  let served = 0;
  // NOTE: a pending Atomics.waitAsync does not keep a worker alive; this does.
  const keepAlive = setInterval(() => {}, 1000);
  void pollLoop({
    doorbell: ourBell,
    spinUs: job.spinUs ?? 50,
    host: { yieldMacrotask: () => new Promise((r) => setImmediate(r)) },
    running: () => served < job.iterations,
    poll: () => {
      let worked = false;
      for (let m = inbound.pop(); m !== undefined; m = inbound.pop()) {
        const msg = decode(m) as { id: number; method: string; args: unknown[] };
        outbound.push(encode({ id: msg.id, ok: true, value: msg.id }));
        callerBell.ring();
        served++;
        worked = true;
      }
      return worked;
    },
  }).then(() => { clearInterval(keepAlive); parentPort!.postMessage('done'); });
} else if (job.kind === 'ring-caller') {
  // Side A: the caller, timing each round trip; posts the samples (ns) when done.
  // NOTE: it runs in a worker, not on the main thread: while a thread sleeps in
  // Atomics.wait its event loop is stopped, and the main thread's loop must keep
  // running for the other worker's waitAsync wake-ups to be delivered.
  const cap = job.ringCapacity!;
  const out = new MessageRing(job.memory!, 0, cap);
  const inbound = new MessageRing(job.memory!, ringBytes(cap), cap);
  const ourBell = new Doorbell(job.bells!, 0);
  const theirBell = new Doorbell(job.bells!, 1);
  const warm = job.warm ?? 0;
  const samples = new Float64Array(job.iterations - warm);
  for (let i = 1; i <= job.iterations; i++) {
    const t0 = performance.now();
    let seq = ourBell.seq();
    out.push(encode({ id: i, method: 'ping', args: [] }));
    theirBell.ring();
    let reply = inbound.pop();
    while (reply === undefined) {
      if (!spinFor(ourBell.word, 0, seq, job.spinUs ?? 20)) ourBell.sleep(seq);
      seq = ourBell.seq();
      reply = inbound.pop();
    }
    const m = decode(reply) as { id: number };
    if (m.id !== i) throw new Error(`ring reference: reply ${m.id} to call ${i}`);
    if (i > warm) samples[i - warm - 1] = (performance.now() - t0) * 1e6;
  }
  parentPort!.postMessage({ samples });
} else {
  const port = job.port!;
  port.on('message', (m: { id: number }) => port.postMessage({ id: m.id, ok: true, value: m.id }));
  parentPort!.postMessage('ready');
}

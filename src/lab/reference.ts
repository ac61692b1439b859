// Physical references, measured in the same run as the system's figures:
//
// - spin: the raw round trip between two threads on a SharedArrayBuffer, both
//   spinning on Atomics (the floor for any cross-thread call on this host);
// - ring: a round trip over a direct channel built from the system's own parts
//   (lib/ring MessageRing, lib/codec, lib/poller doorbells and spin-then-wait) between
//   two threads with no kernel in between: what a direct component-to-component shm
//   channel costs;
// - port: the same over a MessagePort (postMessage), the first-generation transport;
// - channel: the kernel's own channel code (kernel/ipc ShmEndpoint + Rpc over
//   lib/ring) between two bare threads: hosts/node/channel-reference.ts.
//
// The answering thread is reference-worker.ts; the caller is this thread (spin, port)
// or a second worker (ring: see the NOTE there).

import { Worker, MessageChannel } from 'node:worker_threads';
import { ringBytes } from '../lib/ring.js';
import { summarize, type Summary } from './stats.js';
import type { ReferenceJob } from './reference-worker.js';
import { channelRoundTrip } from '../hosts/node/channel-reference.js';

const WORKER = new URL('./reference-worker.js', import.meta.url);

function start(job: ReferenceJob, transfer: MessagePortLike[] = []): Worker {
  return new Worker(WORKER, { workerData: job, transferList: transfer as never[] });
}
type MessagePortLike = object;

function once(w: Worker, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => { if (m === what) { w.off('message', onMessage); resolve(); } };
    w.on('message', onMessage);
    w.once('error', reject);
  });
}

/** Raw spin round trip (ns per sample), `n` samples after `warm` untimed ones. */
export async function spinRoundTrip(n: number, warm = 20000): Promise<Summary> {
  const memory = new SharedArrayBuffer(8);
  const words = new Int32Array(memory);
  const total = warm + n;
  const w = start({ kind: 'spin', memory, iterations: total });
  const done = once(w, 'done');
  // Wait until the worker spins (its first answer).
  const samples = new Array<number>(n);
  for (let i = 1; i <= total; i++) {
    const t0 = performance.now();
    Atomics.store(words, 0, i);
    while (Atomics.load(words, 1) !== i) { /* spin */ }
    if (i > warm) samples[i - warm - 1] = (performance.now() - t0) * 1e6;
  }
  await done;
  await w.terminate();
  return summarize(samples);
}

/** Round trip over a direct shm channel made of lib/ring + lib/codec + lib/poller. */
export async function ringRoundTrip(n: number, warm = 2000, spinUs = { caller: 20, server: 50 }): Promise<Summary> {
  const capacity = 1 << 16;
  const memory = new SharedArrayBuffer(2 * ringBytes(capacity));
  const bells = new SharedArrayBuffer(8);
  const total = warm + n;
  const server = start({ kind: 'ring', memory, bells, ringCapacity: capacity, iterations: total, spinUs: spinUs.server });
  const done = once(server, 'done');
  const caller = start({ kind: 'ring-caller', memory, bells, ringCapacity: capacity, iterations: total, warm, spinUs: spinUs.caller });
  const samples = await new Promise<Float64Array>((resolve, reject) => {
    caller.once('message', (m: { samples: Float64Array }) => resolve(m.samples));
    caller.once('error', reject);
    server.once('error', reject);
  });
  await done;
  await Promise.all([caller.terminate(), server.terminate()]);
  return summarize(Array.from(samples));
}

/** Round trip over a MessagePort between this thread and a worker. */
export async function portRoundTrip(n: number, warm = 500): Promise<Summary> {
  const { port1, port2 } = new MessageChannel();
  const w = start({ kind: 'port', port: port2, iterations: warm + n }, [port2]);
  await once(w, 'ready');
  const samples = new Array<number>(n);
  let resolveReply: ((v: unknown) => void) | undefined;
  port1.on('message', (m) => resolveReply?.(m));
  for (let i = 1; i <= warm + n; i++) {
    const t0 = performance.now();
    const reply = new Promise((r) => { resolveReply = r; });
    port1.postMessage({ id: i, method: 'ping', args: [] });
    await reply;
    if (i > warm) samples[i - warm - 1] = (performance.now() - t0) * 1e6;
  }
  port1.close();
  await w.terminate();
  return summarize(samples);
}

/** Round trip over the kernel's shm channel code (endpoint + rpc) between two threads. */
export async function channelReference(n: number, warm = 2000): Promise<Summary> {
  return summarize(await channelRoundTrip(n, warm));
}

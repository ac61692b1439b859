// The system's own shm channel between two bare threads, outside any booted OS: the
// kernel's endpoint (kernel/ipc/endpoint.ts ShmEndpoint over lib/ring) with the fixed
// layout every shm channel of a `uses` edge carries (wire.ts fixedWire, echo's service), its remote
// calls (kernel/ipc/rpc.ts), the poll loop and spin-then-wait of lib/poller with the
// default spins of kernel/params.ts. One thread serves `ping` as echo does; the other
// calls it and times each round trip. The lab's `channel-rt` (src/lab/reference.ts)
// is this; it lives under hosts/ because it composes the kernel's parts with threads.
//
// This file is both the function the lab calls and the two workers it starts.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ShmEndpoint, channelMemory } from '../../kernel/ipc/endpoint.js';
import { Rpc } from '../../kernel/ipc/rpc.js';
import { fixedWire } from '../../kernel/ipc/wire.js';
import { ECHO } from '../../abi/services.js';
import { Doorbell, pollLoop, spinFor } from '../../lib/poller.js';
import { defaultParams } from '../../kernel/params.js';

interface Job { role: 'channel-server' | 'channel-caller'; memory: SharedArrayBuffer; bells: SharedArrayBuffer; iterations: number; warm: number }

const RING_CAPACITY = 1 << 16;

/** Round trips (ns each) over a ShmEndpoint + Rpc channel between two worker threads. */
export async function channelRoundTrip(n: number, warm = 2000): Promise<number[]> {
  const memory = channelMemory(RING_CAPACITY);
  const bells = new SharedArrayBuffer(8);
  const job = (role: Job['role']): Job => ({ role, memory, bells, iterations: warm + n, warm });
  const url = new URL(import.meta.url);
  const server = new Worker(url, { workerData: job('channel-server') });
  const caller = new Worker(url, { workerData: job('channel-caller') });
  try {
    return await new Promise<number[]>((resolve, reject) => {
      caller.once('message', (m: { samples: number[] }) => resolve(m.samples));
      caller.once('error', reject);
      server.once('error', reject);
    });
  } finally {
    await Promise.all([caller.terminate(), server.terminate()]);
  }
}

async function serve(job: Job): Promise<void> {
  // Side 1 answers; bells[0] is the caller's doorbell, bells[1] ours.
  const endpoint = new ShmEndpoint(job.memory, 1, new Doorbell(job.bells, 0), fixedWire(ECHO, undefined));
  let served = 0;
  new Rpc(endpoint, async (_to, method) => {
    if (method !== 'ping') throw new Error(`channel reference: unexpected ${method}`);
    return ++served;
  }, (e) => { throw e; });
  // NOTE: a pending Atomics.waitAsync does not keep a worker alive; this does.
  const keepAlive = setInterval(() => {}, 1000);
  await pollLoop({
    doorbell: new Doorbell(job.bells, 1),
    spinUs: defaultParams.serverSpinUs,
    host: { yieldMacrotask: () => new Promise((r) => setImmediate(r)) },
    running: () => served < job.iterations,
    poll: () => endpoint.poll(),
  });
  clearInterval(keepAlive);
}

async function call(job: Job): Promise<void> {
  const endpoint = new ShmEndpoint(job.memory, 0, new Doorbell(job.bells, 1), fixedWire(undefined, ECHO));
  const rpc = new Rpc(endpoint, async () => null, (e) => { throw e; });
  const bell = new Doorbell(job.bells, 0);
  const samples: number[] = [];
  for (let i = 1; i <= job.iterations; i++) {
    const t0 = performance.now();
    let seq = bell.seq();
    const reply = rpc.call('echo', 'ping', []);
    // One call in flight: the first delivery is its reply. A server that was asleep
    // answers after a wake-up: no spin for that (the rule of user/runtime/process.ts).
    let spin = !endpoint.peerAsleep;
    while (!endpoint.poll()) {
      if (!spin || !spinFor(bell.word, 0, seq, defaultParams.processSpinUs)) bell.sleep(seq);
      seq = bell.seq();
      spin = true;
    }
    const v = await reply;
    if (v !== i) throw new Error(`channel reference: reply ${String(v)} to call ${i}`);
    if (i > job.warm) samples.push((performance.now() - t0) * 1e6);
  }
  parentPort!.postMessage({ samples });
}

if (!isMainThread && (workerData as Job | undefined)?.role === 'channel-server') void serve(workerData as Job);
else if (!isMainThread && (workerData as Job | undefined)?.role === 'channel-caller') void call(workerData as Job);

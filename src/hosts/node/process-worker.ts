// Entry point of a process thread. Once per thread: load ses, lock the realm down
// (every shared intrinsic frozen, the powerful ones out of reach of compartments),
// and preload the runtime, before the first start message can arrive. Then run one
// process after another: after each, wait a macrotask turn (the program's remaining
// microtasks have run, and none of its code can run again: its endowments are
// revoked, it has no timers or host callbacks), and tell the kernel this thread is
// idle by bumping the thread's state word (kernel/proc/pool.ts) and the kernel bell.
// First of all it tells the kernel its OS thread id, so the host can read the
// thread's CPU time (RLIMIT_CPU).
import 'ses';
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ringBell } from '../../lib/poller.js';
import type { ProcessStart } from '../../abi/trap.js';

let tid: number | undefined;
try { tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop()); } catch { /* not Linux: no per-thread CPU time */ }
parentPort!.postMessage({ type: 'tid', tid });

lockdown({
  // Keep the host's own error handling: an uncaught error ends the thread, and the
  // kernel sees it (ses would otherwise trap it and keep the thread alive).
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
  consoleTaming: 'unsafe',
  // Node's `domain` module is never loaded in a process thread.
  domainTaming: 'unsafe',
  reporting: 'none',
});

interface ThreadInit { type: 'init'; state: SharedArrayBuffer }

const { runProcess, prepareRuntime } = await import('../../user/runtime/process.js');
let state: Int32Array | undefined;
const queue: ProcessStart[] = [];
let busy = false;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const start = queue.shift()!;
    await runProcess(start);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (state !== undefined) {
      Atomics.add(state, 0, 1);
      const bell = new Int32Array(start.kernelBell, 0, 1);
      ringBell(bell);
    }
  }
  busy = false;
}

const prepared = prepareRuntime();
parentPort!.on('message', (m: ThreadInit | ProcessStart) => {
  if (m.type === 'init') {
    const word = new Int32Array(m.state);
    state = word;
    // The word counts 1 for "booted" plus 1 per process run to its end.
    void prepared.then(() => { Atomics.add(word, 0, 1); });
    return;
  }
  queue.push(m);
  void drain().catch((e: unknown) => { setImmediate(() => { throw e; }); });
});
await prepared;

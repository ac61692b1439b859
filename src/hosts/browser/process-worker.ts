// Entry point of a process Web Worker (hosts/node/process-worker.ts's sibling). Once
// per worker: lock the realm down with ses and preload the runtime; then run one
// process after another, and after each, a macrotask turn later, tell the kernel this
// thread is idle (the state word and the kernel bell, kernel/proc/pool.ts).
import 'ses';
import { ringBell } from '../../lib/poller.js';
import type { ProcessStart } from '../../abi/trap.js';
import { endOnUncaught, yieldMacrotask } from './worker-scope.js';

endOnUncaught();
lockdown({
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
  consoleTaming: 'unsafe',
  reporting: 'none',
});

interface ThreadInit { type: 'init'; state: SharedArrayBuffer }

// NOTE: the listener is added before the runtime loads: a browser drops messages that
// arrive while a module worker has no listener yet.
const runtime = import('../../user/runtime/process.js');
const prepared = runtime.then((r) => r.prepareRuntime());
let state: Int32Array | undefined;
const queue: ProcessStart[] = [];
let busy = false;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const start = queue.shift()!;
    await (await runtime).runProcess(start);
    await yieldMacrotask();
    if (state !== undefined) {
      Atomics.add(state, 0, 1);
      const bell = new Int32Array(start.kernelBell, 0, 1);
      ringBell(bell);
    }
  }
  busy = false;
}

addEventListener('message', (e) => {
  const m = (e as MessageEvent).data as ThreadInit | ProcessStart;
  if (m.type === 'init') {
    const word = new Int32Array(m.state);
    state = word;
    void prepared.then(() => { Atomics.add(word, 0, 1); });
    return;
  }
  queue.push(m);
  void prepared.then(drain).catch((error: unknown) => { throw error; });
});

// Entry point of a user-domain server Web Worker (hosts/node/server-worker.ts's sibling).
import { runServer } from '../../kernel/component/server-runtime.js';
import { COMPONENTS } from '../components.js';
import { endOnUncaught, reportExit, yieldMacrotask } from './worker-scope.js';

endOnUncaught();
runServer({
  port: { post: (m) => postMessage(m), onMessage: (h) => { addEventListener('message', (e) => h((e as MessageEvent).data)); } },
  yieldMacrotask,
  crash: (error: unknown): never => {
    // The worker ends and the kernel's supervisor sees why.
    reportExit(error);
    throw error;
  },
  startHeartbeat: (word, periodMs) => { Atomics.add(word, 0, 1); setInterval(() => Atomics.add(word, 0, 1), periodMs); },
}, COMPONENTS).catch((e: unknown) => reportExit(e));

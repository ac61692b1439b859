// Threads in a browser: module Web Workers running the bundled entry points beside
// the kernel's own bundle (dist/web/). Used by the kernel worker to start processes
// and servers, as hosts/node/threads.ts does with worker_threads.
//
// NOTE: a browser has no per-Worker heap limit and no per-thread CPU clock, so
// ThreadLimits.heapBytes is not enforced here and cpuMs answers undefined (RLIMIT_AS
// and RLIMIT_CPU are Node-host features).

import type { ThreadHandle, ThreadKind } from '../../kernel/platform.js';

const ENTRY: Record<ThreadKind, string> = { process: './process-worker.js', server: './server-worker.js' };

let nextId = 1;

export function createThread(kind: ThreadKind): ThreadHandle {
  const worker = new Worker(new URL(ENTRY[kind], import.meta.url), { type: 'module', name: kind });
  const id = nextId++;
  let exitHandler: ((error: string | undefined) => void) | undefined;
  let ended = false;
  let error: string | undefined;
  const end = (why: string | undefined): void => {
    if (ended) return;
    ended = true;
    error = why;
    exitHandler?.(error);
  };
  // A browser Worker has no exit event: an uncaught error ends it (the worker reports
  // it and closes itself, see process-worker.ts), and terminate() ends it here.
  worker.addEventListener('error', (e) => { e.preventDefault(); worker.terminate(); end(e.message || 'uncaught error'); });
  worker.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as { type?: string; error?: string };
    if (m !== null && typeof m === 'object' && m.type === '__exit') { worker.terminate(); end(m.error); }
  });
  return {
    id,
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => {
      worker.addEventListener('message', (e: MessageEvent) => {
        const m = e.data as { type?: string };
        if (m !== null && typeof m === 'object' && m.type === '__exit') return;
        handler(e.data);
      });
    },
    onExit: (handler) => { exitHandler = handler; if (ended) handler(error); },
    terminate: () => { if (!ended) { worker.terminate(); end(undefined); } },
    cpuMs: () => undefined,
  };
}

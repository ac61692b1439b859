// Threads on Node: worker_threads Workers running the compiled entry points beside
// this file. Used by the kernel thread to start processes and servers.

import { Worker } from 'node:worker_threads';
import type { ThreadHandle, ThreadKind, ThreadLimits } from '../../kernel/platform.js';

const ENTRY: Record<ThreadKind, URL> = {
  process: new URL('./process-worker.js', import.meta.url),
  server: new URL('./server-worker.js', import.meta.url),
};

let nextId = 1;

export function createThread(kind: ThreadKind, limits: ThreadLimits = {}): ThreadHandle {
  const heap = limits.heapBytes;
  // V8's old generation is the JavaScript heap; a worker over it ends with ERR_WORKER_OUT_OF_MEMORY.
  const resourceLimits = heap !== undefined && Number.isFinite(heap) ? { maxOldGenerationSizeMb: Math.max(16, Math.floor(heap / (1 << 20))) } : undefined;
  const worker = new Worker(ENTRY[kind], { stdout: false, stderr: false, ...(resourceLimits === undefined ? {} : { resourceLimits }) });
  // A pre-started thread must not keep the host alive on its own.
  worker.unref();
  const id = nextId++;
  let exitHandler: ((error: string | undefined) => void) | undefined;
  let ended = false;
  let error: string | undefined;
  worker.on('error', (e) => { error = e instanceof Error ? `${e.name}: ${e.message}` : String(e); });
  worker.on('exit', () => {
    ended = true;
    exitHandler?.(error);
  });
  return {
    id,
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => { worker.on('message', handler); },
    onExit: (handler) => { exitHandler = handler; if (ended) handler(error); },
    terminate: () => { if (!ended) void worker.terminate(); },
  };
}

// Entry point of a user-domain server thread. It loads only the component it runs
// (component-loaders.ts): a restart's spare thread starts sooner and for less CPU.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { runServer } from '../../kernel/component/server-runtime.js';
import { loadComponent } from '../component-loaders.js';

const port = parentPort!;
// First of all, the OS thread id: the kernel's supervisor reads the thread's CPU time
// (a server that burns CPU without beating is hung; params.ts hangCpuMs).
let tid: number | undefined;
try { tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop()); } catch { /* not Linux: no per-thread CPU time */ }
port.postMessage({ type: 'tid', tid });
// A thread started ahead of need loads the component it will most likely run while it waits (threads.ts).
const expected = (workerData as { preload?: unknown } | undefined)?.preload;
if (typeof expected === 'string') loadComponent(expected).catch(() => {});
runServer({
  port: { post: (m) => port.postMessage(m), onMessage: (h) => { port.on('message', h); } },
  yieldMacrotask: () => new Promise((resolve) => setImmediate(resolve)),
  crash: (error: unknown): never => {
    // Uncaught: the thread ends and the kernel's supervisor sees why.
    setImmediate(() => { throw error instanceof Error ? error : new Error(String(error)); });
    throw error;
  },
  startHeartbeat: (word, periodMs) => { Atomics.add(word, 0, 1); setInterval(() => Atomics.add(word, 0, 1), periodMs); },
}, loadComponent).catch((e: unknown) => { setImmediate(() => { throw e; }); });

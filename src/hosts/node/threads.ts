// Threads on Node: worker_threads Workers running the compiled entry points beside
// this file. Used by the kernel thread to start processes and servers.

import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ThreadHandle, ThreadKind, ThreadLimits } from '../../kernel/platform.js';

const ENTRY: Record<ThreadKind, URL> = {
  process: new URL('./process-worker.js', import.meta.url),
  server: new URL('./server-worker.js', import.meta.url),
};
// Where the build made them (beside the bundled kernel), a server thread runs its
// CommonJS bundle through the loader, with the code cache (code-cache.ts).
const SERVER_BUNDLE = fileURLToPath(new URL('./server-worker.cjs', import.meta.url));
const THREAD_LOADER = new URL('./thread-loader.cjs', import.meta.url);
const cachedServer = fs.existsSync(SERVER_BUNDLE) && fs.existsSync(THREAD_LOADER);

let nextId = 1;

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * CPU time of OS thread `tid` of this process (ms): from /proc's schedstat, the time the
 * scheduler ran it in ns; where a kernel has no schedstat, utime + stime from stat, in
 * 10 ms ticks. NOTE: the nanoseconds matter to hang detection (params.ts hangCpuMs):
 * in ticks, a limit of 50 ms was seen anywhere between 50 and 70 ms of spinning.
 * ThreadCpu keeps the schedstat file open: the supervisor reads it for every server
 * every few ms, and an open, read and close each time cost three system calls.
 */
class ThreadCpu {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(96);
  constructor(private readonly tid: number) {}

  ms(): number | undefined {
    try {
      this.fd ??= fs.openSync(`/proc/self/task/${this.tid}/schedstat`, 'r');
      const n = fs.readSync(this.fd, this.buf, 0, this.buf.length, 0);
      const ns = Number(this.buf.toString('latin1', 0, n).split(' ')[0]);
      if (Number.isFinite(ns)) return ns / 1e6;
    } catch { /* no schedstat, or the thread is gone: stat below */ }
    this.close();
    try {
      const stat = fs.readFileSync(`/proc/self/task/${this.tid}/stat`, 'utf8');
      // Fields after the command name (which is in parentheses and may hold spaces): state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS : undefined;
    } catch {
      return undefined; // the thread is gone, or this is not Linux
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try { fs.closeSync(this.fd); } catch { /* already gone */ }
    this.fd = undefined;
  }
}

// Threads started ahead of need, by kind (only threads without limits): a Worker's start
// costs tens of ms of CPU here (33–43 ms for a server), which a restarted server would
// otherwise pay while its callers wait. A started thread that ended before it was
// taken is dropped.
const ahead: Record<ThreadKind, Worker[]> = { process: [], server: [] };
const ended = new WeakSet<Worker>();
// Each thread's OS thread id, as its entry point reports it first of all (so a thread
// started ahead of need has it too, before anyone listens for its messages).
const tids = new WeakMap<Worker, number>();

function startWorker(kind: ThreadKind, resourceLimits?: { maxOldGenerationSizeMb: number }, expect?: string): Worker {
  const viaLoader = kind === 'server' && cachedServer;
  const workerData = { ...(viaLoader ? { entry: SERVER_BUNDLE } : {}), ...(expect === undefined ? {} : { preload: expect }) };
  const worker = new Worker(viaLoader ? THREAD_LOADER : ENTRY[kind], { stdout: false, stderr: false, workerData, ...(resourceLimits === undefined ? {} : { resourceLimits }) });
  // A pre-started thread must not keep the host alive on its own.
  worker.unref();
  // NOTE: a Worker's 'error' without a listener would throw in this (the kernel's) thread.
  worker.on('error', () => {});
  worker.once('exit', () => ended.add(worker));
  worker.on('message', (m: { type?: string; tid?: number }) => { if (m?.type === 'tid' && Number.isInteger(m.tid)) tids.set(worker, m.tid!); });
  return worker;
}

export function createThread(kind: ThreadKind, limits: ThreadLimits = {}, spares = 0, expect?: string): ThreadHandle {
  const heap = limits.heapBytes;
  // V8's old generation is the JavaScript heap; a worker over it ends with ERR_WORKER_OUT_OF_MEMORY.
  const resourceLimits = heap !== undefined && Number.isFinite(heap) ? { maxOldGenerationSizeMb: Math.max(16, Math.floor(heap / (1 << 20))) } : undefined;
  let worker: Worker | undefined;
  if (resourceLimits === undefined) {
    const ready = ahead[kind];
    while (worker === undefined && ready.length > 0) { const w = ready.shift()!; if (!ended.has(w)) worker = w; }
    while (ready.length < spares) ready.push(startWorker(kind, undefined, expect));
  }
  worker ??= startWorker(kind, resourceLimits);
  const id = nextId++;
  let exitHandler: ((error: string | undefined) => void) | undefined;
  let exited = false;
  let error: string | undefined;
  worker.on('error', (e) => { error = e instanceof Error ? `${e.name}: ${e.message}` : String(e); });
  let cpu: ThreadCpu | undefined;
  worker.on('exit', () => {
    exited = true;
    cpu?.close();
    exitHandler?.(error);
  });
  return {
    id,
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => { worker.on('message', handler); },
    onExit: (handler) => { exitHandler = handler; if (exited) handler(error); },
    terminate: () => { if (!exited) void worker.terminate(); },
    cpuMs: () => {
      const tid = tids.get(worker);
      if (tid === undefined || exited) return undefined;
      cpu ??= new ThreadCpu(tid);
      return cpu.ms();
    },
  };
}

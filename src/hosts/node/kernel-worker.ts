// Entry point of the kernel thread: a Platform over Node, then boot.
import { parentPort, workerData } from 'node:worker_threads';
import os from 'node:os';
import { Kernel, KernelPanic, type BootConfig } from '../../kernel/kernel.js';
import type { Platform } from '../../kernel/platform.js';
import { COMPONENTS } from '../components.js';
import { createThread } from './threads.js';

export interface KernelWorkerData {
  config: BootConfig;
  heartbeat: SharedArrayBuffer;
  /** Test only (MachineOptions.testStartDelayMs): busy this long before the first beat. */
  startDelayMs: number;
}

const data = workerData as KernelWorkerData;
const port = parentPort!;
const heartbeat = new Int32Array(data.heartbeat);
for (const until = Date.now() + data.startDelayMs; Date.now() < until;) { /* a slow start, as on a busy host */ }
// The first beat says the thread has loaded and runs (the host's watchdog arms on it).
Atomics.add(heartbeat, 0, 1);
setInterval(() => Atomics.add(heartbeat, 0, 1), 100);

const platform: Platform = {
  createThread,
  yieldMacrotask: () => new Promise((resolve) => setImmediate(resolve)),
  halt: (status, leaks) => port.postMessage({ type: 'halt', status, leaks }),
  panic: (text) => port.postMessage({ type: 'panic', text }),
  bootLog: (line) => port.postMessage({ type: 'log', line }),
  trace: (line) => port.postMessage({ type: 'trace', line }),
  heartbeat,
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, host: os.hostname() },
};

const kernel = new Kernel(platform, data.config, COMPONENTS);
port.on('message', (m: { type: string }) => {
  if (m.type === 'shutdown') void kernel.halt(0);
});
process.on('unhandledRejection', (e) => {
  if (e instanceof KernelPanic) return;
  try { kernel.panicOn('kernel', e); } catch { /* reported */ }
});
kernel.boot().catch((e: unknown) => {
  if (e instanceof KernelPanic) return;
  platform.panic(`kernel panic: boot: ${e instanceof Error ? e.message : String(e)}`);
});

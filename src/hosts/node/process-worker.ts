// Entry point of a process thread: wait to be handed a program, then run it. First it
// tells the kernel its OS thread id, so the host can read the thread's CPU time.
import { parentPort } from 'node:worker_threads';
import fs from 'node:fs';
import { runProcess } from '../../user/runtime/process.js';
import type { ProcessStart } from '../../abi/trap.js';

let tid: number | undefined;
try { tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop()); } catch { /* not Linux: no per-thread CPU time */ }
parentPort!.postMessage({ type: 'tid', tid });

parentPort!.once('message', (start: ProcessStart) => {
  runProcess(start).then(
    () => process.exit(0),
    (e: unknown) => { throw e; },
  );
});

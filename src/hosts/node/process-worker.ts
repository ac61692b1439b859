// Entry point of a process thread: wait to be handed a program, then run it.
import { parentPort } from 'node:worker_threads';
import { runProcess } from '../../user/runtime/process.js';
import type { ProcessStart } from '../../abi/trap.js';

parentPort!.once('message', (start: ProcessStart) => {
  runProcess(start).then(
    () => process.exit(0),
    (e: unknown) => { throw e; },
  );
});

// Entry point of the kernel Web Worker: a Platform over the browser, then boot on the
// page's 'boot' message (hosts/node/kernel-worker.ts's sibling). Besides boot it takes
// the page's fault buttons — the same arming the `fault` syscall does
// (ComponentTable.armFault); a wild write is fired and watched (watch-fault.ts) — and
// reports to the page the component table (`lsmod`'s rows) and what went between
// components twice a second, and the arenas (memstat) every two seconds when the page
// draws them; it reads a guest file for the page's "download file" (file-export.ts).
import { Kernel, KernelPanic, type BootConfig } from '../../kernel/kernel.js';
import type { Platform } from '../../kernel/platform.js';
import { isFaultType } from '../../kernel/component/fault.js';
import { COMPONENTS } from '../components.js';
import { createThread } from './threads.js';
import { yieldMacrotask } from './worker-scope.js';
import type { FromKernel, ToKernel } from './messages.js';
import { readGuestFile } from './file-export.js';
import { watchWildWrite } from './watch-fault.js';

const send = (m: FromKernel): void => postMessage(m);
let kernel: Kernel | undefined;

function boot(config: BootConfig, heartbeatMemory: SharedArrayBuffer, machine: Platform['machine'], memstat: boolean): void {
  const heartbeat = new Int32Array(heartbeatMemory);
  Atomics.add(heartbeat, 0, 1);
  setInterval(() => Atomics.add(heartbeat, 0, 1), 100);
  const platform: Platform = {
    createThread: (kind) => createThread(kind),
    yieldMacrotask,
    halt: (status, leaks) => send({ type: 'halt', status, leaks }),
    panic: (text) => send({ type: 'panic', text }),
    bootLog: (line) => send({ type: 'log', line }),
    trace: (line) => send({ type: 'trace', line }),
    heartbeat,
    machine,
  };
  const k = new Kernel(platform, config, COMPONENTS);
  kernel = k;
  addEventListener('unhandledrejection', (e) => {
    e.preventDefault();
    if (e.reason instanceof KernelPanic) return;
    try { k.panicOn('kernel', e.reason); } catch { /* reported */ }
  });
  // The arenas for the page's memory map (every region's checksum: milliseconds of
  // work on the kernel thread, so only when the page draws them, not in experiments).
  if (memstat) setInterval(() => { k.components.memstat().then((arenas) => send({ type: 'memstat', arenas }), () => {}); }, 2000);
  setInterval(() => send({ type: 'status', modules: k.components.modules(), procs: [...k.procs.values()].filter((p) => !p.dead).map((p) => ({ pid: p.pid, name: p.name })), links: k.components.peerTraffic() }), 500);
  k.boot().catch((e: unknown) => {
    if (e instanceof KernelPanic) return;
    platform.panic(`kernel panic: boot: ${e instanceof Error ? e.message : String(e)}`);
  });
}

addEventListener('message', (e) => {
  const m = (e as MessageEvent).data as ToKernel;
  if (m.type === 'boot') boot(m.config, m.heartbeat, m.machine, m.memstat);
  else if (m.type === 'fault' && kernel !== undefined) {
    const refused = (error: unknown): void => send({ type: 'armed', component: m.component, kind: m.kind, error: error instanceof Error ? error.message : String(error) });
    try {
      if (!isFaultType(m.kind)) throw new Error(`unknown fault '${m.kind}'`);
      if (m.kind === 'wild-write') {
        // Fired at once and watched: the page draws what it hit (watch-fault.ts).
        watchWildWrite(kernel, m.component).then((report) => send({ type: 'wild-write', report }), refused);
        return;
      }
      kernel.components.armFault(m.component, m.kind).then(() => send({ type: 'armed', component: m.component, kind: m.kind }), refused);
    } catch (error) { refused(error); }
  } else if (m.type === 'read-file') {
    if (kernel === undefined) { send({ type: 'file', id: m.id, error: 'the machine has not booted' }); return; }
    readGuestFile(kernel, m.path).then((data) => send({ type: 'file', id: m.id, data }), (e: unknown) => send({ type: 'file', id: m.id, error: e instanceof Error ? e.message : String(e) }));
  } else if (m.type === 'shutdown' && kernel !== undefined) void kernel.halt(0);
});

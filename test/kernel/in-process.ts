// A Platform whose "threads" run runServer in this thread, so a test can load
// components of its own under the names of the service list.
import assert from 'node:assert/strict';
import { Arena } from '../../src/lib/arena.js';
import { Doorbell, pollLoop } from '../../src/lib/poller.js';
import type { DeviceKind, KernelCalls } from '../../src/abi/component.js';
import { runServer, type ComponentModule } from '../../src/kernel/component/server-runtime.js';
import { ComponentTable, type Domain } from '../../src/kernel/component/table.js';
import type { Transport } from '../../src/kernel/component/server.js';
import { defaultParams } from '../../src/kernel/params.js';
import type { Platform, ThreadHandle } from '../../src/kernel/platform.js';

const later = (f: () => void): void => { setImmediate(f); };


/** A "thread" that runs runServer in this thread; messages are delivered asynchronously. */
export function inProcessPlatform(modules: Record<string, ComponentModule>): Platform {
  let ids = 0;
  return {
    createThread(): ThreadHandle {
      const toServer: ((m: unknown) => void)[] = [];
      const toKernel: ((m: unknown) => void)[] = [];
      const exits: ((e: string | undefined) => void)[] = [];
      let alive = true;
      let beat: ReturnType<typeof setInterval> | undefined;
      const end = (error: string | undefined): void => {
        if (!alive) return;
        alive = false;
        clearInterval(beat);
        for (const h of exits) later(() => h(error));
      };
      void runServer({
        port: { post: (m) => { if (alive) later(() => { for (const h of toKernel) h(m); }); }, onMessage: (h) => { toServer.push(h); } },
        yieldMacrotask: () => new Promise((r) => setImmediate(r)),
        // The thread ends here: its loop stops and its posts are dropped (a Worker would
        // throw to its top level instead).
        crash: (e): never => { end(e instanceof Error ? e.message : String(e)); return undefined as never; },
        startHeartbeat: (word, periodMs) => { Atomics.add(word, 0, 1); beat = setInterval(() => Atomics.add(word, 0, 1), periodMs); },
        running: () => alive,
      }, modules).catch((e: unknown) => end(String(e)));
      return {
        id: ++ids,
        post: (m) => { if (alive) later(() => { for (const h of toServer) h(m); }); },
        onMessage: (h) => { toKernel.push(h); },
        onExit: (h) => { exits.push(h); },
        terminate: () => end(undefined),
      };
    },
    yieldMacrotask: () => new Promise((r) => setImmediate(r)),
    halt: () => {}, panic: () => {}, bootLog: () => {},
    heartbeat: new Int32Array(1),
    machine: { cpu: 'test', cores: 1, host: 'test' },
  };
}

/**
 * A component table over the in-process platform with `modules` loaded in `load`'s
 * order and domains, its kernel loop running while `body` runs; no kernel panic allowed.
 */
export async function withTable(modules: Record<string, ComponentModule>, transport: Transport, load: readonly (readonly [ComponentModule, Domain])[], body: (t: ComponentTable) => Promise<void>,
  hardware: { devices?: Record<string, { kind: DeviceKind; memory: SharedArrayBuffer }>; grants?: Record<string, DeviceKind> } = {}): Promise<void> {
  const kernelBellMemory = new SharedArrayBuffer(4);
  const kernelBell = new Doorbell(kernelBellMemory);
  const panics: string[] = [];
  const kernelCalls: KernelCalls & { log(m: string): Promise<void> } = {
    signalGroup: async () => {}, processTable: async () => [], terminate: async () => {}, log: async () => {}, procInfo: async () => [], xdp: async (frames) => ({ pass: frames, tx: [] }), mapLent: async () => {},
  };
  const t = new ComponentTable({
    platform: inProcessPlatform(modules), params: { ...defaultParams }, transport,
    kernelArena: new Arena('kernel', new SharedArrayBuffer(1 << 20)), kernelBell, kernelBellMemory, kernelCalls,
    devices: hardware.devices ?? {}, grants: hardware.grants ?? {}, config: () => ({}), log: () => {},
    panic: (c, cause) => { panics.push(`${c}: ${cause}`); throw new Error(`panic ${c}: ${cause}`); },
  });
  let running = true;
  const loop = pollLoop({ doorbell: kernelBell, poll: () => t.poll(), spinUs: 20, host: { yieldMacrotask: () => new Promise((r) => setImmediate(r)) }, running: () => running });
  try {
    for (const [m, domain] of load) await t.load(m, domain);
    await body(t);
    assert.deepEqual(panics, []);
  } finally {
    await t.shutdownAll();
    running = false;
    kernelBell.ring();
    await loop;
  }
}

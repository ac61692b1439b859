// A Platform whose "threads" run runServer in this thread, so a test can load
// components of its own under the names of the service list.
import { runServer, type ComponentModule } from '../../src/kernel/component/server-runtime.js';
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
        startHeartbeat: (word) => { Atomics.add(word, 0, 1); beat = setInterval(() => Atomics.add(word, 0, 1), 50); },
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

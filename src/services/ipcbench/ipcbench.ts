// ipcbench: times round trips from one component to another from inside the
// component, so the figure has no process and no syscall in it. Loaded with insmod
// after echo (it holds a capability for echo only); its init pings echo over whatever
// path `ctx.peer` takes in this build (a direct call when both sit in the kernel
// domain; between two user-domain servers, the channel the kernel set up, relayed by
// the kernel thread where the kernel relays) and logs the timings to the kernel log as
// one line, `ipcbench {"n", "warm", "samples_ns"}`, which kbench reads back with dmesg
// (or `ipcbench: no timings: WHY` when echo cannot be reached).
// Nothing else uses it; it is not part of any boot.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { EchoService } from '../../abi/services.js';

export const manifest: Manifest = {
  name: 'ipcbench',
  description: 'times round trips to echo from inside a component (component <-> component IPC)',
  uses: ['echo'],
};

/** Timed round trips per load, after WARM untimed ones. */
const ROUND_TRIPS = 2000;
const WARM = 200;

export function create(ctx: ComponentContext): ComponentInstance {
  return {
    async init(): Promise<void> {
      // NOTE: init never throws: a user-domain component whose init fails takes the
      // insmod syscall down as a kernel panic (the failure crosses as a plain Error),
      // and "echo is not loaded" is something a user can simply type. The log says why.
      try {
        const echo = ctx.peer<EchoService>('echo');
        for (let i = 0; i < WARM; i++) await echo.ping();
        const samples: number[] = new Array<number>(ROUND_TRIPS);
        for (let i = 0; i < ROUND_TRIPS; i++) {
          const t0 = performance.now();
          await echo.ping();
          samples[i] = Math.round((performance.now() - t0) * 1e6);
        }
        ctx.log(`ipcbench ${JSON.stringify({ n: ROUND_TRIPS, warm: WARM, samples_ns: samples })}`);
      } catch (e) {
        ctx.log(`ipcbench: no timings: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}

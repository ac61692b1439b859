// A fault campaign cell run in the page: the lab's campaign (src/lab/faults.ts) with
// browser machines. Boot a machine whose init is kbench's fault workload with a seeded
// schedule; when the machine panics, cut the power and boot again from what was
// flushed; afterwards check every block kbench saw fsync'd against the durable disk.
// The schedule, the payload, the reading of kbench's lines and the row are the lab's
// own (src/lab/fault-tally.ts); only the machine differs.

import { BrowserMachine } from '../hosts/browser/machine.js';
import { DurableRam } from '../lab/disk.js';
import { faultSchedule, payload, readFaultBoot, faultCell, type FaultCell } from '../lab/fault-tally.js';
import type { Preset } from '../presets/schema.js';

const DISK_BYTES = 8 << 20;
const WATCHDOG_MS = 2500;

export interface CellRun {
  preset: Preset; component: string; type: string; n: number; seed: number;
  initramfs: Uint8Array; release: string;
  onProgress?: (text: string) => void;
}

export async function runCellInPage(o: CellRun): Promise<FaultCell> {
  const schedule = faultSchedule(o.seed, o.preset.name, o.component, o.type, o.n);
  let disk = new DurableRam(DISK_BYTES);
  const acked = new Set<number>();
  const recoveries: number[] = [];
  let stuck = 0, volatile = 0, next = 0, op = 0, boots = 0, panics = 0, failed = 0, corruption = 0, completed = 0, survivedFaults = 0;
  while (next < schedule.length) {
    const batch = schedule.slice(next);
    if (op + batch.reduce((a, f) => a + f.gap + 20, 0) >= DISK_BYTES / 1024) break;
    const spec = batch.map((f) => `${f.gap}:${f.component}:${f.type}`).join(',');
    let text = '';
    boots++;
    o.onProgress?.(`${o.preset.name} ${o.component} ${o.type}: boot ${boots}, ${next} of ${schedule.length} faults injected`);
    const status = await new Promise<number | 'stuck'>((resolve) => {
      const machine = new BrowserMachine({
        preset: o.preset.name, placement: o.preset.placement, grants: { ...(o.preset.devices ?? { console: 'console', blk: 'block' }) }, ipc: o.preset.ipc,
        initramfs: o.initramfs, release: o.release, disk, trace: false, rootDisk: false, noInput: true, watchdogMs: WATCHDOG_MS,
        init: ['/bin/kbench', 'faults', String(o.seed >>> 0), String(op), spec],
        onOutput: (b) => { text += new TextDecoder().decode(b); },
        onStop: (how) => { clearTimeout(timer); resolve(how.status); },
      });
      // A request that never completes (no panic, no heartbeat stall) would wait forever.
      const timer = setTimeout(() => { resolve('stuck'); machine.stop(); }, 30_000 + 3000 * batch.length);
    });
    if (status === 'stuck') stuck++;
    const t = readFaultBoot(text.split('\n'), op);
    for (const a of t.acked) acked.add(a);
    failed += t.failed; corruption += t.corruption; volatile += t.volatile; completed += t.completed;
    recoveries.push(...t.recoveries);
    if (status === 70 || !t.done) {
      if (status !== 'stuck') panics++;
      if (status === 'stuck') disk = disk.durableCopy(); else disk.powerCut();
      if (t.armedInBoot < 0) break;
      survivedFaults += t.armedInBoot;
      next += t.armedInBoot + 1;
    } else {
      survivedFaults += batch.length;
      next += batch.length;
    }
    op = t.lastOp + 1;
  }
  let lost = 0;
  for (const i of acked) {
    const want = payload(o.seed >>> 0, i);
    const got = disk.durable.subarray(i * 1024, i * 1024 + 1024);
    if (!want.every((v, j) => v === got[j])) lost++;
  }
  return faultCell({ preset: o.preset.name, component: o.component, type: o.type, scheduled: schedule.length, next, survivedFaults, completed, recoveries, failed, lost, corruption, volatile, boots, panics, stuck, ops: op });
}

// Fault campaigns (`kernelkit faults`, and the lab's fault table). For each preset x
// component x fault type: boot a fresh machine, run kbench's fault workload
// (src/user/bin/kbench.ts, "kbench faults") with a seeded schedule of N faults, each
// armed after a random number of operations; when the machine panics (exit 70),
// count it, cut the power (unflushed writes are lost), boot again from the durable
// disk and carry on with the next fault. Afterwards the host checks every block the
// workload saw fsync'd and verified against the durable disk image: a block that is
// missing or wrong is data lost.
//
// Where the data lives: acknowledged data is raw 1 KiB blocks on /dev/blk0 (the
// block device outlives every component restart and panic); files in /tmp are on
// ramfs, which is volatile across a vfs restart, so they are only read back at once
// and compared (corruption caught), never counted as durable. With `disk` (always for
// ext2 cells: without an ext2 filesystem nothing would reach ext2) the durable data is
// fsync'd files on an ext2 root instead, read back by a fresh boot at the end.

import type { Transport } from './boot.js';
import { DurableRam } from './disk.js';
import { faultSchedule, payload, readFaultBoot, faultCell, type FaultCell } from './fault-tally.js';
import { loadPreset, placementFor } from '../hosts/presets.js';
import { runMachine, packageRoot } from '../hosts/node/machine.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FAULT_COMPONENTS = ['blk', 'vfs', 'ext2', 'console', 'pm'] as const;
export const FAULT_TYPES = ['crash', 'wild-write', 'hang', 'bad-reply', 'leak'] as const;
export { faultSchedule, payload, readFaultBoot, type FaultCell, type PlannedFault } from './fault-tally.js';

export interface FaultCampaignOptions {
  presets: string[];
  components: string[];
  types: string[];
  n: number;
  seed: number;
  ipc?: Transport;
  /** Keep durable data in files on an ext2 root disk (made with `kernelkit mkfs`); ext2 cells always do. */
  disk?: boolean;
  onProgress?: (what: string) => void;
}

const DISK_BYTES = 32 << 20;
/** Kernel silence that counts as a hang. NOTE: not lower: on a busy two-core host a
 *  healthy kernel thread can miss its 100 ms heartbeat for over a second. */
const WATCHDOG_MS = 2500;
/** Faults per boot at most: a long run of restarts in one boot is fine, but bounded. */
const BATCH = 100;

let abandoned = 0;
/** Machines given up on after a timeout whose threads still exist (runMachine has no abort): the CLI exits explicitly when this is not 0. */
export const abandonedMachines = (): number => abandoned;

export interface CampaignResult { cells: FaultCell[]; storage: string }

export async function runFaultCampaign(o: FaultCampaignOptions): Promise<CampaignResult> {
  const cells: FaultCell[] = [];
  for (const preset of o.presets) {
    for (const component of o.components) {
      for (const type of o.types) {
        o.onProgress?.(`faults: ${preset} ${component} ${type} x${o.n}`);
        cells.push(await runCell(o, preset, component, type));
      }
    }
  }
  const onDisk = 'acknowledged data: 1 KiB files in /kb-data on an ext2 root disk, fsync\'d (checked after the campaign by a fresh boot reading them back); /tmp files on ramfs checked at once (volatile across a vfs restart)';
  const raw = 'acknowledged data: raw 1 KiB blocks on /dev/blk0 with fsync (durable across restarts and panics); /tmp files on ramfs checked at once (volatile across a vfs restart, not counted as durable)';
  return {
    cells,
    storage: o.disk === true || o.components.every((c) => c === 'ext2') ? onDisk
      : o.components.includes('ext2') ? `${raw}; ext2 cells: ${onDisk.replace(/^acknowledged data: /, '')}` : raw,
  };
}

/** Whether a cell keeps its durable data on an ext2 root: asked for, or faults aimed at ext2 itself. */
export const cellOnDisk = (o: Pick<FaultCampaignOptions, 'disk'>, component: string): boolean => o.disk === true || component === 'ext2';

async function runCell(o: FaultCampaignOptions, preset: string, component: string, type: string): Promise<FaultCell> {
  const schedule = faultSchedule(o.seed, preset, component, type, o.n);
  let disk = new DurableRam(DISK_BYTES);
  let image: string | undefined;
  if (cellOnDisk(o, component)) {
    // A fresh ext2 image per cell, made by the project's own mkfs (a host tool).
    image = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-faults-')), 'root.img');
    execFileSync(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'mkfs', '--size', `${DISK_BYTES >> 20}M`, image], { stdio: 'ignore' });
    const bytes = fs.readFileSync(image);
    disk.live.set(bytes);
    disk.durable.set(bytes);
  }
  const maxOps = DISK_BYTES / 1024;
  const acked = new Set<number>();
  const recoveries: number[] = [];
  let stuck = 0, volatile = 0, next = 0, op = 0, boots = 0, panics = 0, failed = 0, corruption = 0, completed = 0, survivedFaults = 0;
  const p = loadPreset(preset);
  while (next < schedule.length) {
    const batch = schedule.slice(next, next + BATCH);
    if (op + batch.reduce((a, f) => a + f.gap + 20, 0) >= maxOps) break; // disk full: stop early (reported through `injected`)
    const spec = batch.map((f) => `${f.gap}:${f.component}:${f.type}`).join(',');
    const out: Buffer[] = [];
    let collecting = true;
    boots++;
    const machine = runMachine({
      // NOTE: with both, the machine uses `backing` and mounts it as an ext2 root.
      // NOTE: the CLI refuses a transport this build does not have (unsupportedTransport).
      preset: p.name, placement: placementFor(p), ipc: (o.ipc ?? p.ipc) as typeof p.ipc, stdin: 'none', backing: disk, watchdogMs: WATCHDOG_MS,
      ...(image !== undefined ? { disk: image } : {}),
      init: ['/bin/kbench', 'faults', String(o.seed >>> 0), String(op), spec, ...(image !== undefined ? ['disk'] : [])],
      stdout: (b) => { if (collecting) out.push(Buffer.from(b)); }, stderr: () => {},
    });
    // A request that never completes (no panic, no heartbeat stall) would wait forever.
    let timer: NodeJS.Timeout | undefined;
    const limitMs = 30000 + 3000 * batch.length;
    const status = await Promise.race([machine, new Promise<'stuck'>((resolve) => { timer = setTimeout(() => resolve('stuck'), limitMs); })]);
    clearTimeout(timer);
    collecting = false;
    if (status === 'stuck') { stuck++; abandoned++; }
    const t = readFaultBoot(Buffer.concat(out).toString('utf8').split('\n'), op);
    const { armedInBoot, lastOp, done } = t;
    for (const a of t.acked) acked.add(a);
    failed += t.failed; corruption += t.corruption; volatile += t.volatile; completed += t.completed;
    recoveries.push(...t.recoveries);
    const panicked = status === 70 || !done;
    if (panicked) {
      if (status !== 'stuck') panics++;
      // The abandoned machine may still hold the old disk: go on with a copy.
      if (status === 'stuck') disk = disk.durableCopy(); else disk.powerCut();
      // The fault armed last is the one that brought the machine down (or, if none was
      // armed yet, the boot itself failed: give up on this cell rather than loop).
      if (armedInBoot < 0) break;
      survivedFaults += armedInBoot; // the ones before it were survived
      next += armedInBoot + 1;
    } else {
      survivedFaults += batch.length;
      next += batch.length;
    }
    op = lastOp + 1;
  }
  // Durability: everything seen fsync'd and verified must still be there.
  let lost = 0;
  if (image === undefined) {
    for (const i of acked) {
      const want = payload(o.seed >>> 0, i);
      const got = disk.durable.subarray(i * 1024, i * 1024 + 1024);
      if (!want.every((v, j) => v === got[j])) lost++;
    }
  } else {
    // A fresh boot, no faults, from what reached the disk: read every file back.
    disk.powerCut();
    const out: Buffer[] = [];
    const vp = loadPreset('monolithic');
    let timer: NodeJS.Timeout | undefined;
    const verified = await Promise.race([runMachine({
      preset: vp.name, placement: placementFor(vp), ipc: vp.ipc, stdin: 'none', backing: disk, disk: image, watchdogMs: WATCHDOG_MS,
      init: ['/bin/kbench', 'verify', String(o.seed >>> 0)], stdout: (b) => out.push(Buffer.from(b)), stderr: () => {},
    }), new Promise<'stuck'>((resolve) => { timer = setTimeout(() => resolve('stuck'), 120000); })]);
    clearTimeout(timer);
    // A disk that cannot be read back within the limit has lost what it held.
    if (verified === 'stuck') abandoned++;
    const good = new Set<number>();
    for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
      const [tag, a] = line.trim().split(' ');
      if (tag === 'P') good.add(Number(a));
    }
    for (const i of acked) if (!good.has(i)) lost++;
    fs.rmSync(path.dirname(image), { recursive: true, force: true });
  }
  return faultCell({ preset, component, type, scheduled: schedule.length, next, survivedFaults, completed, recoveries, failed, lost, corruption, volatile, boots, panics, stuck, ops: op });
}

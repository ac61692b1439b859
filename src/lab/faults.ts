// Fault campaigns (`kernelkit faults`, and the lab's fault table). For each preset x
// component x fault type: boot a fresh machine, run kbench's fault workload
// (src/user/bin/kbench.ts, "kbench faults") with a seeded schedule of N faults, each
// armed after a random number of operations; when the machine panics (exit 70),
// count it, cut the power (unflushed writes are lost), boot again from the durable
// disk and carry on with the next fault. Afterwards the host checks every block the
// workload saw fsync'd and verified against the durable disk image: a block that is
// missing or wrong is data lost.
//
// A campaign is a seeded list of independent jobs (preset, component, fault type, a
// range of the cell's schedule): each boots its own machines on its own disk, so jobs
// run in parallel, in slices (`--shard I/N`) or on other machines (campaign-queue.ts),
// and their results merge into the same table (mergeJobs).
//
// Where the data lives: acknowledged data is raw 1 KiB blocks on /dev/blk0 (the
// block device outlives every component restart and panic); files in /tmp are on
// ramfs, which is volatile across a vfs restart, so they are only read back at once
// and compared (corruption caught), never counted as durable. With `disk` (always for
// ext2 cells: without an ext2 filesystem nothing would reach ext2) the durable data is
// fsync'd files on an ext2 root instead, read back by a fresh boot at the end.
//
// Network cells (`nic`, `net`) run the workload over sockets instead: the machine has a
// NIC on `--net user`, and the job's host echo servers (net-echo.ts) are the far end of
// a TCP connection and a UDP flow through it, beside loopback TCP and UDP inside the
// guest. Acknowledged data is each 4 KiB chunk the guest saw echoed and verified; the
// host checks afterwards that the echo server received exactly those bytes.

import type { Transport } from './boot.js';
import { DurableRam } from './disk.js';
import { faultSchedule, payload, readFaultBoot, faultCell, isNetCell, type FaultCell } from './fault-tally.js';
import { round } from './stats.js';
import { loadPreset, placementFor } from '../hosts/presets.js';
import { runMachine, packageRoot, EXIT_ABORTED } from '../hosts/node/machine.js';
import { openUserNet, USER_GUEST, USER_GATEWAY, USER_PREFIX } from '../hosts/node/net/user.js';
import { macFromSeed, parseIp } from '../hosts/node/net/backends.js';
import { startNetEcho, NET_CHUNK, type NetAck } from './net-echo.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FAULT_COMPONENTS = ['blk', 'vfs', 'ext2', 'console', 'pm', 'nic', 'net'] as const;

export const FAULT_TYPES = ['crash', 'wild-write', 'hang', 'bad-reply', 'leak'] as const;
export { faultSchedule, payload, readFaultBoot, isNetCell, NET_COMPONENTS, type FaultCell, type PlannedFault } from './fault-tally.js';

export interface FaultCampaignOptions {
  presets: string[];
  components: string[];
  types: string[];
  n: number;
  seed: number;
  ipc?: Transport;
  /** `--place` overrides for every machine of the campaign (e.g. blk=sandbox). */
  place?: string;
  /** Keep durable data in files on an ext2 root disk (made with `kernelkit mkfs`); ext2 cells always do. */
  disk?: boolean;
  /** Heartbeat silence that counts as a hung user-domain server, for the campaign's machines (ms; the kernel's default is params.ts heartbeatTimeoutMs). */
  hangMs?: number;
  /** Faults per job (the unit of parallelism, sharding and queueing; default JOB_FAULTS). */
  jobFaults?: number;
  /** Workload silence after which a boot counts as stuck and is aborted (ms; default STUCK_MS). */
  stuckMs?: number;
  /**
   * For tests of the stuck-boot path only: the workload stops answering for good at
   * this fault of every cell's schedule (it blocks in a read nobody answers), so the
   * boot is declared stuck after `stuckMs`, aborted, and the job goes on from the next fault.
   */
  testStallAt?: number;
  /** Machines run at once (default 1). */
  parallel?: number;
  onProgress?: (what: string, done?: number, total?: number) => void;
}

const DISK_BYTES = 32 << 20;
/** Kernel silence that counts as a hang. NOTE: not lower: on a busy two-core host a
 *  healthy kernel thread can miss its 100 ms heartbeat for over a second. */
const WATCHDOG_MS = 2500;
/** Faults per boot at most: a long run of restarts in one boot is fine, but bounded. */
const BATCH = 250;
/** Workload silence after which a boot counts as stuck (ms): every operation prints a line. */
const STUCK_MS = 120000;
/** Boots in a row that may fail before the workload starts; then the job gives up. */
const BOOT_RETRIES = 3;
/** Faults per job by default: one boot each unless the machine panics. */
export const JOB_FAULTS = 250;
/** A campaign's hang detection by default (ms): with campaignParams, servers beat every
 *  50 ms and the kernel looks every 100 ms, so a hang is seen in 500–600 ms instead of
 *  1–1.1 s. NOTE: not lower by default: a healthy server must miss ten beats in a row
 *  to be taken for hung, but on a shared two-core host at load 10–15 one can go
 *  unscheduled for 200 ms (a false hang restarts it; a vfs restart loses /tmp, which
 *  shows as volatile files lost where none belong). 200 works on a quiet host. */
export const CAMPAIGN_HANG_MS = 500;

/** One job: faults [from, to) of one cell's schedule. */
export interface FaultJob { preset: string; component: string; type: string; from: number; to: number }

/** What one job saw: sums, and the recovery samples (so merged percentiles are exact). */
export interface FaultJobResult extends FaultJob {
  injected: number;
  survived: number;
  completed: number;
  recoveries: number[];
  failed_requests: number;
  data_lost: number;
  corruption_caught: number;
  volatile_lost: number;
  boots: number;
  stuck: number;
  panics: number;
  failed_boots: number;
  ops: number;
  /** Boots whose system files were damaged, and those whose damage was repaired by the end (fault-tally.ts). */
  damaged_boots: number;
  repaired_boots: number;
  /** Network cells: connections established when the faults were armed, and those that broke. */
  connections_open: number;
  connections_lost: number;
  seconds: number;
}

export interface CampaignResult {
  cells: FaultCell[];
  storage: string;
  /** Machines run at once. */
  parallel: number;
  jobs: FaultJobResult[];
  seconds: number;
}

/** The options that decide a campaign's jobs and their results (not how they are run). */
export type CampaignSpec = Pick<FaultCampaignOptions, 'presets' | 'components' | 'types' | 'n' | 'seed' | 'ipc' | 'place' | 'disk' | 'hangMs' | 'jobFaults' | 'stuckMs' | 'testStallAt'>;

/** The campaign's jobs, cell by cell in table order. */
export function planJobs(o: CampaignSpec): FaultJob[] {
  const size = o.jobFaults ?? JOB_FAULTS;
  const jobs: FaultJob[] = [];
  for (const preset of o.presets) {
    for (const component of o.components) {
      for (const type of o.types) {
        for (let from = 0; from < o.n; from += size) jobs.push({ preset, component, type, from, to: Math.min(o.n, from + size) });
      }
    }
  }
  return jobs;
}

/** Slice `index` (1-based) of `count`: every count-th job, so each slice gets a share of every cell (hangs are slow). */
export const shardJobs = (jobs: FaultJob[], index: number, count: number): FaultJob[] => jobs.filter((_, i) => i % count === index - 1);

/** A job's name, the same for the same seed and options (queue job ids; merges match on it). */
export function jobKey(o: CampaignSpec, j: FaultJob): string {
  return [`s${o.seed >>> 0}`, j.preset, j.component, j.type, `${j.from}-${j.to}`, o.ipc ?? 'preset-ipc', o.disk === true ? 'disk' : 'raw', `h${o.hangMs ?? CAMPAIGN_HANG_MS}`,
    ...(o.place === undefined ? [] : [`place-${o.place}`]), ...(o.testStallAt === undefined ? [] : [`stall${o.testStallAt}`])].join('.');
}

export function storageOf(o: Pick<FaultCampaignOptions, 'disk' | 'components'>): string {
  const files = o.components.filter((c) => !isNetCell(c));
  const net = o.components.some(isNetCell) ? `; nic/net cells: ${NET_STORAGE}` : '';
  return files.length === 0 ? NET_STORAGE : `${fileStorage({ ...o, components: files })}${net}`;
}

const NET_STORAGE = 'acknowledged data: 4 KiB chunks echoed back through the NIC (--net user) by a TCP echo server on the host and verified by the guest, checked afterwards against what the server received; loopback TCP and UDP and UDP through the NIC compared at once';

function fileStorage(o: Pick<FaultCampaignOptions, 'disk' | 'components'>): string {
  const onDisk = 'acknowledged data: 1 KiB files in /kb-data on an ext2 root disk, fsync\'d (checked after the campaign by a fresh boot reading them back); /tmp files on ramfs checked at once (volatile across a vfs restart)';
  const raw = 'acknowledged data: raw 1 KiB blocks on /dev/blk0 with fsync (durable across restarts and panics); /tmp files on ramfs checked at once (volatile across a vfs restart, not counted as durable)';
  return o.disk === true || o.components.every((c) => c === 'ext2') ? onDisk
    : o.components.includes('ext2') ? `${raw}; ext2 cells: ${onDisk.replace(/^acknowledged data: /, '')}` : raw;
}

/** Runs `fn` on every item, at most `parallel` at once; results in item order. */
export async function inPool<T, R>(items: T[], parallel: number, fn: (item: T) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0, done = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
  return out;
}

export async function runFaultCampaign(o: FaultCampaignOptions, only?: FaultJob[]): Promise<CampaignResult> {
  const started = performance.now();
  const jobs = only ?? planJobs(o);
  const parallel = o.parallel ?? 1;
  o.onProgress?.(`faults: ${jobs.length} jobs, ${parallel} at once`, 0, jobs.length);
  const results = await inPool(jobs, parallel, (j) => runFaultJob(o, j), (done) => o.onProgress?.(`faults: ${done}/${jobs.length} jobs`, done, jobs.length));
  return { cells: mergeJobs(results), storage: storageOf(o), parallel, jobs: results, seconds: round((performance.now() - started) / 1000, 1) };
}

/** Whether a cell keeps its durable data on an ext2 root: asked for, or faults aimed at ext2 itself. */
export const cellOnDisk = (o: Pick<FaultCampaignOptions, 'disk'>, component: string): boolean => o.disk === true || component === 'ext2';

/** The cells of these jobs' results, in the order the jobs first name them: sums, and percentiles over all samples. */
export function mergeJobs(results: FaultJobResult[]): FaultCell[] {
  const byCell = new Map<string, FaultJobResult[]>();
  for (const r of results) {
    const k = `${r.preset}/${r.component}/${r.type}`;
    byCell.set(k, [...(byCell.get(k) ?? []), r]);
  }
  return [...byCell.values()].map((rs) => {
    const sum = (f: (r: FaultJobResult) => number): number => rs.reduce((a, r) => a + f(r), 0);
    const first = rs[0]!;
    const injected = sum((r) => r.injected);
    return faultCell({
      preset: first.preset, component: first.component, type: first.type, scheduled: injected, next: injected,
      survivedFaults: sum((r) => r.survived), completed: sum((r) => r.completed), recoveries: rs.flatMap((r) => r.recoveries),
      failed: sum((r) => r.failed_requests), lost: sum((r) => r.data_lost), corruption: sum((r) => r.corruption_caught), volatile: sum((r) => r.volatile_lost),
      boots: sum((r) => r.boots), panics: sum((r) => r.panics), stuck: sum((r) => r.stuck), failedBoots: sum((r) => r.failed_boots ?? 0), ops: sum((r) => r.ops),
      damagedBoots: sum((r) => r.damaged_boots ?? 0), repairedBoots: sum((r) => r.repaired_boots ?? 0),
      connectionsOpen: sum((r) => r.connections_open ?? 0), connectionsLost: sum((r) => r.connections_lost ?? 0),
    });
  });
}

// One ext2 image per process, made by the project's own mkfs (a host tool); every job
// on an ext2 root starts from a copy of it.
let emptyImage: Uint8Array | undefined;
function ext2Image(): Uint8Array {
  if (emptyImage === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-mkfs-'));
    try {
      execFileSync(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'mkfs', '--size', `${DISK_BYTES >> 20}M`, path.join(dir, 'root.img')], { stdio: 'ignore' });
      emptyImage = new Uint8Array(fs.readFileSync(path.join(dir, 'root.img')));
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }
  return emptyImage;
}

/**
 * A campaign machine's tunables for hang detection after `hangMs`: servers beat ten
 * times per `hangMs` and the kernel looks five times per `hangMs`, the kernel's own
 * proportions (1000 / 50 / 100 ms), so a hang is seen within 1.2 x `hangMs` and a
 * healthy server must miss ten beats in a row to be taken for hung.
 */
export function campaignParams(hangMs: number): { heartbeatTimeoutMs: number; heartbeatPeriodMs: number; supervisorTickMs: number } {
  return { heartbeatTimeoutMs: hangMs, heartbeatPeriodMs: Math.max(5, Math.round(hangMs / 10)), supervisorTickMs: Math.max(10, Math.round(hangMs / 5)) };
}

/** Runs one job on fresh machines and a fresh disk. */
export async function runFaultJob(o: CampaignSpec, job: FaultJob): Promise<FaultJobResult> {
  const started = performance.now();
  const { preset, component, type } = job;
  const schedule = faultSchedule(o.seed, preset, component, type, job.to).slice(job.from);
  if (o.testStallAt !== undefined && o.testStallAt >= job.from && o.testStallAt < job.to) schedule[o.testStallAt - job.from] = { ...schedule[o.testStallAt - job.from]!, component: 'kbench', type: 'stall' };
  const stuckMs = o.stuckMs ?? STUCK_MS;
  const params = campaignParams(o.hangMs ?? CAMPAIGN_HANG_MS);
  const disk = new DurableRam(DISK_BYTES);
  let image: string | undefined;
  if (cellOnDisk(o, component)) {
    const bytes = ext2Image();
    // NOTE: the machine reads the disk from `backing`; the file only names an ext2 root.
    image = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-faults-')), 'root.img');
    fs.writeFileSync(image, '');
    disk.live.set(bytes);
    disk.durable.set(bytes);
  }
  const maxOps = DISK_BYTES / 1024;
  const acked = new Set<number>();
  const network = isNetCell(component);
  const echo = network ? await startNetEcho() : undefined;
  const netAcks: NetAck[] = [];
  let connectionsOpen = 0, connectionsLost = 0;
  const recoveries: number[] = [];
  let bootRetries = 0, failedBoots = 0;
  let stuck = 0, volatile = 0, next = 0, op = 0, boots = 0, panics = 0, failed = 0, corruption = 0, completed = 0, survivedFaults = 0;
  let damagedBoots = 0, repairedBoots = 0;
  const p = loadPreset(preset);
  while (next < schedule.length) {
    const batch = schedule.slice(next, next + BATCH);
    if (op + batch.reduce((a, f) => a + f.gap + 20, 0) >= maxOps) break; // disk full: stop early (reported through `injected`)
    const spec = batch.map((f) => `${f.gap}:${f.component}:${f.type}`).join(',');
    const out: Buffer[] = [];
    let lastOutput = performance.now();
    boots++;
    const abort = new AbortController();
    // A network cell's machine has a NIC on --net user: 10.0.2.2 is the host's loopback, where the echo servers listen.
    const cable = echo === undefined ? undefined : openUserNet([]);
    const workloadArgs = echo !== undefined ? ['net', String(echo.tcpPort), String(echo.udpPort), String(NET_CHUNK)] : image !== undefined ? ['disk'] : [];
    const machine = runMachine({
      // NOTE: with both, the machine uses `backing` and mounts it as an ext2 root.
      // NOTE: the CLI refuses a transport this build does not have (unsupportedTransport).
      preset: p.name, placement: placementFor(p, o.place), ipc: (o.ipc ?? p.ipc) as typeof p.ipc, stdin: 'none', backing: disk, watchdogMs: WATCHDOG_MS, params,
      ...(image !== undefined ? { disk: image } : {}),
      init: ['/bin/kbench', 'faults', String(o.seed >>> 0), String(op), spec, ...workloadArgs],
      ...(cable === undefined ? {} : { nic: { mac: macFromSeed(`faults-${job.preset}-${job.component}`), port: cable, ...parseIp(`${USER_GUEST}/${USER_PREFIX}`, USER_GATEWAY) } }),
      stdout: (b) => { out.push(Buffer.from(b)); lastOutput = performance.now(); }, stderr: () => {}, signal: abort.signal,
    });
    // A request that never completes (no panic, no heartbeat stall) would wait forever:
    // a machine whose workload prints nothing for stuckMs is aborted (every thread it
    // owns ends before the next boot). NOTE: silence, not total time: at load 20 on two
    // cores a healthy batch of 250 took 13 minutes.
    const timer = setInterval(() => { if (performance.now() - lastOutput > stuckMs) abort.abort(new Error(`the workload said nothing for ${stuckMs} ms`)); }, Math.min(1000, stuckMs / 4));
    const exit = await machine;
    clearInterval(timer);
    cable?.close();
    // NOTE: the status, not the signal: a machine that halted while being aborted halted.
    const status = exit === EXIT_ABORTED ? 'stuck' : exit;
    if (status === 'stuck') stuck++;
    const lines = Buffer.concat(out).toString('utf8').split('\n');
    const t = readFaultBoot(lines, op);
    const { armedInBoot, lastOp, done } = t;
    for (const a of t.acked) acked.add(a);
    netAcks.push(...t.netAcks);
    connectionsOpen += t.connectionsOpen; connectionsLost += t.connectionsLost;
    failed += t.failed; corruption += t.corruption; volatile += t.volatile; completed += t.completed;
    recoveries.push(...t.recoveries);
    const panicked = status === 70 || !done;
    // Damage counts where the workload ran to its last pass (a panic ends the boot, not the damage question).
    if (t.damaged && done) { damagedBoots++; if (t.damageLeft === 0) repairedBoots++; }
    // A machine that stopped before this boot armed a fault did not meet one: its boot
    // failed (on a loaded host the kernel can miss its watchdog while starting, or in the
    // workload's first operations, which for a network cell open connections). Boot
    // again, a few times, rather than blame a fault or give up. NOTE: from the next
    // operation: a network cell's connections are named after the op that opened them.
    if (panicked && armedInBoot < 0 && status !== 'stuck' && bootRetries < BOOT_RETRIES) {
      bootRetries++;
      failedBoots++;
      disk.powerCut();
      op = lastOp + 1;
      continue;
    }
    if (armedInBoot >= 0) bootRetries = 0;
    if (panicked) {
      if (status !== 'stuck') panics++;
      // A machine that went down took every connection it held: those open at the fault not already counted.
      connectionsLost += Math.max(0, t.openAtLastFault - t.lostSinceLastFault);
      // An aborted machine is gone like a panicked one: what was not flushed is lost.
      disk.powerCut();
      // The fault armed last is the one that brought the machine down (or, if none was
      // armed yet, the boot itself failed: give up on this job rather than loop).
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
  if (echo !== undefined) {
    lost = echo.lost(netAcks, NET_CHUNK, (i) => payload(o.seed >>> 0, i, NET_CHUNK));
    await echo.close();
  } else if (image === undefined) {
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
    // A disk that cannot be read back within the limit has lost what it held.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('the verifying boot took over 120 s')), 120000);
    await runMachine({
      preset: vp.name, placement: placementFor(vp), ipc: vp.ipc, stdin: 'none', backing: disk, disk: image, watchdogMs: WATCHDOG_MS,
      init: ['/bin/kbench', 'verify', String(o.seed >>> 0)], stdout: (b) => out.push(Buffer.from(b)), stderr: () => {}, signal: abort.signal,
    });
    clearTimeout(timer);
    const good = new Set<number>();
    for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
      const [tag, a] = line.trim().split(' ');
      if (tag === 'P') good.add(Number(a));
    }
    for (const i of acked) if (!good.has(i)) lost++;
    fs.rmSync(path.dirname(image), { recursive: true, force: true });
  }
  return {
    ...job, injected: Math.min(next, schedule.length), survived: survivedFaults, completed, recoveries,
    failed_requests: failed, data_lost: lost, corruption_caught: corruption, volatile_lost: volatile, boots, panics, stuck, failed_boots: failedBoots, ops: op,
    damaged_boots: damagedBoots, repaired_boots: repairedBoots, connections_open: connectionsOpen, connections_lost: connectionsLost,
    seconds: round((performance.now() - started) / 1000, 2),
  };
}

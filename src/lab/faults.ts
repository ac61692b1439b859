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
// diskfs cells boot on a disk that carries its own filesystem driver (a chainfs image
// made by the driver in build/fs-drivers/, mounted at /disk through it, in the sandbox
// domain): the durable data is fsync'd files in /disk/kb-data, read back by a fresh
// boot at the end, and the image is then checked by its own driver's fsck.
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
import type { MachineOptions } from '../hosts/node/machine.js';
import { loadPreset, placementFor } from '../hosts/presets.js';
import { runMachine, packageRoot, EXIT_ABORTED } from '../hosts/node/machine.js';
import { openUserNet, USER_GUEST, USER_GATEWAY, USER_PREFIX } from '../hosts/node/net/user.js';
import { macFromSeed, parseIp } from '../hosts/node/net/backends.js';
import { startNetEcho, NET_CHUNK, type NetAck } from './net-echo.js';
import { formatDiskImage, checkDiskImage } from '../hosts/disk-image.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FAULT_COMPONENTS = ['blk', 'vfs', 'ext2', 'diskfs', 'console', 'pm', 'nic', 'net'] as const;

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
  /** CPU time a user-domain server may burn without a heartbeat before it counts as hung, for the campaign's machines (ms; 0: off; default CAMPAIGN_HANG_CPU_MS; params.ts hangCpuMs). */
  hangCpuMs?: number;
  /** How long the campaign's kernels, servers and processes poll for work or an answer before they sleep (µs; default CAMPAIGN_SPIN_US; params.ts kernelSpinUs, kernelSpinAfterWakeUs, serverSpinUs, serverSpinAfterWakeUs, processSpinUs). */
  spinUs?: number;
  /** Run several cells' jobs on one boot where the fault model allows (planBoots; default true); false: a boot per job, as before. */
  shareBoots?: boolean;
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
/** A campaign's hang detection by heartbeat silence by default (ms). NOTE: a spinning
 *  hang (the injected one) is seen sooner by CPU time (CAMPAIGN_HANG_CPU_MS); silence
 *  is left for hangs that block, so it can be long: at 500 ms, on this shared two-core
 *  host at load 20–30, a healthy vfs went unscheduled long enough to be restarted as
 *  hung in 2–4 cells of a 2,000-fault campaign (a vfs restart loses /tmp, which shows
 *  as volatile files lost where none belong); with silence off and CPU time on, 240
 *  faults at load 14–24 restarted no healthy server. */
export const CAMPAIGN_HANG_MS = 2000;
/** A campaign's hang detection by CPU time by default (ms): a server that loops in a
 *  request burns CPU and never beats, so it is seen after 15 ms of CPU time however
 *  loaded the host; a descheduled healthy server burns none, so it is never taken for
 *  hung this way (only by CAMPAIGN_HANG_MS of silence). Its heartbeat then comes every
 *  5 ms (the floor of campaignParams), and the kernel looks as often. NOTE: 15, not
 *  lower: a healthy server's longest stretch without a beat must stay well under it.
 *  Measured (a build that logged every healthy server's CPU time from the first look
 *  that found its beat unchanged to its next beat): at most 3.9 ms over the 2,000-fault
 *  blk/vfs campaign, 2.8 ms over ext2, pm, console and diskfs cells, 3.1 ms over nic and
 *  net cells; about 4x under the limit. It was 50 while the CPU time came in 10 ms
 *  ticks (a hung thread spun 50-70 ms before it was seen), then 30; every ms of it is
 *  spent spinning by each hung server, on a core the other machines need. */
export const CAMPAIGN_HANG_CPU_MS = 15;
/** A campaign machine's spin budget by default (µs): none. A campaign is a throughput
 *  job with a machine per core: a thread that polls after its work (50 µs by default,
 *  a wake-up's cost, to answer the next request sooner) takes the core another
 *  machine's thread is waiting for. Measured on the two-core host: with 0, a blk crash
 *  fault took 84 ms of CPU instead of 96, a leak 28 instead of 33, and the blk/vfs
 *  campaign ran 33.5 faults/s instead of 30.5; recoveries are timed with the wake-ups
 *  they then pay. */
export const CAMPAIGN_SPIN_US = 0;

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
  /** diskfs cells: what the image's own fsck said of the durable disk after the job ('clean', or the problems). */
  fsck?: string;
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
export type CampaignSpec = Pick<FaultCampaignOptions, 'presets' | 'components' | 'types' | 'n' | 'seed' | 'ipc' | 'place' | 'disk' | 'hangMs' | 'hangCpuMs' | 'spinUs' | 'shareBoots' | 'jobFaults' | 'stuckMs' | 'testStallAt'>;

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
  return [`s${o.seed >>> 0}`, j.preset, j.component, j.type, `${j.from}-${j.to}`, o.ipc ?? 'preset-ipc', o.disk === true ? 'disk' : 'raw', `h${o.hangMs ?? CAMPAIGN_HANG_MS}`, `c${o.hangCpuMs ?? CAMPAIGN_HANG_CPU_MS}`, `sp${o.spinUs ?? CAMPAIGN_SPIN_US}`,
    ...(o.place === undefined ? [] : [`place-${o.place}`]), ...(o.testStallAt === undefined ? [] : [`stall${o.testStallAt}`])].join('.');
}

export function storageOf(o: Pick<FaultCampaignOptions, 'disk' | 'components'>): string {
  const files = o.components.filter((c) => !isNetCell(c));
  const net = o.components.some(isNetCell) ? `; nic/net cells: ${NET_STORAGE}` : '';
  return files.length === 0 ? NET_STORAGE : `${fileStorage({ ...o, components: files })}${net}`;
}

const NET_STORAGE = 'acknowledged data: 4 KiB chunks echoed back through the NIC (--net user) by a TCP echo server on the host and verified by the guest, checked afterwards against what the server received; loopback TCP and UDP and UDP through the NIC compared at once';

const DISKFS_STORAGE = 'acknowledged data: 1 KiB files in /disk/kb-data on a chainfs disk mounted through the driver it carries (diskfs, sandbox domain), fsync\'d (checked after the campaign by a fresh boot reading them back, then the image by its driver\'s fsck); /tmp files on ramfs checked at once';

function fileStorage(o: Pick<FaultCampaignOptions, 'disk' | 'components'>): string {
  const others = o.components.filter((c) => c !== 'diskfs');
  if (others.length === 0) return DISKFS_STORAGE;
  if (others.length < o.components.length) return `${fileStorage({ ...o, components: others })}; diskfs cells: ${DISKFS_STORAGE.replace(/^acknowledged data: /, '')}`;
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
  // The costliest boots first, so that no lane is left with a long one at the end.
  const groups = planBoots(o, jobs, parallel).map((g) => ({ g, cost: groupCost(g) })).sort((a, b) => b.cost - a.cost).map((x) => x.g);
  o.onProgress?.(`faults: ${jobs.length} jobs in ${groups.length} boot groups, ${parallel} at once`, 0, groups.length);
  const byGroup = await inPool(groups, parallel, (g) => runFaultGroup(o, g), (done) => o.onProgress?.(`faults: ${done}/${groups.length} boot groups`, done, groups.length));
  // In the jobs' order, whatever the grouping.
  const byKey = new Map(byGroup.flat().map((r) => [jobKey(o, r), r] as const));
  const results = jobs.map((j) => byKey.get(jobKey(o, j))!);
  return { cells: mergeJobs(results), storage: storageOf(o), parallel, jobs: results, seconds: round((performance.now() - started) / 1000, 1) };
}

/** Whether a cell keeps its durable data on an ext2 root: asked for, or faults aimed at ext2 itself. */
export const cellOnDisk = (o: Pick<FaultCampaignOptions, 'disk'>, component: string): boolean => component !== 'diskfs' && (o.disk === true || component === 'ext2');

/** Files a diskfs job writes at most (3 blocks each of chainfs's 4,096, and their directory entries): it stops early rather than fill the filesystem. */
const DISKFS_FILES = 1000;

/** The chainfs image every diskfs job starts from: formatted by the driver this build made, the driver embedded. */
let emptyChainfs: Uint8Array | undefined;
function chainfsImage(): Uint8Array {
  if (emptyChainfs === undefined) {
    const driver = new Uint8Array(fs.readFileSync(path.join(packageRoot, 'build/fs-drivers/chainfs.wasm')));
    emptyChainfs = formatDiskImage(driver, 'chainfs', 3 << 20);
  }
  return emptyChainfs;
}

/** What the image's own fsck said after each diskfs job: `PRESET/diskfs/TYPE faults A-B: clean`. */
export const fsckLines = (results: FaultJobResult[]): string[] =>
  results.filter((r) => r.fsck !== undefined).map((r) => `${r.preset}/${r.component}/${r.type} faults ${r.from}-${r.to - 1}: ${r.fsck}`);

/** The fsck line of a diskfs job's durable image: its own driver checks it. */
function fsckOf(image: Uint8Array): string {
  try {
    const c = checkDiskImage(image);
    return c.clean ? 'clean' : `${c.errors.length} problem(s): ${c.errors.slice(0, 3).join('; ')}`;
  } catch (e) { return `not checked: ${(e as Error).message}`; }
}

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
 * A campaign machine's tunables for hang detection after `hangMs` of heartbeat silence
 * or `hangCpuMs` of CPU time without a beat (0: off): servers beat ten times per `hangMs`
 * and the kernel looks five times per `hangMs`, the kernel's own proportions (1000 / 50
 * / 100 ms), so a silent server is seen within 1.2 x `hangMs` and a healthy one must
 * miss ten beats in a row to be taken for hung; with `hangCpuMs`, beats and looks come
 * five times per `hangCpuMs` too (a busy healthy server burns at most a period between
 * beats, a fifth of the limit).
 */
export function campaignParams(hangMs: number, hangCpuMs = 0, spinUs = CAMPAIGN_SPIN_US): NonNullable<MachineOptions['params']> {
  const period = Math.round(hangMs / 10), tick = Math.round(hangMs / 5);
  const cpuStep = hangCpuMs > 0 ? Math.round(hangCpuMs / 5) : Infinity;
  return {
    heartbeatTimeoutMs: hangMs, heartbeatPeriodMs: Math.max(5, Math.min(period, cpuStep)), supervisorTickMs: Math.max(5, Math.min(Math.max(10, tick), cpuStep)), hangCpuMs,
    kernelSpinUs: spinUs, kernelSpinAfterWakeUs: spinUs, serverSpinUs: spinUs, serverSpinAfterWakeUs: spinUs, processSpinUs: spinUs,
  };
}

/** Fault types whose cells leave the component damaged for what follows (a wild write's garbage in its arena, a leak that goes on until a restart): a shared boot ends with such a cell. */
const DAMAGING = new Set(['wild-write', 'leak']);
/**
 * What a fault costs (ms of CPU), for balancing the lanes (planBoots, runFaultCampaign):
 * measured per cell on the two-core host (microkernel, one machine, machines that do
 * not spin, 200 faults a cell, boot included). The component matters as much as the
 * type: a vfs restart restores the root image and re-wires four peers, so a vfs crash
 * costs twice a blk crash; weighted by type alone, the lane that drew the vfs hang
 * cell ran on alone for a sixth of the campaign. Other components cost what their
 * type costs on average.
 */
const FAULT_COST_MS: Record<string, Record<string, number>> = {
  blk: { crash: 54, hang: 88, 'bad-reply': 21, 'wild-write': 20, leak: 24 },
  vfs: { crash: 114, hang: 139, 'bad-reply': 25, 'wild-write': 26, leak: 27 },
};
/** A type's cost where its component was not measured: the average over the components that were (the lowest measured cost for a type none measured). */
const TYPE_COST_MS: Record<string, number> = (() => {
  const all = Object.values(FAULT_COST_MS).flatMap((c) => Object.entries(c));
  const out: Record<string, number> = {};
  for (const type of new Set(all.map(([t]) => t))) {
    const measured = all.filter(([t]) => t === type).map(([, ms]) => ms);
    out[type] = measured.reduce((a, b) => a + b, 0) / measured.length;
  }
  return out;
})();
const LOWEST_COST_MS = Math.min(...Object.values(FAULT_COST_MS).flatMap((c) => Object.values(c)));
const faultCost = (component: string, type: string): number => FAULT_COST_MS[component]?.[type] ?? TYPE_COST_MS[type] ?? LOWEST_COST_MS;
const jobCost = (j: FaultJob): number => faultCost(j.component, j.type) * (j.to - j.from);
const groupCost = (g: FaultJob[]): number => g.reduce((t, j) => t + jobCost(j), 0);

/** Faults one shared boot's group may hold at most: its cells' blocks must fit the disk (about 3.5 operations a fault, 1 KiB each). */
const GROUP_FAULTS = 2000;

/**
 * The boots of these jobs: groups whose jobs run one after the other on shared boots
 * (with `shareBoots`, the default), or one group per job. Only cells whose faults
 * leave nothing behind share: a user-domain component (crash and hang: the supervisor
 * starts a fresh instance; bad reply: one wrong answer) on the raw block device (an
 * ext2 root is checked by a boot of its own at the end). Each damaging cell
 * (wild-write, leak) ends a group, after calm cells dealt round-robin over the groups
 * (at least `lanes` groups where there are enough cells); kernel-domain cells, whose
 * faults take the kernel down, ext2-root cells, network cells and test stalls keep a
 * boot per job.
 */
export function planBoots(o: CampaignSpec, jobs: FaultJob[], lanes = 1): FaultJob[][] {
  if (o.shareBoots === false || o.testStallAt !== undefined) return jobs.map((j) => [j]);
  const groups: FaultJob[][] = [];
  const byPreset = new Map<string, { calm: FaultJob[]; damaging: FaultJob[] }>();
  for (const j of jobs) {
    if (cellOnDisk(o, j.component) || j.component === 'diskfs' || isNetCell(j.component) || placementFor(loadPreset(j.preset), o.place)[j.component] !== 'user') { groups.push([j]); continue; }
    const g = byPreset.get(j.preset) ?? { calm: [], damaging: [] };
    byPreset.set(j.preset, g);
    (DAMAGING.has(j.type) ? g.damaging : g.calm).push(j);
  }
  for (const { calm, damaging } of byPreset.values()) {
    const count = Math.max(damaging.length, Math.min(Math.max(1, lanes), calm.length));
    // Balanced by what the jobs cost (the costliest first, each to the cheapest group so
    // far; a group's damaging job counts from the start): the lanes end together
    // instead of one machine running the last hang cells alone.
    const cost = Array.from({ length: count }, (_, i) => (damaging[i] !== undefined ? jobCost(damaging[i]!) : 0));
    const mine: FaultJob[][] = Array.from({ length: count }, () => []);
    for (const j of [...calm].sort((a, b) => jobCost(b) - jobCost(a))) {
      const g = cost.indexOf(Math.min(...cost));
      mine[g]!.push(j);
      cost[g]! += jobCost(j);
    }
    damaging.forEach((j, i) => mine[i]!.push(j));
    // Bounded: a group's blocks fit the disk (the damaging job stays last, in the last part).
    for (const g of mine) {
      let part: FaultJob[] = [], faults = 0;
      for (const j of g) {
        if (part.length > 0 && faults + (j.to - j.from) > GROUP_FAULTS) { groups.push(part); part = []; faults = 0; }
        part.push(j); faults += j.to - j.from;
      }
      if (part.length > 0) groups.push(part);
    }
  }
  return groups;
}

/** Runs one job on fresh machines and a fresh disk. */
export async function runFaultJob(o: CampaignSpec, job: FaultJob): Promise<FaultJobResult> {
  return (await runFaultGroup(o, [job]))[0]!;
}

/** A job's counts while its group runs. */
interface JobTally {
  next: number; survived: number; completed: number; recoveries: number[]; failed: number; lost: number; corruption: number; volatile: number;
  boots: number; panics: number; stuck: number; failedBoots: number; damagedBoots: number; repairedBoots: number; ops: number; ms: number; gaveUp: boolean;
}

/**
 * Runs a group of jobs (planBoots) on shared boots and one disk: one boot runs the
 * rest of the current job and the whole jobs after it, kbench settling between
 * cells; at each cell's end (its DONE line) the host checks every block acknowledged
 * so far on the durable image, counts a block lost for the cell at whose end it was
 * first found wrong, and only then lets kbench go on (it reads a line from the
 * console). A panic or a stuck boot ends the boot: the next fault of the job in
 * flight gets a fresh machine on the durable disk, as with one job. A boot is counted
 * for the job it starts with.
 */
export async function runFaultGroup(o: CampaignSpec, jobs: FaultJob[]): Promise<FaultJobResult[]> {
  if (jobs.length === 1 && isNetCell(jobs[0]!.component)) return [await runNetFaultJob(o, jobs[0]!)];
  const schedules = jobs.map((job) => {
    const schedule = faultSchedule(o.seed, job.preset, job.component, job.type, job.to).slice(job.from);
    if (o.testStallAt !== undefined && o.testStallAt >= job.from && o.testStallAt < job.to) schedule[o.testStallAt - job.from] = { ...schedule[o.testStallAt - job.from]!, component: 'kbench', type: 'stall' };
    return schedule;
  });
  const tallies: JobTally[] = jobs.map(() => ({
    next: 0, survived: 0, completed: 0, recoveries: [], failed: 0, lost: 0, corruption: 0, volatile: 0,
    boots: 0, panics: 0, stuck: 0, failedBoots: 0, damagedBoots: 0, repairedBoots: 0, ops: 0, ms: 0, gaveUp: false,
  }));
  const stuckMs = o.stuckMs ?? STUCK_MS;
  const params = campaignParams(o.hangMs ?? CAMPAIGN_HANG_MS, o.hangCpuMs ?? CAMPAIGN_HANG_CPU_MS, o.spinUs ?? CAMPAIGN_SPIN_US);
  const disk = new DurableRam(DISK_BYTES);
  // Groups of more than one job are never on an ext2 root or a diskfs disk (planBoots).
  const chainfs = jobs.length === 1 && jobs[0]!.component === 'diskfs';
  const onDisk = chainfs || (jobs.length === 1 && cellOnDisk(o, jobs[0]!.component));
  let image: string | undefined;
  const imageBytes = onDisk ? (chainfs ? chainfsImage() : ext2Image()) : undefined;
  if (imageBytes !== undefined) {
    // NOTE: the machine reads the disk from `backing`; the file names an ext2 root, or
    // (its header read at boot) a disk that carries its driver, mounted at /disk.
    image = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-faults-')), 'root.img');
    fs.writeFileSync(image, chainfs ? imageBytes : '');
    disk.live.set(imageBytes);
    disk.durable.set(imageBytes);
  }
  const maxOps = chainfs ? DISKFS_FILES : DISK_BYTES / 1024;
  const dataArgs = chainfs ? ['diskfs'] : image !== undefined ? ['disk'] : [];
  // Blocks acknowledged (fsync'd and verified), by the job that wrote them; and those already counted lost.
  const acked = new Map<number, number>();
  const lostFound = new Set<number>();
  const checkDurable = (jobIndex: number): void => {
    if (onDisk) return; // read back by a fresh boot at the end
    for (const i of acked.keys()) {
      if (lostFound.has(i)) continue;
      const want = payload(o.seed >>> 0, i);
      const got = disk.durable.subarray(i * 1024, i * 1024 + 1024);
      if (!want.every((v, j) => v === got[j])) { lostFound.add(i); tallies[jobIndex]!.lost++; }
    }
  };
  let bootRetries = 0, op = 0, ji = 0;
  let fsck: string | undefined;
  const p = loadPreset(jobs[0]!.preset);
  while (ji < jobs.length) {
    const first = tallies[ji]!;
    if (first.gaveUp || first.next >= schedules[ji]!.length) { ji++; continue; }
    // This boot's cells: the rest of job ji (at most BATCH faults), then whole jobs while they fit.
    const segments = [{ job: ji, faults: schedules[ji]!.slice(first.next, first.next + BATCH) }];
    if (first.next + BATCH >= schedules[ji]!.length) {
      let total = segments[0]!.faults.length;
      for (let k = ji + 1; k < jobs.length && schedules[k]!.length <= BATCH && total + schedules[k]!.length <= GROUP_FAULTS; k++) {
        segments.push({ job: k, faults: schedules[k]! });
        total += schedules[k]!.length;
      }
    }
    // Disk full: stop early (reported through `injected`). NOTE: a diskfs job counts the
    // operations a fault usually costs (its gap and a few until recovery), not the worst
    // case, since its filesystem holds fewer files than the raw disk holds blocks.
    const perFault = chainfs ? 4 : 20;
    if (op + segments.reduce((a, s) => a + s.faults.reduce((b, f) => b + f.gap + perFault, 0), 0) >= maxOps) break;
    const spec = segments.map((s) => s.faults.map((f) => `${f.gap}:${f.component}:${f.type}`).join(',')).join(';');
    const lines: string[] = [];
    let partial = '', segment = 0, typeLine: ((bytes: Uint8Array) => void) | undefined;
    let lastOutput = performance.now(), segmentAt = lastOutput;
    const onLine = (line: string): void => {
      lines.push(line);
      const [tag, a] = line.trim().split(' ');
      if (segment >= segments.length) return;
      if (tag === 'A') acked.set(Number(a), segments[segment]!.job);
      else if (tag === 'DONE') {
        const s = segments[segment]!;
        checkDurable(s.job);
        tallies[s.job]!.ms += performance.now() - segmentAt;
        segmentAt = performance.now();
        segment++;
        // Checked: the next cell may start.
        if (segment < segments.length) typeLine?.(new Uint8Array([10]));
      }
    };
    first.boots++;
    const abort = new AbortController();
    const machine = runMachine({
      // NOTE: with both, the machine uses `backing` and mounts it as an ext2 root.
      // NOTE: the CLI refuses a transport this build does not have (unsupportedTransport).
      preset: p.name, placement: placementFor(p, o.place), ipc: (o.ipc ?? p.ipc) as typeof p.ipc, backing: disk, watchdogMs: WATCHDOG_MS, params,
      ...(segments.length > 1 ? { input: (type: (bytes: Uint8Array) => void) => { typeLine = type; } } : { stdin: 'none' as const }),
      ...(image !== undefined ? { disk: image } : {}),
      init: ['/bin/kbench', 'faults', String(o.seed >>> 0), String(op), spec, ...dataArgs],
      stdout: (b) => {
        lastOutput = performance.now();
        partial += Buffer.from(b).toString('utf8');
        for (let n = partial.indexOf('\n'); n >= 0; n = partial.indexOf('\n')) { onLine(partial.slice(0, n)); partial = partial.slice(n + 1); }
      },
      stderr: () => {}, signal: abort.signal,
    });
    // A request that never completes (no panic, no heartbeat stall) would wait forever:
    // a machine whose workload prints nothing for stuckMs is aborted (every thread it
    // owns ends before the next boot). NOTE: silence, not total time: at load 20 on two
    // cores a healthy batch of 250 took 13 minutes.
    const timer = setInterval(() => { if (performance.now() - lastOutput > stuckMs) abort.abort(new Error(`the workload said nothing for ${stuckMs} ms`)); }, Math.min(1000, stuckMs / 4));
    const exit = await machine;
    clearInterval(timer);
    if (partial.length > 0) onLine(partial);
    // NOTE: the status, not the signal: a machine that halted while being aborted halted.
    const status = exit === EXIT_ABORTED ? 'stuck' : exit;
    // The cells that ended (DONE) in this boot; theirs is what they saw.
    const ended = Math.min(segment, segments.length);
    let from = 0;
    const tallyLines = (t: ReturnType<typeof readFaultBoot>, tally: JobTally): void => {
      tally.failed += t.failed; tally.corruption += t.corruption; tally.volatile += t.volatile; tally.completed += t.completed;
      tally.recoveries.push(...t.recoveries);
      // Damage counts where the workload ran the cell to its last pass (a panic ends the boot, not the damage question).
      if (t.damaged && t.done) { tally.damagedBoots++; if (t.damageLeft === 0) tally.repairedBoots++; }
      const segmentOp = op;
      op = Math.max(op, t.lastOp + 1);
      tally.ops += op - segmentOp;
    };
    for (let s = 0; s < ended; s++) {
      const to = lines.findIndex((l, i) => i >= from && l.trim() === 'DONE') + 1;
      const seg = segments[s]!, tally = tallies[seg.job]!;
      tallyLines(readFaultBoot(lines.slice(from, to), op), tally);
      from = to;
      tally.survived += seg.faults.length;
      tally.next += seg.faults.length;
      ji = seg.job;
      bootRetries = 0;
    }
    if (ended === segments.length) { if (status !== 0) disk.powerCut(); continue; }
    // The cell in flight when the machine went down (a panic, or a stuck boot aborted).
    const seg = segments[ended]!, tally = tallies[seg.job]!;
    ji = seg.job;
    const t = readFaultBoot(lines.slice(from), op);
    tallyLines(t, tally);
    tally.ms += performance.now() - segmentAt;
    // An aborted machine is gone like a panicked one: what was not flushed is lost.
    disk.powerCut();
    // A machine that went down before a fault of this cell was armed did not meet one:
    // its boot failed (on a loaded host the kernel can miss its watchdog while starting,
    // or between two cells). Boot again, a few times in a row, rather than blame a fault.
    if (t.armedInBoot < 0 && status !== 'stuck' && bootRetries < BOOT_RETRIES) {
      bootRetries++;
      tally.failedBoots++;
      continue;
    }
    bootRetries = 0;
    if (status === 'stuck') tally.stuck++; else tally.panics++;
    // The fault armed last is the one that brought the machine down (or, if none was
    // armed yet, the boots keep failing: give up on this job rather than loop).
    if (t.armedInBoot < 0) { tally.gaveUp = true; continue; }
    tally.survived += t.armedInBoot; // the ones before it were survived
    tally.next += t.armedInBoot + 1;
  }
  // Durability: everything seen fsync'd and verified must still be there.
  if (!onDisk) checkDurable(Math.min(ji, jobs.length - 1));
  else {
    // A fresh boot, no faults, from what reached the disk: read every file back.
    disk.powerCut();
    const out: Buffer[] = [];
    const vp = loadPreset('monolithic');
    // A disk that cannot be read back within the limit has lost what it held.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('the verifying boot took over 120 s')), 120000);
    const started = performance.now();
    await runMachine({
      preset: vp.name, placement: placementFor(vp), ipc: vp.ipc, stdin: 'none', backing: disk, disk: image, watchdogMs: WATCHDOG_MS,
      init: ['/bin/kbench', 'verify', String(o.seed >>> 0), ...(chainfs ? ['/disk/kb-data'] : [])], stdout: (b) => out.push(Buffer.from(b)), stderr: () => {}, signal: abort.signal,
    });
    clearTimeout(timer);
    tallies[0]!.ms += performance.now() - started;
    // The image's own driver checks what the campaign left on the durable disk.
    if (chainfs) fsck = fsckOf(disk.durable.slice(0, imageBytes!.length));
    const good = new Set<number>();
    for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
      const [tag, a] = line.trim().split(' ');
      if (tag === 'P') good.add(Number(a));
    }
    for (const i of acked.keys()) if (!good.has(i)) tallies[0]!.lost++;
    fs.rmSync(path.dirname(image!), { recursive: true, force: true });
  }
  return jobs.map((job, i) => {
    const t = tallies[i]!;
    return {
      ...job, injected: Math.min(t.next, schedules[i]!.length), survived: t.survived, completed: t.completed, recoveries: t.recoveries,
      failed_requests: t.failed, data_lost: t.lost, corruption_caught: t.corruption, volatile_lost: t.volatile, boots: t.boots, panics: t.panics, stuck: t.stuck,
      failed_boots: t.failedBoots, ops: t.ops, damaged_boots: t.damagedBoots, repaired_boots: t.repairedBoots, connections_open: 0, connections_lost: 0,
      ...(fsck !== undefined ? { fsck } : {}), seconds: round(t.ms / 1000, 2),
    };
  });
}

/**
 * A network cell (nic, net) on fresh machines, one boot per batch: the workload holds
 * connections to echo servers on the host, so these cells never share a boot.
 */
async function runNetFaultJob(o: CampaignSpec, job: FaultJob): Promise<FaultJobResult> {
  const started = performance.now();
  const { preset, component, type } = job;
  const schedule = faultSchedule(o.seed, preset, component, type, job.to).slice(job.from);
  if (o.testStallAt !== undefined && o.testStallAt >= job.from && o.testStallAt < job.to) schedule[o.testStallAt - job.from] = { ...schedule[o.testStallAt - job.from]!, component: 'kbench', type: 'stall' };
  const stuckMs = o.stuckMs ?? STUCK_MS;
  const params = campaignParams(o.hangMs ?? CAMPAIGN_HANG_MS, o.hangCpuMs ?? CAMPAIGN_HANG_CPU_MS, o.spinUs ?? CAMPAIGN_SPIN_US);
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

// `kernelkit faults` (a fault campaign: on this machine, one slice of it with --shard,
// slices merged with --merge, or over many machines with --queue) and `kernelkit
// worker` (serves a campaign's queue). The campaign itself is src/lab/faults.ts, the
// queue src/lab/campaign-queue.ts; docs/lab.md says how to run one over many machines.

import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { UsageError, type StatusSink } from '../usage.js';
import { parseList, parseTransports, parsePositiveInt } from './bench.js';
import { parseSeed, faultTable } from './lab.js';
import {
  runFaultCampaign, planJobs, shardJobs, jobKey, mergeJobs, storageOf, fsckLines, FAULT_COMPONENTS, FAULT_TYPES, CAMPAIGN_HANG_MS, CAMPAIGN_HANG_CPU_MS, CAMPAIGN_SPIN_US, JOB_FAULTS,
  type CampaignSpec, type FaultCell, type FaultJobResult,
} from '../../lab/faults.js';
import { parseQueueUrl, runQueuedCampaign, startWorker, RedisUnreachable } from '../../lab/campaign-queue.js';
import { machineInfo, type MachineInfo } from '../../lab/machine-info.js';
import { presetNames, unsupportedTransport } from '../../lab/boot.js';
import { parsePlacement } from '../../presets/names.js';
import { round } from '../../lab/stats.js';

/** What `faults --json` prints; a slice (--shard) adds `shard` and its `jobs`, which --merge reads. */
interface CampaignJson {
  machine: MachineInfo;
  seed: number;
  campaign: CampaignSpec;
  /** Machines run at once (per host; with --queue, per worker and the number of workers). */
  parallel: number | string;
  seconds: number;
  faults_per_s: number;
  cells: FaultCell[];
  storage: string;
  /** diskfs cells: the image's own fsck after each job. */
  fsck?: string[];
  shard?: string;
  jobs?: FaultJobResult[];
  failed_jobs?: { id: string; reason: string; attempts: number }[];
  /** With --collect: jobs still waiting or running, left out of the table. */
  unfinished_jobs?: number;
}

function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]), count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new UsageError(`--shard needs I/N with 1 <= I <= N, not '${value}'`);
  return { index, count };
}

// A campaign's JSON, read back for --merge: what it must hold, checked before use.
function readSlice(file: string): CampaignJson {
  let j: CampaignJson;
  try { j = JSON.parse(fs.readFileSync(file, 'utf8')) as CampaignJson; } catch (e) { throw new UsageError(`--merge ${file}: ${(e as Error).message}`); }
  if (typeof j !== 'object' || j === null || typeof j.campaign !== 'object' || !Array.isArray(j.jobs)) {
    throw new UsageError(`--merge ${file}: not the JSON of 'kernelkit faults --shard I/N --json' (no campaign or jobs)`);
  }
  return j;
}

const sameSpec = (a: CampaignSpec, b: CampaignSpec): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Slices of one campaign into the JSON a single run prints: every job exactly once, in plan order. */
function mergeSlices(files: string[]): CampaignJson {
  const slices = files.map(readSlice);
  const spec = slices[0]!.campaign;
  for (const [i, s] of slices.entries()) {
    if (!sameSpec(s.campaign, spec)) throw new UsageError(`--merge: ${files[i]} is another campaign (${JSON.stringify(s.campaign)}, not ${JSON.stringify(spec)})`);
  }
  const byKey = new Map<string, FaultJobResult>();
  for (const [i, s] of slices.entries()) {
    for (const r of s.jobs!) {
      const k = jobKey(spec, r);
      if (byKey.has(k)) throw new UsageError(`--merge: job ${k} is in two slices (${files[i]} and another): merge each slice once`);
      byKey.set(k, r);
    }
  }
  const plan = planJobs(spec);
  const missing = plan.filter((j) => !byKey.has(jobKey(spec, j)));
  if (missing.length > 0) throw new UsageError(`--merge: ${missing.length} of ${plan.length} jobs are in no slice (first: ${jobKey(spec, missing[0]!)}); a shard is missing`);
  if (byKey.size !== plan.length) throw new UsageError(`--merge: the slices hold jobs this campaign does not plan`);
  const results = plan.map((j) => byKey.get(jobKey(spec, j))!);
  const seconds = Math.max(...slices.map((s) => s.seconds));
  const cells = mergeJobs(results);
  return {
    machine: slices[0]!.machine, seed: spec.seed, campaign: spec, parallel: slices.map((s) => s.parallel).join('+'), seconds,
    faults_per_s: faultRate(cells, seconds), cells, storage: storageOf(spec), ...fsckOf(results),
  };
}

const fsckOf = (results: FaultJobResult[]): { fsck?: string[] } => { const lines = fsckLines(results); return lines.length > 0 ? { fsck: lines } : {}; };

const faultRate = (cells: FaultCell[], seconds: number): number => (seconds > 0 ? round(cells.reduce((a, c) => a + c.injected, 0) / seconds, 2) : 0);

function print(j: CampaignJson, json: boolean): void {
  if (json) { process.stdout.write(JSON.stringify(j) + '\n'); return; }
  const m = j.machine;
  process.stdout.write(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, load ${m.loadavg_1m} at start; seed ${j.seed}; ${j.parallel} at once; ${j.seconds} s, ${j.faults_per_s} faults/s${j.shard !== undefined ? `; slice ${j.shard}` : ''}${j.campaign.place !== undefined ? `; placement ${j.campaign.place}` : ''}${j.campaign.spinUs !== undefined && j.campaign.spinUs !== CAMPAIGN_SPIN_US ? `; machines spin ${j.campaign.spinUs} µs` : ''}\n${j.storage}\n\n`);
  process.stdout.write(faultTable(j.cells));
  for (const line of j.fsck ?? []) process.stdout.write(`fsck after ${line}\n`);
  for (const f of j.failed_jobs ?? []) process.stdout.write(`job failed ${f.attempts} time(s): ${f.id}: ${f.reason}\n`);
}

/** Progress on stderr: a bar on a terminal, a line per change otherwise; `quiet`, nothing. */
function bar(quiet: boolean): { update: (done: number, total: number, what: string) => void; stop: () => void } {
  const json = quiet;
  if (quiet || process.stderr.isTTY !== true) {
    let last = '';
    return {
      update: (done, total, what) => { const line = `faults: ${done}/${total} jobs ${what}`; if (!json && line !== last) process.stderr.write(`${line}\n`); last = line; },
      stop: () => {},
    };
  }
  const b = new cliProgress.SingleBar({ format: 'faults [{bar}] {value}/{total} jobs {what} {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update: (done, total, what) => { if (!started) { b.start(total, done, { what }); started = true; } else b.update(done, { what }); },
    stop: () => { if (started) b.stop(); },
  };
}

export function register(program: Command, status: StatusSink): void {
  program.command('faults')
    .description('fault campaign: a checksumming workload while N faults are injected at seeded random moments')
    .option('--presets <list>', 'presets, comma-separated (default: all)')
    .option('--components <list>', `components: ${FAULT_COMPONENTS.join(',')} (default: blk,vfs)`)
    .option('--types <list>', `fault types: ${FAULT_TYPES.join(',')} (default: all)`)
    .option('-n, --count <n>', 'faults per preset x component x type', '10')
    .option('--seed <n>', 'seed of the fault schedule', '1')
    .option('--ipc <transport>', 'transport for presets with user-domain components (default: the preset\'s)')
    .option('--disk', 'keep the durable data in files on an ext2 root disk (default: raw blocks on /dev/blk0 under a ramfs root)', false)
    .option('--place <list>', 'placement overrides for every machine, e.g. blk=sandbox')
    .option('--hang-ms <ms>', `heartbeat silence after which a user-domain server counts as hung, in the campaign's machines (the kernel's default is 1000)`, String(CAMPAIGN_HANG_MS))
    .option('--hang-cpu-ms <ms>', 'CPU time a user-domain server may burn without a heartbeat before it counts as hung, in the campaign\'s machines (0: off; a descheduled server burns none)', String(CAMPAIGN_HANG_CPU_MS))
    .option('--spin-us <us>', 'how long the campaign\'s kernels, servers and processes poll for work or an answer before they sleep (µs; the kernel\'s default is 50; 0: sleep at once, which leaves the cores to the other machines)', String(CAMPAIGN_SPIN_US))
    .option('--boot-per-cell', 'boot every job afresh (the old way); by default cells whose faults leave nothing behind share boots, with a settle pass and a durability check between them', false)
    .option('--job-faults <n>', 'faults per job: the unit of parallelism, --shard and --queue', String(JOB_FAULTS))
    .option('--parallel <n>', 'machines run at once on this host (default: the cores)')
    .option('--shard <I/N>', 'run slice I of N (1-based) of the campaign\'s jobs; its --json is what --merge reads')
    .option('--merge <files...>', 'merge the --json of every slice of one campaign into the result of a single run')
    .option('--queue <url>', 'redis://HOST:PORT/NAME: enqueue the jobs for `kernelkit worker`s, follow them, merge the results')
    .option('--collect', 'with --queue: merge what the queue holds now, without enqueueing or waiting', false)
    .option('--json', 'print one JSON object', false)
    .action(async (opts: {
      presets?: string; components?: string; types?: string; count: string; seed: string; ipc?: string; place?: string; disk: boolean; hangMs: string; hangCpuMs: string; spinUs: string; bootPerCell: boolean; jobFaults: string;
      parallel?: string; shard?: string; merge?: string[]; queue?: string; collect: boolean; json: boolean;
    }) => {
      if (opts.merge !== undefined) {
        if (opts.shard !== undefined || opts.queue !== undefined) throw new UsageError('--merge takes the slices\' JSON files only (no --shard or --queue)');
        print(mergeSlices(opts.merge), opts.json);
        status.set(0);
        return;
      }
      const presets = opts.presets === undefined ? presetNames() : parseList(opts.presets, presetNames(), 'preset');
      const components = opts.components === undefined ? ['blk', 'vfs'] : parseList(opts.components, FAULT_COMPONENTS, 'component');
      const types = opts.types === undefined ? [...FAULT_TYPES] : parseList(opts.types, FAULT_TYPES, 'type');
      const n = parsePositiveInt(opts.count, '-n');
      const seed = parseSeed(opts.seed);
      const hangMs = parsePositiveInt(opts.hangMs, '--hang-ms');
      const hangCpuMs = opts.hangCpuMs === '0' ? 0 : parsePositiveInt(opts.hangCpuMs, '--hang-cpu-ms');
      const spinUs = opts.spinUs === '0' ? 0 : parsePositiveInt(opts.spinUs, '--spin-us');
      const jobFaults = parsePositiveInt(opts.jobFaults, '--job-faults');
      const parallel = opts.parallel === undefined ? os.availableParallelism() : parsePositiveInt(opts.parallel, '--parallel');
      const ipc = opts.ipc === undefined ? undefined : parseTransports(opts.ipc);
      if (ipc !== undefined && ipc.length !== 1) throw new UsageError('--ipc takes one transport here');
      const refused = ipc === undefined ? undefined : unsupportedTransport(ipc[0]!);
      if (refused !== undefined) throw new UsageError(`--ipc ${ipc![0]}: ${refused.replace(/^not measured: /, '')}`);
      if (opts.collect && opts.queue === undefined) throw new UsageError('--collect needs --queue');
      if (opts.queue !== undefined && opts.shard !== undefined) throw new UsageError('--shard and --queue do not go together: the queue hands out the jobs');
      if (opts.place !== undefined) { try { parsePlacement(opts.place); } catch (e) { throw new UsageError((e as Error).message); } }
      const spec: CampaignSpec = { presets, components, types, n, seed, ...(ipc !== undefined ? { ipc: ipc[0]! } : {}), ...(opts.place !== undefined ? { place: opts.place } : {}), disk: opts.disk, hangMs, hangCpuMs, spinUs, ...(opts.bootPerCell ? { shareBoots: false } : {}), jobFaults };
      const machine = machineInfo();
      // A queued campaign runs for hours: its progress shows on stderr even with --json.
      const progress = bar(opts.json && opts.queue === undefined);
      if (opts.queue !== undefined) {
        let address;
        try { address = parseQueueUrl(opts.queue); } catch (e) { throw new UsageError((e as Error).message); }
        let outcome;
        try {
          outcome = await runQueuedCampaign(address, spec, {
            collectOnly: opts.collect,
            onProgress: (done, total, active, failed) => progress.update(done, total, `(${active} running${failed > 0 ? `, ${failed} failed` : ''})`),
          });
        } catch (e) {
          if (!(e instanceof RedisUnreachable)) throw e;
          process.stderr.write(`kernelkit: --queue ${opts.queue}: ${e.message}\n`);
          status.set(1);
          return;
        } finally { progress.stop(); }
        // The workers' time (first job started to last job done), not this command's: --collect takes a second.
        const seconds = outcome.seconds;
        const cells = mergeJobs(outcome.results);
        print({
          machine, seed, campaign: spec, parallel: 'queue workers', seconds, faults_per_s: faultRate(cells, seconds), cells, storage: storageOf(spec), ...fsckOf(outcome.results),
          ...(outcome.failed.length > 0 ? { failed_jobs: outcome.failed } : {}),
          ...(outcome.unfinished > 0 ? { unfinished_jobs: outcome.unfinished } : {}),
        }, opts.json);
        if (outcome.unfinished > 0) process.stderr.write(`kernelkit: ${outcome.unfinished} of ${planJobs(spec).length} jobs are not finished yet: the table holds the others\n`);
        if (outcome.failed.length > 0) process.stderr.write(`kernelkit: ${outcome.failed.length} job(s) did not complete (listed in the output): the table leaves them out\n`);
        status.set(outcome.failed.length > 0 ? 1 : 0);
        return;
      }
      const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
      const jobs = shard === undefined ? undefined : shardJobs(planJobs(spec), shard.index, shard.count);
      let r;
      try {
        r = await runFaultCampaign({ ...spec, parallel, onProgress: (what, done, total) => progress.update(done ?? 0, total ?? 0, what.replace(/^faults: /, '')) }, jobs);
      } finally { progress.stop(); }
      print({
        machine, seed, campaign: spec, parallel: r.parallel, seconds: r.seconds, faults_per_s: faultRate(r.cells, r.seconds), cells: r.cells, storage: r.storage, ...fsckOf(r.jobs),
        ...(shard !== undefined ? { shard: `${shard.index}/${shard.count}`, jobs: r.jobs } : {}),
      }, opts.json);
      status.set(0);
    });

  program.command('worker')
    .description('serve a fault campaign\'s queue (kernelkit faults --queue): take jobs, run them, store the results; until killed')
    .requiredOption('--queue <url>', 'redis://HOST:PORT/NAME, as given to kernelkit faults --queue')
    .option('--concurrency <n>', 'jobs run at once by this worker', '1')
    .option('--lock-ms <ms>', 'a job whose worker stops answering this long runs again elsewhere', '30000')
    .action(async (opts: { queue: string; concurrency: string; lockMs: string }) => {
      let address;
      try { address = parseQueueUrl(opts.queue); } catch (e) { throw new UsageError((e as Error).message); }
      const concurrency = parsePositiveInt(opts.concurrency, '--concurrency');
      const lockMs = parsePositiveInt(opts.lockMs, '--lock-ms');
      const say = (line: string): void => { process.stdout.write(`worker ${process.pid}: ${line}\n`); };
      let w;
      try { w = await startWorker(address, { concurrency, lockMs, onEvent: say }); } catch (e) {
        if (!(e instanceof RedisUnreachable)) throw e;
        process.stderr.write(`kernelkit: --queue ${opts.queue}: ${e.message}\n`);
        status.set(1);
        return;
      }
      say(`serving ${address.name} at ${address.host}:${address.port}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => { say('stopping: finishing the jobs in hand'); void w.close().then(resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      status.set(0);
    });
}

// Fault campaigns and lab sweeps over many machines, on BullMQ and Redis (a well-kept job engine; no
// home-made scheduler). The enqueuer puts the campaign's jobs (faults.ts planJobs) in a
// queue, one BullMQ job each with an id derived from the seed and the job (jobKey), so
// enqueueing the same campaign again adds nothing and picks up what is already done;
// then it follows the jobs' states and, when every one has finished, reads their
// results and merges them (mergeJobs) into the table a single machine prints.
//
// Workers (`kernelkit worker`) take one job at a time and return its result, which
// BullMQ keeps in Redis. A worker that dies mid-job stops renewing the job's lock;
// another worker's stalled-job check puts the job back in the queue and it runs again
// elsewhere. A job that throws is retried (ATTEMPTS) and then left in the failed set,
// which the enqueuer reports instead of dropping it.
//
// A lab sweep (`kernelkit lab --queue`) puts its timing boots in the same kind of
// queue, one job per round and cell (lab.ts runLabBoot runs one), and its fault
// campaign as the campaign's jobs; a worker serves both kinds.

import { Queue, Worker, Job } from 'bullmq';
import { Redis } from 'ioredis';
import { planJobs, jobKey, runFaultJob, type CampaignSpec, type FaultJob, type FaultJobResult } from './faults.js';
import { runLabBoot, type LabBoot, type LabBootResult } from './lab.js';

export interface QueueAddress { host: string; port: number; name: string }

/** redis://HOST:PORT/NAME: where Redis listens, and the queue's name. */
export function parseQueueUrl(url: string): QueueAddress {
  let u: URL;
  try { u = new URL(url); } catch { throw new Error(`--queue needs redis://HOST:PORT/NAME, not '${url}'`); }
  if (u.protocol !== 'redis:') throw new Error(`--queue needs redis://HOST:PORT/NAME, not '${url}' (the scheme must be redis:)`);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new Error(`--queue ${url}: the queue name must be 1 to 100 of A-Z a-z 0-9 _ . - (BullMQ refuses ':')`);
  const port = u.port === '' ? 6379 : Number(u.port);
  if (u.hostname === '') throw new Error(`--queue ${url}: no host`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, name };
}

const connection = (a: QueueAddress): { host: string; port: number; maxRetriesPerRequest: null } => ({ host: a.host, port: a.port, maxRetriesPerRequest: null });

/** Refused or unanswered Redis: thrown as a RedisUnreachable, asked once, at most 10 s. */
export class RedisUnreachable extends Error {}

/** Asks Redis once (at most 10 s) whether it answers; throws RedisUnreachable if not. */
export async function reach(a: QueueAddress): Promise<void> {
  const r = new Redis({ host: a.host, port: a.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 10000 });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new RedisUnreachable(`cannot reach Redis at ${a.host}:${a.port} (${(e as Error).message})`);
  } finally { r.disconnect(); }
}

/** Tries of a job before it is left in the failed set (a worker's death does not count: that is a stall). */
export const ATTEMPTS = 3;
/** Stalls of one job (its worker died) before BullMQ fails it. */
const MAX_STALLS = 3;

type JobData = { kind: 'faults'; spec: CampaignSpec; job: FaultJob } | { kind: 'lab-boot'; boot: LabBoot };
type JobResult = FaultJobResult | LabBootResult;

export interface FailedJob { id: string; reason: string; attempts: number }
export interface QueueOutcome {
  results: FaultJobResult[];
  failed: FailedJob[];
  /** Jobs still waiting or running (only with collectOnly: otherwise the enqueuer waits for them). */
  unfinished: number;
  /** From the first completed job's start to the last one's end, as the workers reported them (s). */
  seconds: number;
}

export interface EnqueueOptions {
  /** Told the counts after every look at the queue. */
  onProgress?: (done: number, total: number, active: number, failed: number) => void;
  /** How often the queue is looked at (ms). */
  pollMs?: number;
  /** Only read what is there; enqueue nothing, wait for nothing. */
  collectOnly?: boolean;
}

interface Finished<R> { results: Map<string, R>; failed: FailedJob[]; unfinished: number; seconds: number }

/** Enqueues `jobs` under their ids (idempotently), waits until every one has finished (unless collectOnly), and reads their results. */
async function runJobs<R extends JobResult>(a: QueueAddress, jobs: { id: string; data: JobData }[], o: EnqueueOptions): Promise<Finished<R>> {
  await reach(a);
  const queue = new Queue<JobData, R>(a.name, { connection: connection(a) });
  try {
    const ids = jobs.map((j) => j.id);
    if (o.collectOnly !== true) {
      // NOTE: BullMQ ignores an add whose id exists, so a second enqueue duplicates nothing.
      await queue.addBulk(jobs.map((j) => ({
        name: j.data.kind, data: j.data,
        opts: { jobId: j.id, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
      })));
      // Enqueueing again gives jobs that failed before another round of tries.
      for (const id of ids) if (await queue.getJobState(id) === 'failed') await (await Job.fromId(queue, id))?.retry('failed');
    }
    for (;;) {
      const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
      const done = states.filter((s) => s === 'completed').length;
      const failed = states.filter((s) => s === 'failed').length;
      o.onProgress?.(done, ids.length, states.filter((s) => s === 'active').length, failed);
      if (o.collectOnly === true || done + failed === ids.length) break;
      await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 1000));
    }
    const results = new Map<string, R>();
    const failures: FailedJob[] = [];
    let unfinished = 0, first = Infinity, last = -Infinity;
    for (const id of ids) {
      const job = await Job.fromId<JobData, R>(queue, id);
      const state = job === undefined ? 'unknown' : await job.getState();
      if (job === undefined) failures.push({ id, reason: 'not in the queue (enqueue it first)', attempts: 0 });
      else if (state === 'completed' && job.returnvalue != null) {
        results.set(id, job.returnvalue);
        first = Math.min(first, job.processedOn ?? Infinity);
        last = Math.max(last, job.finishedOn ?? -Infinity);
      }
      else if (state === 'failed') failures.push({ id, reason: job.failedReason ?? 'failed', attempts: job.attemptsMade });
      else unfinished++;
    }
    return { results, failed: failures, unfinished, seconds: last > first ? Math.round((last - first) / 100) / 10 : 0 };
  } finally {
    await queue.close();
  }
}

/** Enqueues the campaign (idempotently), waits until every job has finished, and returns the results in plan order. */
export async function runQueuedCampaign(a: QueueAddress, spec: CampaignSpec, o: EnqueueOptions = {}): Promise<QueueOutcome> {
  const jobs = planJobs(spec).map((job) => ({ id: jobKey(spec, job), data: { kind: 'faults' as const, spec, job } }));
  // Queued in rounds over the cells (every cell's first job, then every cell's second,
  // ...): workers take jobs in that order, so a campaign stopped early holds a share
  // of every cell. NOTE: a stable sort keeps the cells' order within a round.
  const rounds = [...jobs].sort((x, y) => x.data.job.from - y.data.job.from);
  const r = await runJobs<FaultJobResult>(a, rounds, o);
  return { results: jobs.flatMap((j) => { const x = r.results.get(j.id); return x === undefined ? [] : [x]; }), failed: r.failed, unfinished: r.unfinished, seconds: r.seconds };
}

/**
 * The lab's timing boots over the queue, each a job whose id names the seed, the
 * options that decide it and its place in the rounds (so enqueueing the same sweep
 * again adds nothing); results in the order of `boots`. A boot whose job failed every
 * try comes back as a failure naming the reason, so its cell says "not measured".
 */
export async function runQueuedLabBoots(a: QueueAddress, seed: number, boots: LabBoot[], o: EnqueueOptions = {}): Promise<LabBootResult[]> {
  const jobs = boots.map((boot) => ({ id: labBootKey(seed, boot), data: { kind: 'lab-boot' as const, boot } }));
  const r = await runJobs<LabBootResult>(a, jobs, o);
  return jobs.map((j) => r.results.get(j.id) ?? { lines: [], failure: `not measured: queue job ${j.id}: ${r.failed.find((f) => f.id === j.id)?.reason ?? 'not finished'}` });
}

/** A lab boot's job id: the seed, a hash of what decides its figures, its round and cell. */
export function labBootKey(seed: number, b: LabBoot): string {
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify([b.workloads, b.scale, b.keep])) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return ['lab', `s${seed >>> 0}`, h.toString(16), `r${b.round}`, b.preset, b.ipc].join('.');
}

export interface WorkerOptions {
  /** Jobs run at once in this worker (default 1). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal: a dead worker's job runs again elsewhere after about this long (ms). */
  lockMs?: number;
  /** Told when a job starts and ends. */
  onEvent?: (line: string) => void;
}

/** Serves the queue until `close` is called. */
export async function startWorker(a: QueueAddress, o: WorkerOptions = {}): Promise<{ close: () => Promise<void> }> {
  await reach(a);
  const lockMs = o.lockMs ?? 30000;
  const say = o.onEvent ?? (() => {});
  const worker = new Worker<JobData, JobResult>(a.name, async (job) => {
    const d = job.data;
    if (d?.kind === 'lab-boot' && typeof d.boot === 'object') {
      say(`start ${job.id} attempt ${job.attemptsMade + 1}`);
      const r = await runLabBoot(d.boot);
      say(`ran ${job.id} ${r.lines.length} lines${r.failure !== undefined ? ` (${r.failure})` : ''}`);
      return r;
    }
    if (d?.kind !== 'faults' || typeof d.spec !== 'object' || typeof d.job !== 'object') throw new Error(`job ${job.id}: not a fault-campaign or lab job`);
    say(`start ${job.id} attempt ${job.attemptsMade + 1}`);
    const r = await runFaultJob(d.spec, d.job);
    // A job cut short by boots that failed before the workload started fails (BullMQ
    // tries it again, and reports it) rather than completing with fewer faults than planned.
    if (r.failed_boots > 0 && r.injected < d.job.to - d.job.from) throw new Error(`job ${job.id}: ${r.failed_boots} boot(s) failed before the workload started; ${r.injected} of ${d.job.to - d.job.from} faults injected`);
    if (r.stuck > 0) say(`aborted ${r.stuck} machine(s) that stopped answering in ${job.id}`);
    say(`ran ${job.id} ${r.injected} faults ${r.seconds} s`);
    return r;
  }, { connection: connection(a), concurrency: o.concurrency ?? 1, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: MAX_STALLS });
  // NOTE: "done" only once BullMQ has stored the result: a worker that lost its job's
  // lock (its event loop stalled past lockMs, and the job went to another worker) ran
  // it, but its result is refused, and BullMQ reports that as an error.
  worker.on('completed', (job, r) => say('injected' in r ? `done ${job.id} ${r.injected} faults ${r.seconds} s` : `done ${job.id}`));
  worker.on('failed', (job, err) => say(`failed ${job?.id ?? '?'} ${err.message}`));
  worker.on('error', (err) => say(`error ${err.message}`));
  return { close: () => worker.close() };
}

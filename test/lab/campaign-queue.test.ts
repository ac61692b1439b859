// A fault campaign over a queue (BullMQ on a private Redis): three workers as separate
// processes, one killed mid-job; every job still completes exactly once, the merged
// table equals a single run's with the same seed, and enqueueing again adds nothing.
// A worker that met a stuck boot aborts it and serves on, storing correct results.
// Every wait is bounded; everything started here is killed at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { packageRoot } from '../../src/hosts/node/machine.js';
import { planJobs, jobKey, mergeJobs, runFaultCampaign, JOB_FAULTS, CAMPAIGN_HANG_MS } from '../../src/lab/faults.js';
import { runQueuedCampaign } from '../../src/lab/campaign-queue.js';
import { kernelkit, type CliResult } from './cli.js';
import { SMALL, outcomes, seededOutcomes } from './campaign-small.js';

const redisServer = ((): string | undefined => { try { return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined; } catch { return undefined; } })();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

/** A child's stdout as lines, with a bounded wait for a line that matches. */
function follow(child: ChildProcess): { lines: string[]; waitFor: (re: RegExp, ms: number) => Promise<RegExpExecArray> } {
  const lines: string[] = [];
  const waiting: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  let partial = '';
  child.stdout!.on('data', (b: Buffer) => {
    const parts = (partial + b.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiting]) { const m = w.re.exec(line); if (m !== null) { waiting.splice(waiting.indexOf(w), 1); w.resolve(m); } }
    }
  });
  return {
    lines,
    waitFor: (re, ms) => new Promise((resolve, reject) => {
      for (const line of lines) { const m = re.exec(line); if (m !== null) { resolve(m); return; } }
      const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${ms} ms; got:\n${lines.join('\n')}`)), ms);
      waiting.push({ re, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    }),
  };
}

/** Bounded: a command that does not finish in time is killed and fails the test. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms); })]);
  } finally { clearTimeout(timer); }
}

test('faults --queue: three workers, one killed mid-job; every job once, the same table as one machine', { timeout: 600000 }, async () => {
  assert.ok(redisServer !== undefined, 'redis-server is not installed (.ci/run installs it: apt-get install redis-server)');
  const started: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-redis-'));
  try {
    const port = await freePort();
    const redis = spawn(redisServer!, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(redis);
    await follow(redis).waitFor(/Ready to accept connections/, 15000);
    const queue = `redis://127.0.0.1:${port}/campaign-test`;
    const kernelkitJs = path.join(packageRoot, 'bin/kernelkit.js');
    const workers = [0, 1, 2].map(() => {
      // A short lock, so the killed worker's job is handed on within seconds (not too
      // short: a live worker on a loaded host must still renew it in time).
      const w = spawn(process.execPath, [kernelkitJs, 'worker', '--queue', queue, '--lock-ms', '10000'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      started.push(w);
      return { child: w, out: follow(w) };
    });
    await Promise.all(workers.map((w) => w.out.waitFor(/serving campaign-test/, 30000)));

    const enqueuer = kernelkit(['faults', ...SMALL, '--queue', queue, '--json']);
    // The first job anyone starts: kill that worker at once, in the middle of it.
    const first = await Promise.race(workers.map((w, i) => w.out.waitFor(/start (\S+) attempt 1/, 60000).then((m) => ({ i, id: m[1]! }))));
    const victim = workers[first.i]!;
    victim.child.kill('SIGKILL');
    await new Promise((resolve) => victim.child.once('exit', resolve));
    assert.ok(!victim.out.lines.some((l) => l.includes(`done ${first.id}`)), 'killed before the job was done');

    const queued: CliResult = await within(300000, 'the queued campaign', enqueuer);
    assert.equal(queued.status, 0, queued.stderr);
    const q = JSON.parse(queued.stdout) as { cells: Record<string, unknown>[]; failed_jobs?: unknown[] };
    assert.equal(q.failed_jobs, undefined);

    // Every planned job was completed exactly once (a "done" line is printed when BullMQ
    // has stored the result), by the workers that lived.
    const spec = { presets: ['microkernel'], components: ['blk'], types: ['crash', 'bad-reply', 'leak'], n: 4, seed: 3, disk: false, hangMs: CAMPAIGN_HANG_MS, jobFaults: 2 };
    assert.notEqual(spec.jobFaults, JOB_FAULTS);
    const ids = planJobs(spec).map((j) => jobKey(spec, j));
    const done = workers.flatMap((w) => w.out.lines.map((l) => / done (\S+) /.exec(l)?.[1]).filter((x): x is string => x !== undefined));
    assert.deepEqual([...done].sort(), [...ids].sort(), 'each job done once');
    const rerun = workers.filter((w) => w !== victim).flatMap((w) => w.out.lines).filter((l) => l.includes(`start ${first.id} `));
    assert.equal(rerun.length, 1, 'the killed job ran again on another worker');

    // Enqueueing again adds nothing and gives the same table.
    const startsBefore = workers.reduce((a, w) => a + w.out.lines.filter((l) => l.includes(' start ')).length, 0);
    const again = await within(60000, 'the second enqueue', kernelkit(['faults', ...SMALL, '--queue', queue, '--json']));
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(outcomes((JSON.parse(again.stdout) as { cells: Record<string, unknown>[] }).cells), outcomes(q.cells));
    assert.equal(workers.reduce((a, w) => a + w.out.lines.filter((l) => l.includes(' start ')).length, 0), startsBefore, 'no job ran twice');

    // A job that fails every time is reported, not dropped: one of a two-job campaign's
    // ids is taken beforehand by a job naming a preset that does not exist.
    const poisonArgs = ['--presets', 'microkernel', '--components', 'blk', '--types', 'crash', '-n', '2', '--job-faults', '1', '--seed', '3'];
    const poisonSpec = { ...spec, types: ['crash'], n: 2, jobFaults: 1 };
    const [bad, good] = planJobs(poisonSpec);
    const address = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
    const poisonQueue = new Queue('campaign-poison', { connection: address });
    await poisonQueue.add('faults', { kind: 'faults', spec: poisonSpec, job: { ...bad!, preset: 'no-such-preset' } }, { jobId: jobKey(poisonSpec, bad!), attempts: 3, backoff: { type: 'fixed', delay: 200 } });
    await poisonQueue.close();
    const poisonUrl = `redis://127.0.0.1:${port}/campaign-poison`;
    const rest = workers.filter((w) => w !== victim);
    for (const w of rest) w.child.kill('SIGTERM');
    await Promise.all(rest.map((w) => new Promise((resolve) => { if (w.child.exitCode !== null) resolve(null); else w.child.once('exit', resolve); })));
    const poisonWorker = spawn(process.execPath, [kernelkitJs, 'worker', '--queue', poisonUrl, '--lock-ms', '10000'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(poisonWorker);
    const poisoned = await within(120000, 'the poisoned campaign', kernelkit(['faults', ...poisonArgs, '--queue', poisonUrl, '--json']));
    assert.equal(poisoned.status, 1, 'a campaign with a failed job does not exit 0');
    const pj = JSON.parse(poisoned.stdout) as { cells: { injected: number }[]; failed_jobs: { id: string; reason: string; attempts: number }[] };
    // Its three attempts, and one more for each time a loaded host let its lock lapse
    // (BullMQ then counts the stalled attempt too).
    assert.deepEqual(pj.failed_jobs.map((f) => f.id), [jobKey(poisonSpec, bad!)]);
    assert.ok(pj.failed_jobs[0]!.attempts >= 3 && pj.failed_jobs[0]!.attempts <= 6, `tried 3 times before it was reported (${pj.failed_jobs[0]!.attempts})`);
    assert.match(pj.failed_jobs[0]!.reason, /no-such-preset/);
    assert.deepEqual(pj.cells.map((c) => c.injected), [good!.to - good!.from], 'the good job is in the table, the failed one is not');
    assert.match(poisoned.stderr, /1 job\(s\) did not complete/);

    // The reference: the same campaign on this machine alone.
    const single = await within(300000, 'the single-machine run', kernelkit(['faults', ...SMALL, '--json']));
    assert.equal(single.status, 0, single.stderr);
    assert.deepEqual(outcomes(q.cells), outcomes((JSON.parse(single.stdout) as { cells: Record<string, unknown>[] }).cells));
  } finally {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('worker: a job with a stuck boot is aborted, and the same worker then stores correct results', { timeout: 600000 }, async () => {
  assert.ok(redisServer !== undefined, 'redis-server is not installed (.ci/run installs it: apt-get install redis-server)');
  const started: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-redis-'));
  try {
    const port = await freePort();
    const redis = spawn(redisServer!, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(redis);
    await follow(redis).waitFor(/Ready to accept connections/, 15000);
    const address = { host: '127.0.0.1', port, name: 'campaign-stuck' };
    const w = spawn(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'worker', '--queue', `redis://127.0.0.1:${port}/campaign-stuck`], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(w);
    const out = follow(w);
    await out.waitFor(/serving campaign-stuck/, 30000);
    // Every cell's workload stalls at its fault 1 (an option for tests): that boot is
    // declared stuck after 20 s of silence (a boot says its first line after 1–3 s here, more on a loaded host) and aborted, and the job goes on.
    const base = { presets: ['microkernel'], components: ['blk'], types: ['crash', 'leak'], n: 3, seed: 4, hangMs: CAMPAIGN_HANG_MS, jobFaults: 3 };
    const stuck = await within(300000, 'the campaign with stuck boots', runQueuedCampaign(address, { ...base, stuckMs: 20000, testStallAt: 1 }, { pollMs: 200 }));
    assert.deepEqual(stuck.failed, []);
    assert.deepEqual(stuck.results.map((r) => [r.type, r.injected, r.survived, r.stuck, r.panics, r.data_lost]), [['crash', 3, 2, 1, 0, 0], ['leak', 3, 2, 1, 0, 0]]);
    await out.waitFor(/aborted 1 machine\(s\) that stopped answering/, 1000);
    // The same long-lived worker, afterwards: its results equal a run of the same jobs here.
    const after = await within(300000, 'the campaign after it', runQueuedCampaign(address, base, { pollMs: 200 }));
    assert.deepEqual(after.failed, []);
    const here = await runFaultCampaign(base);
    assert.deepEqual(outcomes(mergeJobs(after.results) as unknown as Record<string, unknown>[]), outcomes(here.cells as unknown as Record<string, unknown>[]));
    for (const c of here.cells) assert.ok(c.injected === 3 && c.stuck === 0, JSON.stringify(c));
  } finally {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('lab --queue: the timing boots and the campaign run on a worker; the same JSON as a lab run here', { timeout: 600000 }, async () => {
  assert.ok(redisServer !== undefined, 'redis-server is not installed (.ci/run installs it: apt-get install redis-server)');
  const started: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-redis-'));
  try {
    const port = await freePort();
    const redis = spawn(redisServer!, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(redis);
    await follow(redis).waitFor(/Ready to accept connections/, 15000);
    const url = `redis://127.0.0.1:${port}/lab-test`;
    const w = spawn(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'worker', '--queue', url], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(w);
    const out = follow(w);
    await out.waitFor(/serving lab-test/, 30000);
    const sweep = ['lab', '--quick', '--presets', 'monolithic,microkernel', '--ipc', 'shm', '--workloads', 'null,ipc', '--runs', '2', '--no-native', '--no-net', '--no-ext', '--seed', '7', '--json'];
    type Lab = { results: Record<string, unknown>[]; faults: Record<string, unknown>[]; claims: { id: string }[]; run: Record<string, unknown> };
    const queued = await within(400000, 'lab --queue', kernelkit([...sweep, '--out', path.join(dir, 'q'), '--queue', url]));
    assert.equal(queued.status, 0, queued.stderr);
    const q = JSON.parse(queued.stdout) as Lab;
    // Every timing boot (2 cells x 2 runs) and every campaign job ran on the worker.
    const labJobs = out.lines.filter((l) => / done lab\.s7\./.test(l));
    assert.equal(labJobs.length, 4, out.lines.join('\n'));
    assert.ok(out.lines.some((l) => / done s7\.monolithic\.blk\.crash\./.test(l)), 'the campaign ran on the worker');
    assert.equal(q.run.queue, `the workers of ${url}`);
    assert.ok(fs.existsSync(path.join(dir, 'q', 'report.html')));
    // The reference: the same sweep here.
    const local = await within(400000, 'lab here', kernelkit([...sweep, '--out', path.join(dir, 'l')]));
    assert.equal(local.status, 0, local.stderr);
    const l = JSON.parse(local.stdout) as Lab;
    assert.deepEqual(Object.keys(q).sort(), Object.keys(l).sort());
    assert.deepEqual(Object.keys(q.run).filter((k) => k !== 'queue').sort(), Object.keys(l.run).sort());
    const shape = (rows: Record<string, unknown>[]): unknown[] => rows.map((r) => [r.preset, r.ipc, r.workload, r.runs, r.samples, Object.keys(r).sort(), r.median_us === null]);
    assert.deepEqual(shape(q.results), shape(l.results));
    for (const r of q.results) if (r.preset !== 'native') assert.ok(typeof r.median_us === 'number' && r.median_us > 0, JSON.stringify(r));
    assert.deepEqual(seededOutcomes(q.faults), seededOutcomes(l.faults));
    assert.deepEqual(q.claims.map((c) => c.id), l.claims.map((c) => c.id));
    // Enqueueing the same sweep again runs no boot: the ids name the seed, options, round and cell.
    const before = out.lines.filter((l) => / start /.test(l)).length;
    const again = await within(400000, 'lab --queue again', kernelkit([...sweep, '--out', path.join(dir, 'q2'), '--queue', url]));
    assert.equal(again.status, 0, again.stderr);
    assert.equal(out.lines.filter((l) => / start /.test(l)).length, before, 'nothing ran twice');
  } finally {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

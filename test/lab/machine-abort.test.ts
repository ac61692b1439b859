// Aborting a machine (MachineOptions.signal) ends every thread it owns and releases its
// disk image; a fault campaign uses it for a boot that stopped answering, so a stuck
// boot leaves nothing running behind it. Threads are counted in /proc/self/task. A
// machine that has ended, by itself or aborted, keeps nothing of its disk alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { runMachine, packageRoot, EXIT_ABORTED, ImageInUseError } from '../../src/hosts/node/machine.js';
import { loadPreset, placementFor } from '../../src/hosts/presets.js';
import { runFaultJob, planJobs, CAMPAIGN_HANG_MS } from '../../src/lab/faults.js';
import { DurableRam } from '../../src/lab/disk.js';

const threads = (): number => fs.readdirSync('/proc/self/task').length;

/** Waits (bounded) until the thread count is at most `want`; returns the last count. */
async function settle(want: number, ms = 10000): Promise<number> {
  const end = Date.now() + ms;
  let n = threads();
  while (n > want && Date.now() < end) { await new Promise((resolve) => setTimeout(resolve, 50)); n = threads(); }
  return n;
}

test('an aborted machine ends every thread it owns and unlocks its disk image', { timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-abort-'));
  try {
    const image = path.join(dir, 'root.img');
    const mk = spawnSync(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'mkfs', image, '--size', '8M'], { encoding: 'utf8' });
    assert.equal(mk.status, 0, mk.stderr);
    const p = loadPreset('microkernel');
    const before = threads();
    const abort = new AbortController();
    let out = '';
    let sawStall!: () => void;
    const stalled = new Promise<void>((resolve) => { sawStall = resolve; });
    // The workload arms nothing: one operation, then it blocks for good in a read.
    const machine = runMachine({
      preset: p.name, placement: placementFor(p), ipc: p.ipc, stdin: 'none', disk: image,
      init: ['/bin/kbench', 'faults', '1', '0', '1:kbench:stall', 'disk'],
      stdout: (b) => { out += Buffer.from(b).toString('utf8'); if (/^F 0$/m.test(out)) sawStall(); }, stderr: () => {}, signal: abort.signal,
    });
    const early = await Promise.race([stalled.then(() => 'stalled'), machine.then((s) => `ended with ${s}`)]);
    assert.equal(early, 'stalled', out);
    const running = threads();
    // kernel, blk, vfs, ext2, pm, console servers and the init process at least.
    assert.ok(running >= before + 5, `a running microkernel machine has its threads (${before} before, ${running} now)`);
    await assert.rejects(runMachine({ preset: p.name, placement: placementFor(p), ipc: p.ipc, stdin: 'none', disk: image }), ImageInUseError);
    abort.abort(new Error('test'));
    assert.equal(await machine, EXIT_ABORTED);
    const after = await settle(before);
    assert.ok(after <= before, `every thread of the aborted machine ended (${before} before, ${running} running, ${after} after)`);
    // The image is free again: a machine boots on it and halts.
    const again = await runMachine({ preset: 'monolithic', placement: placementFor(loadPreset('monolithic')), ipc: loadPreset('monolithic').ipc, stdin: 'none', disk: image, init: ['/bin/true'], stdout: () => {}, stderr: () => {} });
    assert.equal(again, 0);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('a stuck boot in a fault job is aborted and leaves no thread behind; the job carries on', { timeout: 300000 }, async () => {
  const spec = { presets: ['microkernel'], components: ['blk'], types: ['crash'], n: 3, seed: 3, hangMs: CAMPAIGN_HANG_MS, stuckMs: 20000, testStallAt: 1 };
  const [job] = planJobs(spec);
  // A job without a stall first: whatever threads the host keeps after one (its pools) are there before.
  await runFaultJob({ ...spec, testStallAt: undefined }, job!);
  const before = await settle(0, 2000);
  const r = await runFaultJob(spec, job!);
  assert.equal(r.stuck, 1, 'the stalled boot counted as stuck');
  assert.equal(r.panics, 0);
  assert.equal(r.injected, 3, 'the job went on after the stuck boot');
  assert.equal(r.survived, 2, 'the fault at which the workload stalled is not survived; the others are');
  assert.equal(r.data_lost, 0);
  assert.equal(r.boots, 2);
  const after = await settle(before);
  assert.ok(after <= before, `no thread of the stuck machine is left (${before} before, ${after} after)`);
});

test('a machine that has ended keeps nothing of its disk alive (a long-lived worker grew by the disk of every job)', { timeout: 120000 }, async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const p = loadPreset('monolithic');
  const disks: WeakRef<DurableRam>[] = [];
  // One machine on its own disk (only a WeakRef of it leaves this function): it halts by itself, or is aborted while running.
  const run = async (aborted: boolean): Promise<number> => {
    const disk = new DurableRam(4 << 20);
    disks.push(new WeakRef(disk));
    const abort = new AbortController();
    const timer = aborted ? setTimeout(() => abort.abort(), 3000) : undefined;
    const status = await runMachine({ preset: p.name, placement: placementFor(p), ipc: p.ipc, stdin: 'none', backing: disk, init: aborted ? ['/bin/kbench', 'faults', '1', '0', '1:kbench:stall'] : ['/bin/true'], stdout: () => {}, stderr: () => {}, signal: abort.signal });
    clearTimeout(timer);
    return status;
  };
  assert.equal(await run(false), 0);
  assert.equal(await run(true), EXIT_ABORTED);
  assert.equal(await run(true), EXIT_ABORTED);
  for (let round = 0; round < 5 && disks.some((d) => d.deref() !== undefined); round++) { await new Promise((resolve) => setTimeout(resolve, 50)); gc(); }
  assert.deepEqual(disks.map((d) => d.deref() === undefined), [true, true, true], 'every disk was collected');
});

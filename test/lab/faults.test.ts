// Fault campaigns: the same seed gives the same schedule; the host's payload matches
// the one kbench writes (or the durability check would compare the wrong bytes); a
// small campaign reports what really happened on each architecture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultSchedule, payload } from '../../src/lab/faults.js';
import { payload as kbenchPayload } from '../../src/user/bin/kbench.js';
import { kernelkit } from './cli.js';

test('same seed, same fault schedule; another seed, another schedule', () => {
  const a = faultSchedule(42, 'microkernel', 'blk', 'crash', 200);
  const b = faultSchedule(42, 'microkernel', 'blk', 'crash', 200);
  const c = faultSchedule(43, 'microkernel', 'blk', 'crash', 200);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 200);
  for (const f of a) assert.ok(f.gap >= 1 && f.gap <= 4 && f.component === 'blk' && f.type === 'crash');
  // Each cell has its own schedule, so adding a cell does not shift the others.
  assert.notDeepEqual(a.map((f) => f.gap), faultSchedule(42, 'microkernel', 'vfs', 'crash', 200).map((f) => f.gap));
});

test('the host checks durability against the bytes kbench wrote', () => {
  for (const [seed, op] of [[1, 0], [7, 12345], [0xffffffff, 3]] as const) assert.deepEqual(payload(seed, op), kbenchPayload(seed, op));
  assert.notDeepEqual(payload(1, 0), payload(1, 1));
});

test('faults --json: microkernel survives blk crashes with nothing lost; monolithic panics on each and reboots', async () => {
  const r = await kernelkit(['faults', '--presets', 'monolithic,microkernel', '--components', 'blk', '--types', 'crash', '-n', '3', '--seed', '5', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { machine: object; seed: number; cells: Record<string, number | string | null>[] };
  assert.equal(j.seed, 5);
  const keys = ['preset', 'component', 'type', 'injected', 'survived_pct', 'completed_pct', 'recovery_ms_p50', 'recovery_ms_p99', 'failed_requests', 'data_lost', 'corruption_caught'];
  for (const c of j.cells) for (const k of keys) assert.ok(k in c, `cell lacks ${k}`);
  const mono = j.cells.find((c) => c.preset === 'monolithic')!;
  const micro = j.cells.find((c) => c.preset === 'microkernel')!;
  assert.equal(micro.injected, 3);
  assert.equal(micro.survived_pct, 100);
  assert.equal(micro.data_lost, 0);
  assert.ok(typeof micro.recovery_ms_p50 === 'number' && micro.recovery_ms_p50 > 0);
  assert.equal(mono.injected, 3);
  assert.equal(mono.survived_pct, 0);
  assert.equal(mono.panics, 3, 'a fresh machine after each panic');
  assert.equal(mono.data_lost, 0, 'fsync\'d blocks survive a panic');
});

test('faults --disk: fsync\'d files on an ext2 root survive microkernel blk crashes; the JSON says where the data lived', async () => {
  const r = await kernelkit(['faults', '--disk', '--presets', 'microkernel', '--components', 'blk', '--types', 'crash', '-n', '2', '--seed', '9', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { storage: string; cells: { injected: number; survived_pct: number; data_lost: number; panics: number }[] };
  assert.match(j.storage, /ext2/);
  assert.equal(j.cells.length, 1);
  assert.deepEqual([j.cells[0]!.injected, j.cells[0]!.survived_pct, j.cells[0]!.data_lost, j.cells[0]!.panics], [2, 100, 0, 0]);
});

test('faults --components ext2: the ext2 server survives every fault type on microkernel; no hang, nothing acknowledged is lost', async () => {
  // ext2 cells keep their data on an ext2 root without --disk: nothing else reaches ext2.
  const r = await kernelkit(['faults', '--presets', 'microkernel', '--components', 'ext2', '-n', '2', '--seed', '11', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { storage: string; cells: { type: string; injected: number; data_lost: number; panics: number; stuck: number; boots: number }[] };
  assert.match(j.storage, /ext2 root/);
  assert.deepEqual(j.cells.map((c) => c.type).sort(), ['bad-reply', 'crash', 'hang', 'leak', 'wild-write']);
  for (const c of j.cells) {
    assert.equal(c.injected, 2, `${c.type}: ${JSON.stringify(c)}`);
    assert.equal(c.stuck, 0, `${c.type}: no boot stopped answering`);
    assert.equal(c.panics, 0, `${c.type}: a user-domain ext2 fault never panics the kernel`);
    assert.equal(c.data_lost, 0, `${c.type}: fsync'd files survive`);
  }
});

test('faults --place blk=sandbox: on monolithic the WebAssembly driver survives crash, hang and wild write; nothing acknowledged is lost, no panic', async () => {
  const r = await kernelkit(['faults', '--presets', 'monolithic', '--place', 'blk=sandbox', '--components', 'blk', '--types', 'crash,hang,wild-write', '-n', '2', '--seed', '13', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { campaign: { place?: string }; cells: { type: string; injected: number; survived_pct: number; completed_pct: number; data_lost: number; panics: number; stuck: number }[] };
  assert.equal(j.campaign.place, 'blk=sandbox');
  assert.deepEqual(j.cells.map((c) => c.type).sort(), ['crash', 'hang', 'wild-write']);
  for (const c of j.cells) assert.deepEqual([c.injected, c.survived_pct, c.completed_pct, c.data_lost, c.panics, c.stuck], [2, 100, 100, 0, 0, 0], `${c.type}: ${JSON.stringify(c)}`);
});

test('bad flags: one line on stderr, status 2', async () => {
  for (const args of [['faults', '--types', 'melt'], ['lab', '--runs', '0'], ['lab', '--workloads', 'nope'], ['lab', '--ipc', 'carrier-pigeon'], ['bench', 'ipc', '--preset', 'nope']]) {
    const r = await kernelkit(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    // Node's own runtime warnings (e.g. "ExperimentalWarning: WASI") are not kernelkit's output.
    const ours = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(node:') && !l.startsWith('(Use `node --trace-warnings'));
    assert.equal(ours.length, 1, r.stderr);
    assert.match(ours[0]!, /^kernelkit: /);
  }
});

// Fault campaigns over the network components: `faults --components nic,net` runs the
// network workload (TCP and UDP through the NIC to the host's echo servers over --net
// user, loopback TCP and UDP in the guest) while faults fire. What the fault model
// guarantees is asserted; the rest is computed and only checked for consistency. A
// campaign in slices merges into the same cells as one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kernelkit } from './cli.js';
import { judgeC14 } from '../../src/lab/claims.js';
import type { FaultCell } from '../../src/lab/faults.js';

const NET = ['--components', 'nic,net', '--types', 'crash,hang', '-n', '3', '--job-faults', '2', '--seed', '5', '--hang-ms', '1000'];
// What the seed and the fault model decide (not timings, not how many retries a loaded host needed).
const SEEDED = ['preset', 'component', 'type', 'injected', 'survived_pct', 'panics', 'data_lost', 'stuck'];
const seeded = (cells: FaultCell[]): Record<string, unknown>[] => cells.map((c) => Object.fromEntries(SEEDED.map((k) => [k, (c as unknown as Record<string, unknown>)[k]])));

test('faults --components nic,net on microkernel: user-domain crashes and hangs never panic; a net crash breaks every established connection; nothing acknowledged is lost; slices merge into the same cells', async () => {
  const whole = await kernelkit(['faults', '--presets', 'microkernel', ...NET, '--parallel', '2', '--json']);
  assert.equal(whole.status, 0, whole.stderr);
  const run = JSON.parse(whole.stdout) as { cells: FaultCell[]; storage: string };
  assert.match(run.storage, /echoed back through the NIC/);
  assert.deepEqual(run.cells.map((c) => `${c.component}/${c.type}`), ['nic/crash', 'nic/hang', 'net/crash', 'net/hang']);
  for (const c of run.cells) {
    const what = JSON.stringify(c);
    assert.equal(c.injected, 3, what);
    // nic and net are in their own servers on microkernel: the supervisor restarts them, the kernel lives.
    assert.equal(c.panics, 0, what);
    assert.equal(c.survived_pct, 100, what);
    assert.equal(c.stuck, 0, what);
    // Every chunk the guest saw echoed and verified is in the host's echo server, byte for byte.
    assert.equal(c.data_lost, 0, what);
    assert.equal(c.corruption_caught, 0, what);
    assert.ok(c.connections_open > 0, `connections were open when the faults were armed: ${what}`);
    assert.ok(c.recovery_ms_p50 !== null, `every fault was followed by a good operation: ${what}`);
  }
  // A restarted net server is a new stack with no sockets: every connection it held is gone (EIO).
  for (const c of run.cells.filter((x) => x.component === 'net')) assert.ok(c.connections_lost >= c.connections_open, JSON.stringify(c));
  // C14 is judged from these cells.
  assert.notEqual(judgeC14(run.cells).verdict, 'not tested');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-net-shards-'));
  try {
    const files: string[] = [];
    for (let i = 1; i <= 2; i++) {
      const r = await kernelkit(['faults', '--presets', 'microkernel', ...NET, '--parallel', '2', '--shard', `${i}/2`, '--json']);
      assert.equal(r.status, 0, r.stderr);
      files.push(path.join(dir, `slice${i}.json`));
      fs.writeFileSync(files[i - 1]!, r.stdout);
    }
    const merged = await kernelkit(['faults', '--merge', ...files, '--json']);
    assert.equal(merged.status, 0, merged.stderr);
    const m = JSON.parse(merged.stdout) as { cells: FaultCell[] };
    assert.deepEqual(seeded(m.cells), seeded(run.cells));
    for (const c of m.cells) {
      assert.ok(c.connections_open > 0, JSON.stringify(c));
      if (c.component === 'net') assert.ok(c.connections_lost >= c.connections_open, JSON.stringify(c));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('faults --components nic,net on monolithic: both are in the kernel domain, so a crash there is a panic', async () => {
  const r = await kernelkit(['faults', '--presets', 'monolithic', '--components', 'nic,net', '--types', 'crash', '-n', '2', '--seed', '5', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const cells = (JSON.parse(r.stdout) as { cells: FaultCell[] }).cells;
  assert.equal(cells.length, 2);
  for (const c of cells) {
    assert.equal(c.injected, 2, JSON.stringify(c));
    assert.equal(c.panics, 2, JSON.stringify(c));
    assert.equal(c.survived_pct, 0, JSON.stringify(c));
    assert.equal(c.data_lost, 0, `a panic loses what was in flight, never what was acknowledged: ${JSON.stringify(c)}`);
  }
});

test('faults: an unknown component is refused with one line naming the known ones, nic and net among them', async () => {
  const r = await kernelkit(['faults', '--components', 'nic,eth0']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /eth0/);
  assert.match(r.stderr, /nic/);
});

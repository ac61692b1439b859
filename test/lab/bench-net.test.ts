// `kernelkit bench net --json` with small sizes: a row per preset for TCP guest <->
// guest, loopback inside a guest and the bridge, Linux's loopback beside them, every
// transfer intact (the receiver's byte count and Adler-32 equal the sender's; every
// bridged frame equal byte for byte to the one sent), the ratios against monolithic
// and the goals present; a lossy transfer per preset completes and the wire saw each of
// its segments. No figure is compared with a speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';
import { parseTcpLines, transfers } from '../../src/lab/net-machines.js';
import type { NetRow } from '../../src/lab/net-rows.js';
import type { LossRow, LatencyRow } from '../../src/lab/bench-net.js';

const PRESETS = ['monolithic', 'microkernel', 'hybrid'];

test('the intact check fails on a short transfer or a different checksum', () => {
  const line = (role: string, bytes: number, adler32: number): string => JSON.stringify({ role, label: 'guest', bytes, ms: 10, MBps: 1, adler32 });
  const ok = parseTcpLines([line('recv', 1000, 77), line('send', 1000, 77)].join('\n'));
  assert.equal(transfers(ok, 'guest', 1000)[0]!.intact, true);
  assert.equal(transfers(parseTcpLines([line('recv', 1000, 78), line('send', 1000, 77)].join('\n')), 'guest', 1000)[0]!.intact, false);
  assert.equal(transfers(parseTcpLines([line('recv', 999, 77), line('send', 999, 77)].join('\n')), 'guest', 1000)[0]!.intact, false);
  assert.equal(transfers(parseTcpLines(line('recv', 1000, 77)), 'guest', 1000)[0]!.intact, false, 'no sender line');
});

test('bench net --json: rows for every preset and path, Linux beside them, every byte intact', { timeout: 600_000 }, async () => {
  const r = await kernelkit(['bench', 'net', '--runs', '1', '--transfers', '2', '--mib', '0.25', '--frames', '300', '--loss', '0.05', '--loss-kib', '32', '--rr', '50', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { options: Record<string, unknown>; rows: NetRow[]; goals: { goal: string; verdict: string }[]; lossy: LossRow[]; latency: LatencyRow[]; loadavg_start: number };
  assert.deepEqual(Object.keys(j), ['machine', 'options', 'rows', 'goals', 'lossy', 'latency', 'seconds', 'loadavg_start', 'loadavg_end']);
  // Request/response: 50 round trips per guest pair's boot, guest to guest and over each guest's loopback, and Linux's.
  assert.deepEqual(j.latency.map((x) => `${x.preset} ${x.path}`), [...PRESETS.flatMap((p) => [`${p} guest-guest`, `${p} loopback`]), 'linux loopback']);
  for (const x of j.latency) {
    assert.ok(x.runs === 1 && x.rounds === 50 && x.run_p50_us.length === 1, JSON.stringify(x));
    assert.ok(x.p50_us! > 0 && x.p50_us! <= x.p99_us!, JSON.stringify(x));
    if (x.preset === 'monolithic') assert.equal(x.p50_vs_monolithic, 1, JSON.stringify(x));
  }
  // One lossy transfer per preset: whole, and the wire saw at least every segment of it once.
  assert.deepEqual(j.lossy.map((x) => [x.preset, x.loss, x.bytes]), PRESETS.map((p) => [p, 0.05, 32768]));
  for (const x of j.lossy) {
    assert.equal(x.completed, true, JSON.stringify(x));
    assert.ok(x.goodput_MBps! > 0, JSON.stringify(x));
    assert.ok(x.data_segments - x.retransmitted >= Math.ceil(32768 / 1460) && x.retransmitted >= 0, JSON.stringify(x));
  }
  const row = (preset: string, path: string): NetRow => {
    const x = j.rows.find((y) => y.preset === preset && y.path === path);
    assert.ok(x !== undefined, `${preset} ${path}`);
    return x;
  };
  for (const preset of PRESETS) {
    for (const path of ['guest-guest', 'loopback', 'bridge']) {
      const x = row(preset, path);
      const what = `${preset} ${path}: ${JSON.stringify(x)}`;
      assert.equal(x.note, undefined, what);
      assert.equal(x.runs, 1, what);
      assert.equal(x.samples, 2, what);
      assert.equal(x.intact, true, what);
      assert.ok(x.MBps! > 0 && x.ci95_low! <= x.MBps! && x.MBps! <= x.ci95_high!, what);
      assert.ok(x.slowdown_vs_monolithic! > 0, what);
      if (preset === 'monolithic') assert.equal(x.slowdown_vs_monolithic, 1, what);
      if (path === 'bridge') {
        assert.ok(x.frames_per_s!.value > 0, what);
        assert.match(x.placement, /^bridge (kernel|user), nic (kernel|user), nic1 (kernel|user)$/, what);
      }
    }
  }
  assert.match(row('monolithic', 'bridge').placement, /^bridge kernel/);
  assert.match(row('microkernel', 'bridge').placement, /^bridge user/);
  // The default --offload both: a guest pair without offload per preset, intact, with the on/off ratio.
  for (const preset of PRESETS) {
    const x = row(preset, 'guest-guest-no-offload');
    assert.equal(x.intact, true, JSON.stringify(x));
    assert.equal(x.samples, 2, JSON.stringify(x));
    assert.match(x.placement, /, no offload$/);
    assert.ok(x.offload_speedup !== undefined && x.offload_speedup.value > 0 && x.offload_speedup.ci95_low <= x.offload_speedup.value, JSON.stringify(x));
  }
  const linux = row('linux', 'loopback');
  assert.equal(linux.intact, true);
  assert.ok(linux.MBps! > 0);
  assert.equal(j.goals.length, 2);
  for (const g of j.goals) assert.ok(['met', 'missed', 'inconclusive'].includes(g.verdict), JSON.stringify(g));
});

test('bench net: bad flags are one line and status 2', async () => {
  for (const args of [['--runs', '0'], ['--mib', '-1'], ['--frames', 'x'], ['--preset', 'nosuch'], ['--transfers', '99'], ['--loss', '1.5'], ['--loss', '0.1,x'], ['--loss-kib', '0'], ['--offload', 'maybe'], ['--rr', '-1'], ['--rr', 'x']]) {
    const r = await kernelkit(['bench', 'net', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

// `kernelkit bench ipc --json`: the documented shape, every measure for every preset x
// transport asked for (null-syscall, getpid, ipcping, kernel-echo-rt,
// server-server-rt), the references measured in the same run (spin-rt, channel-rt,
// ring-channel-rt), the host OS (native), and a transport this build refuses recorded
// as not measured rather than a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';
import { unsupportedTransport } from '../../src/lab/boot.js';
import { buildNative } from '../../src/lab/native.js';

type Row = { preset: string; ipc: string; measure: string; median_ns: number | null; p99_ns: number | null; ratio_to_reference: number | null; note?: string };

test('bench ipc --json: the documented object, every measure per preset and transport', async () => {
  const r = await kernelkit(['bench', 'ipc', '--preset', 'monolithic,microkernel', '--ipc', 'shm,mach', '--scale', '0.05', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { machine: Record<string, unknown>; reference_spin_rt_ns: number; results: Row[] };
  assert.deepEqual(Object.keys(j), ['machine', 'reference_spin_rt_ns', 'results']);
  assert.ok(j.reference_spin_rt_ns > 0);
  const keys = ['preset', 'ipc', 'measure', 'median_ns', 'p99_ns', 'ratio_to_reference'];
  for (const row of j.results) assert.deepEqual(Object.keys(row), row.note === undefined ? keys : [...keys, 'note']);
  const find = (preset: string, ipc: string, measure: string) => j.results.filter((x) => x.preset === preset && x.ipc === ipc && x.measure === measure);
  const measured = (x: Row | undefined, what: string): void => {
    assert.ok(x !== undefined, what);
    assert.equal(x.note, undefined, `${what}: ${x.note}`);
    assert.ok(x.median_ns! > 0 && x.p99_ns! >= x.median_ns!, `${what}: ${JSON.stringify(x)}`);
    assert.equal(x.ratio_to_reference, Math.round((x.median_ns! / j.reference_spin_rt_ns) * 10) / 10, what);
  };
  assert.equal(find('-', '-', 'spin-rt')[0]?.ratio_to_reference, 1);
  measured(find('-', 'shm', 'channel-rt')[0], 'channel-rt');
  measured(find('-', 'shm', 'ring-channel-rt')[0], 'ring-channel-rt');
  assert.equal(find('-', 'postmessage', 'port-channel-rt').length, 0, 'not asked for');
  for (const [preset, ipc] of [['monolithic', 'none'], ['microkernel', 'shm']] as const) {
    for (const measure of ['null-syscall', 'getpid', 'ipcping', 'server-server-rt']) measured(find(preset, ipc, measure)[0], `${preset}/${ipc}/${measure}`);
    assert.equal(find(preset, ipc, 'kernel-echo-rt')[0]?.p99_ns, null, 'a derived difference has no p99');
  }
  assert.equal(find('microkernel', 'postmessage', 'ipcping').length, 0);
  // mach: measured where the build has it, otherwise every measure says why not.
  const refused = unsupportedTransport('mach');
  for (const measure of ['null-syscall', 'getpid', 'ipcping', 'server-server-rt']) {
    const [x] = find('microkernel', 'mach', measure);
    if (refused === undefined) measured(x, `microkernel/mach/${measure}`);
    else { assert.equal(x?.note, refused); assert.equal(x?.median_ns, null); }
  }
  const native = buildNative();
  for (const measure of ['null-syscall', 'getpid', 'ipcping']) {
    const [x] = find('native', 'none', measure);
    if (native.ok) measured(x, `native/${measure}`);
    else assert.match(x?.note ?? '', /^not measured: no C compiler/);
  }
});

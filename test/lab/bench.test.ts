// `kernelkit bench ipc --json`: exactly the documented shape, every measure for every
// preset x transport asked for, and the references measured in the same run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';

test('bench ipc --json: the documented object, every measure per preset and transport', async () => {
  const r = await kernelkit(['bench', 'ipc', '--preset', 'monolithic,microkernel', '--ipc', 'shm', '--scale', '0.05', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { machine: Record<string, unknown>; reference_spin_rt_ns: number; results: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(j), ['machine', 'reference_spin_rt_ns', 'results']);
  assert.ok(j.reference_spin_rt_ns > 0);
  for (const row of j.results) assert.deepEqual(Object.keys(row), ['preset', 'ipc', 'measure', 'median_ns', 'p99_ns', 'ratio_to_reference']);
  const find = (preset: string, ipc: string, measure: string) => j.results.filter((x) => x.preset === preset && x.ipc === ipc && x.measure === measure);
  assert.equal(find('-', '-', 'spin-rt')[0]?.ratio_to_reference, 1);
  assert.equal(find('-', 'shm', 'ring-channel-rt').length, 1);
  assert.equal(find('-', 'postmessage', 'port-channel-rt').length, 0, 'not asked for');
  for (const [preset, ipc] of [['monolithic', 'none'], ['microkernel', 'shm']]) {
    for (const measure of ['null-syscall', 'getpid', 'ipcping']) {
      const [x] = find(preset!, ipc!, measure);
      assert.ok(x !== undefined, `${preset}/${ipc}/${measure}`);
      assert.ok((x.median_ns as number) > 0 && (x.p99_ns as number) >= (x.median_ns as number), JSON.stringify(x));
      assert.equal(x.ratio_to_reference, Math.round(((x.median_ns as number) / j.reference_spin_rt_ns) * 10) / 10);
    }
    assert.equal(find(preset!, ipc!, 'kernel-echo-rt')[0]?.p99_ns, null, 'a derived difference has no p99');
  }
  assert.equal(find('microkernel', 'postmessage', 'ipcping').length, 0);
});

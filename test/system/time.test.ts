// time and the times syscall on every preset: the command's status passes through;
// CPU-bound work shows as user time, in a child and in a grandchild (children's times
// reach the parent when it reaps them); time spent sleeping or waiting for a child is
// not counted as system time (proc/times.ts). No assertion on how long anything takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks, PRESETS } from './harness.js';

const busy = `awk 'BEGIN { for (i = 0; i < 2000000; i++) s += i * 2; print s > "/dev/null" }'`;

interface Report { real: number; user: number; sys: number }
function reports(stderr: string): Report[] {
  const out: Report[] = [];
  const re = /real (\d+\.\d\d)\nuser (\d+\.\d\d)\nsys (\d+\.\d\d)\n/g;
  for (const m of stderr.matchAll(re)) out.push({ real: Number(m[1]), user: Number(m[2]), sys: Number(m[3]) });
  return out;
}

for (const preset of PRESETS) {
  test(`time reports the kernel's accounting on ${preset}`, async () => {
    const r = await sh(preset, [
      `time -p ${busy}`,
      `time -p sh -c "${busy.replace(/"/g, '\\"')}; ${busy.replace(/"/g, '\\"')}"`,
      'time -p sleep 0.5',
      'time -p sh -c "exit 3"; echo "status $?"',
      'time -p no-such-command; echo "status $?"',
      'time; echo "usage $?"',
      'time sh -c "true" 2>&1 | grep -c "^real\t0m[0-9]*\\.[0-9][0-9][0-9]s$"',
    ].join('\n'));
    assert.equal(r.status, 0, r.stderr);
    const [child, grandchildren, sleeping, exit3, missing] = reports(r.stderr);
    assert.ok(child !== undefined && grandchildren !== undefined && sleeping !== undefined && exit3 !== undefined && missing !== undefined, r.stderr);
    assert.ok(child.user > 0, `a CPU-bound child shows user time: ${JSON.stringify(child)}`);
    assert.ok(grandchildren.user > 0, `grandchildren's time reaches time through sh: ${JSON.stringify(grandchildren)}`);
    assert.ok(sleeping.real >= 0.5, `sleep 0.5 took ${sleeping.real} s of real time`);
    assert.ok(sleeping.sys < 0.5 && sleeping.user < 0.5, `sleeping is neither user nor system time: ${JSON.stringify(sleeping)}`);
    assert.match(r.stdout, /status 3\n/);
    assert.match(r.stdout, /status 127\n/);
    assert.match(r.stdout, /usage 2\n/);
    assert.match(r.stdout, /^1$/m, 'bash\'s format without -p');
    assert.equal(noLeaks(r), undefined);
  });
}

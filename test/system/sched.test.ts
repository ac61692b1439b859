// The eBPF scheduler hook (sched/pick_next), on every preset, with clang-built programs:
// a FIFO scheduler is consulted for every syscall the kernel serves (its picks per
// process equal the kernel's trace of the same workload), and two buggy ones lose the
// hook as sched_ext schedulers do: one that never serves a non-root process (the stall
// watchdog takes the default policy back and the process finishes), one that picks a
// pid nobody has (a runtime error, the default policy back at once).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sh, noLeaks, PRESETS } from './harness.js';

const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/bpf/c/sched');
let objects = '';

before(() => {
  objects = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-sched-'));
  fs.chmodSync(objects, 0o755);
  for (const n of ['fifo', 'rootonly', 'badpick']) execFileSync('clang', ['-target', 'bpf', '-O2', '-g', '-c', path.join(sources, `${n}.c`), '-o', path.join(objects, `${n}.o`)]);
});
after(() => fs.rmSync(objects, { recursive: true, force: true }));

const section = (text: string, name: string): string => text.split(`== ${name}\n`)[1]?.split('\n== ')[0] ?? '';

for (const preset of PRESETS) {
  test(`a FIFO scheduler picks the process for every syscall the kernel serves: its picks equal the kernel's trace (${preset})`, async () => {
    const r = await sh(preset, [
      'bpftool prog load /obj/fifo.o', 'echo load=$?',
      "trace --json -o /tmp/trace.json sh -c 'cat /etc/motd > /dev/null; ls / > /dev/null; echo hello | wc -c > /dev/null'",
      'echo "== picks"; bpftool map dump name picks',
      'echo "== list"; bpftool prog list',
      'echo "== trace"; cat /tmp/trace.json',
      'echo "== end"; for id in $(bpftool prog list | cut -d: -f1); do bpftool prog unload $id; done; bpftool prog list | wc -l',
    ].join('\n'), { mounts: [{ host: objects, guest: '/obj', readOnly: true }] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+ fifo struct_ops\nload=0$/m, r.stdout + r.stderr);
    const calls = section(r.stdout, 'trace').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; pid: number }).filter((e) => e.type === 'syscall');
    const expected = new Map<number, number>();
    for (const e of calls) expected.set(e.pid, (expected.get(e.pid) ?? 0) + 1);
    assert.ok(expected.size >= 4 && calls.length > 20, `${calls.length} traced syscalls of ${expected.size} processes`);
    const picks = new Map<number, number>();
    for (const m of section(r.stdout, 'picks').matchAll(/^key: (\d+) value: (\d+)$/gm)) if (expected.has(Number(m[1]))) picks.set(Number(m[1]), Number(m[2]));
    assert.deepEqual(Object.fromEntries([...picks].sort()), Object.fromEntries([...expected].sort()));
    assert.match(section(r.stdout, 'list'), /fifo attached sched\/pick_next insns \d+ runs [1-9]\d*/);
    assert.doesNotMatch(r.stdout + r.stderr, /sched_ext: .* disabled/);
    assert.equal(section(r.stdout, 'end').trim(), '0');
    assert.equal(noLeaks(r), undefined);
  });

  test(`a scheduler that starves a process, and one that picks a pid nobody has, lose the hook and the default policy serves everyone (${preset})`, async () => {
    const r = await sh(preset, [
      'bpftool prog load /obj/rootonly.o', 'echo load=$?',
      "su user -c 'cat /etc/motd > /dev/null; echo user-ran'", 'echo status=$?',
      'echo "== list1"; bpftool prog list',
      'bpftool prog load /obj/badpick.o > /dev/null', 'echo load=$?',
      'echo "== list2"; bpftool prog list',
      'echo "== dmesg"; dmesg | grep sched_ext',
      'echo "== end"; for id in $(bpftool prog list | cut -d: -f1); do bpftool prog unload $id; done; echo alive',
    ].join('\n'), { mounts: [{ host: objects, guest: '/obj', readOnly: true }] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /user-ran\nstatus=0/, r.stdout + r.stderr);
    const dmesg = section(r.stdout, 'dmesg');
    const stall = /BPF scheduler "rootonly" disabled \(runnable task stall\): pid (\d+) \((\w+)\) failed to run for (\d+\.\d+)s \(bound 3\.000s\); default policy restored/.exec(dmesg);
    assert.ok(stall !== null, dmesg + r.stderr);
    assert.ok(Number(stall[3]) > 3, 'the stall was past the bound');
    assert.match(section(r.stdout, 'list1'), /name rootonly detached insns \d+ runs [1-9]/, 'rootonly ran, and was detached');
    assert.match(dmesg, /BPF scheduler "badpick" disabled \(runtime error\): picked pid 40000, which is not among the \d+ runnable \([\d, ]+\); default policy restored/);
    assert.match(section(r.stdout, 'list2'), /name badpick detached insns \d+ runs 1 /);
    assert.match(section(r.stdout, 'end'), /alive/);
    assert.equal(noLeaks(r), undefined);
  });
}

// eBPF end to end, on every preset: C programs written the way Linux BPF programs are
// are compiled by the host's clang (-target bpf) at test time, loaded with bpftool
// (the kernel verifies and attaches them), and their maps are checked against the
// kernel's own account of the same workload: the `trace` syscall's events. Then the
// hostile set: each program is refused with the verifier's reason, and the kernel keeps
// running. A non-root user may not load tracing programs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYS } from '../../src/abi/syscalls.js';
import { sh, noLeaks, PRESETS } from './harness.js';

const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/bpf/c');
let objects = '';

const HOSTILE: Record<string, RegExp> = {
  'oob-map': /invalid access to map value, value_size=8 off=8 size=8/,
  'null-map': /R0 invalid mem access 'map_value_or_null'/,
  'unbounded-loop': /BPF program is too large\. Processed 1000001 insn|infinite loop detected/,
  'stack-overflow': /invalid write to stack R\d+ off=-\d+ size=1/,
  'ctx-arith': /dereference of modified ctx ptr R\d+ off=8 disallowed/,
  'disallowed-helper': /unknown func bpf_get_current_pid_tgid#14/,
  'pointer-leak': /R0 leaks addr into map/,
};

before(() => {
  objects = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-bpf-'));
  // An ordinary user in the guest reads the objects too.
  fs.chmodSync(objects, 0o755);
  const cc = (src: string, out: string, defines: string[] = []): void => {
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', ...defines, '-c', src, '-o', path.join(objects, out)]);
  };
  cc(path.join(sources, 'syscount.c'), 'syscount.o', [`-DREAD_NR=${SYS.read}`]);
  cc(path.join(sources, 'callcount.c'), 'callcount.o');
  for (const name of Object.keys(HOSTILE)) cc(path.join(sources, 'hostile', `${name}.c`), `${name}.o`);
});

after(() => fs.rmSync(objects, { recursive: true, force: true }));

/** Decimal keys of `bpftool map dump` lines. */
function dumpLines(text: string): Map<bigint, bigint> {
  const out = new Map<bigint, bigint>();
  for (const m of text.matchAll(/^key: (\d+) value: (\d+)$/gm)) out.set(BigInt(m[1]!), BigInt(m[2]!));
  return out;
}

const section = (text: string, name: string): string => text.split(`== ${name}\n`)[1]?.split('\n== ')[0] ?? '';

for (const preset of PRESETS) {
  test(`syscount per process and number, and calls per component, equal the kernel's trace of the same workload (${preset})`, async () => {
    const workload = "cat /etc/motd > /dev/null; ls / > /dev/null; echo hello | wc -c > /dev/null; head -c 3000 /bin/ls.js > /dev/null 2>&1; true";
    const r = await sh(preset, [
      'bpftool prog load /obj/syscount.o', 'echo load=$?',
      'bpftool prog load /obj/callcount.o', 'echo load=$?',
      `trace --json -o /tmp/trace.json sh -c '${workload}'`,
      'echo "== counts"; bpftool map dump name counts',
      'echo "== reads"; bpftool map dump name read_bytes',
      'echo "== calls"; bpftool map dump name calls',
      'echo "== list"; bpftool prog list',
      'echo "== trace"; cat /tmp/trace.json',
      'echo "== end"; for id in $(bpftool prog list | cut -d: -f1); do bpftool prog unload $id; done; bpftool map list | wc -l',
    ].join('\n'), { mounts: [{ host: objects, guest: '/obj', readOnly: true }] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+ count_enter tracepoint\n\d+ count_read tracepoint\nload=0\n\d+ count_call tracepoint\nload=0$/m, r.stdout + r.stderr);
    // The kernel's account: one trace event per syscall of every traced process.
    const events = section(r.stdout, 'trace').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; pid: number; syscall: string; result?: number });
    const calls = events.filter((e) => e.type === 'syscall');
    assert.ok(calls.length > 20, `${calls.length} traced syscalls`);
    const expected = new Map<string, number>();
    const readBytes = new Map<number, number>();
    for (const e of calls) {
      const nr = SYS[e.syscall as keyof typeof SYS];
      assert.notEqual(nr, undefined, e.syscall);
      expected.set(`${e.pid}/${nr}`, (expected.get(`${e.pid}/${nr}`) ?? 0) + 1);
      if (e.syscall === 'read' && (e.result ?? 0) > 0) readBytes.set(e.pid, (readBytes.get(e.pid) ?? 0) + e.result!);
    }
    // The program's map, for the same processes (its key: u32 pid, u32 nr).
    const pids = new Set(calls.map((e) => e.pid));
    const counted = new Map<string, number>();
    for (const [key, value] of dumpLines(section(r.stdout, 'counts'))) {
      const pid = Number(key & 0xffffffffn), nr = Number(key >> 32n);
      if (pids.has(pid)) counted.set(`${pid}/${nr}`, Number(value));
    }
    assert.deepEqual(Object.fromEntries([...counted].sort()), Object.fromEntries([...expected].sort()));
    const reads = new Map([...dumpLines(section(r.stdout, 'reads'))].filter(([pid]) => pids.has(Number(pid))).map(([pid, v]) => [Number(pid), Number(v)]));
    assert.deepEqual(Object.fromEntries([...reads].sort()), Object.fromEntries([...readBytes].sort()));
    assert.ok(readBytes.size > 0, 'the workload read something');
    // Component calls per process and callee: the trace's hops.
    const hops = new Map<string, number>();
    for (const e of events as unknown as { type: string; pid: number; to: string }[]) if (e.type === 'hop') hops.set(`${e.pid}/${e.to}`, (hops.get(`${e.pid}/${e.to}`) ?? 0) + 1);
    const callCounts = new Map<string, number>();
    for (const m of section(r.stdout, 'calls').matchAll(/^key: ([0-9a-f ]+) value: (\d+)$/gm)) {
      const key = Buffer.from(m[1]!.replaceAll(' ', ''), 'hex');
      const pid = key.readUInt32LE(0);
      const callee = key.subarray(4).toString('latin1').replace(/\0.*$/s, '');
      if (pids.has(pid)) callCounts.set(`${pid}/${callee}`, Number(m[2]));
    }
    assert.ok(hops.size > 0, 'the workload called components');
    assert.deepEqual(Object.fromEntries([...callCounts].sort()), Object.fromEntries([...hops].sort()));
    assert.match(section(r.stdout, 'list'), /count_enter attached raw_syscalls\/sys_enter insns \d+ runs [1-9]\d*/);
    // Unloading the programs freed the maps their object made.
    assert.equal(section(r.stdout, 'end').trim(), '0');
    assert.equal(noLeaks(r), undefined);
  });

  test(`the hostile programs are refused with the verifier's reason and the kernel runs on (${preset})`, async () => {
    const names = Object.keys(HOSTILE);
    const r = await sh(preset, [
      ...names.flatMap((n) => [`echo "== ${n}"`, n === 'pointer-leak' ? `su user -c 'bpftool prog load /obj/${n}.o'` : `bpftool prog load /obj/${n}.o`, 'echo status=$?']),
      'echo "== after"', 'bpftool prog list | wc -l', 'bpftool map list | wc -l', 'echo alive',
    ].join('\n'), { mounts: [{ host: objects, guest: '/obj', readOnly: true }] });
    assert.equal(r.status, 0, r.stderr);
    for (const n of names) {
      const out = section(r.stdout, n);
      assert.match(out, HOSTILE[n]!, `${n}:\n${out}\n${r.stderr}`);
      assert.match(out, /status=1$/m, `${n}:\n${out}`);
      // The log names the instruction: "N: (opcode) ...".
      if (n !== 'unbounded-loop') assert.match(out, /^\d+: \([0-9a-f]{2}\) /m, `${n}:\n${out}`);
    }
    assert.equal(section(r.stdout, 'after').trim(), '0\n0\nalive');
    assert.equal(noLeaks(r), undefined);
  });

  test(`only root loads tracing programs; a bad object is refused with a message (${preset})`, async () => {
    const r = await sh(preset, [
      "su user -c 'bpftool prog load /obj/syscount.o'; echo user=$?",
      'head -c 200 /obj/syscount.o > /tmp/cut.o; bpftool prog load /tmp/cut.o; echo cut=$?',
      'bpftool prog load /etc/motd; echo text=$?',
      'bpftool prog unload 4242; echo unload=$?',
      'bpftool prog list | wc -l',
    ].join('\n'), { mounts: [{ host: objects, guest: '/obj', readOnly: true }] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /user=1\n/);
    assert.match(r.stderr + r.stdout, /Operation not permitted|EPERM/);
    assert.match(r.stdout + r.stderr, /lies outside the file/);
    for (const what of ['cut=1', 'text=1', 'unload=1']) assert.match(r.stdout, new RegExp(`^${what}$`, 'm'), r.stdout + r.stderr);
    assert.match(r.stdout, /^0\n$/m, 'nothing stayed loaded');
    assert.match(r.stdout + r.stderr, /not an ELF file/);
    assert.equal(noLeaks(r), undefined);
  });
}

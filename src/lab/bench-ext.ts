// `kernelkit bench ext`: what running safe code in the kernel costs — WebAssembly
// drivers in the sandbox domain, and eBPF programs at hooks.
//
//   driver    the block driver alone, in this thread (hosts/sandbox-bench.ts): one-sector
//             reads through the TypeScript driver, the C driver's WebAssembly build in
//             the sandbox, and the same module unsandboxed, against one device model
//             served synchronously: ns per read, the bytes checked
//   system    the same reads inside a booted system (monolithic preset, blk placed
//             kernel | user | sandbox | user-wasm | kernel-wasm): kbench blkread (one sector of
//             /dev/blk0: the syscall, the driver and the device thread) and blkseq (4 MiB
//             in 64 KiB reads, MB/s)
//   recovery  fault blk crash, repeatedly: from the supervisor's "restarting" to
//             "restarted" in dmesg, sandbox (a trap) against user (a dead server thread)
//
//   fs        a filesystem whose driver its disk carries (diskfs: chainfs, C/WebAssembly
//             in the sandbox domain) beside ext2 (TypeScript) and ramfs, one boot each
//             of the same preset (microkernel: vfs and ext2 are servers, diskfs runs in
//             the kernel thread): fsbench's create + write 1 KiB + fsync per file and
//             1 MiB read back; mount(2) of the disk; recovery after `fault C crash`, as
//             a process sees it (until a file reads back whole) and in dmesg
//
//   program   bcc-style syscount (test/bpf/c/syscount.c, compiled by the host's clang
//             -target bpf here and now), its sys_enter program run on the same stream of
//             contexts by the interpreter, by the JIT, and as the same logic written in
//             plain TypeScript (a Map from pid and number to a count). ns per run, the
//             median of the runs; the three end with the same counts (checked).
//   hook      the null syscall timed by kbench inside a booted system, before and after
//             syscount is attached to raw_syscalls/sys_enter and sys_exit: what the
//             hook adds to one syscall.
//   sched     the same null syscall with the FIFO scheduler (test/bpf/c/sched/fifo.c)
//             on sched/pick_next: what asking a program before each syscall costs.
//   xdp       test/bpf/c/xdp/udpdrop.c on a stream of frames (UDP to the dropped port,
//             to another port, ICMP), by the interpreter and the JIT, against the same
//             parse in plain TypeScript: ns per frame; the three drop the same frames.
//
// Ratios are taken within one run.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYS } from '../abi/syscalls.js';
import { timeBpfProgram as timeProgram, timeXdp } from '../hosts/bpf-bench.js';
import { timeDriverReads, type DriverBuild } from '../hosts/sandbox-bench.js';
import { runMachine } from '../hosts/node/machine.js';
import { loadPreset, placementFor } from '../hosts/presets.js';
import { machineInfo, type MachineInfo } from './machine-info.js';
import { DurableRam } from './disk.js';
import { rng, shuffle } from './seed.js';
import { formatDiskImage } from '../hosts/disk-image.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ExtBenchRow {
  part: 'driver' | 'system' | 'recovery' | 'fs' | 'program' | 'hook' | 'sched' | 'xdp';
  runtime: string;
  median_ns: number;
  ratio: number;
  note: string;
  /** The one-sector reads' samples (ns), one list per run (boot), for C8's bootstrap interval. */
  runs_ns?: number[][];
}
export interface ExtBenchResult { machine: MachineInfo; rows: ExtBenchRow[] }

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function compile(dir: string): string {
  const out = path.join(dir, 'syscount.o');
  try {
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', `-DREAD_NR=${SYS.read}`, '-c', path.join(root, 'test/bpf/c/syscount.c'), '-o', out]);
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', '-c', path.join(root, 'test/bpf/c/sched/fifo.c'), '-o', path.join(dir, 'fifo.o')]);
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', `-DDROP_PORT=${XDP_DROP_PORT}`, '-c', path.join(root, 'test/bpf/c/xdp/udpdrop.c'), '-o', path.join(dir, 'udpdrop.o')]);
  } catch (e) {
    throw new Error(`bench ext needs clang with the bpf target (Debian's clang): ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

/** The same logic in plain TypeScript: count per (pid, syscall number). */
function timePlain(contexts: Uint8Array[], samples: number): { ns: number[]; counts: Map<string, bigint> } {
  const counts = new Map<string, bigint>();
  const ns: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint();
    for (const ctx of contexts) {
      const nr = Number(new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength).getBigInt64(8, true));
      const key = `42/${nr}`;
      counts.set(key, (counts.get(key) ?? 0n) + 1n);
    }
    ns.push(Number(process.hrtime.bigint() - start) / contexts.length);
  }
  return { ns, counts };
}

const XDP_DROP_PORT = 7777;

/** A stream of frames: UDP to the dropped port, UDP elsewhere, ICMP, in turn. */
function xdpFrames(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const f = new Uint8Array(14 + 20 + 8 + 32);
    f[12] = 0x08; f[13] = 0x00; f[14] = 0x45;
    f[23] = i % 3 === 2 ? 1 : 17;
    const port = i % 3 === 0 ? XDP_DROP_PORT : 9;
    f[36] = port >> 8; f[37] = port & 0xff;
    return f;
  });
}

/** udpdrop's logic in plain TypeScript (no maps: a counter array). */
function timePlainXdp(frames: Uint8Array[], samples: number): { ns: number[]; dropped: number } {
  const proto = new Float64Array(256);
  const ns: number[] = [];
  let dropped = 0;
  for (let s = 0; s < samples; s++) {
    dropped = 0;
    const start = process.hrtime.bigint();
    for (const f of frames) {
      if (f.length < 34 || f[12] !== 0x08 || f[13] !== 0x00) continue;
      proto[f[23]!]!++;
      if (f[23] !== 17 || f[14] !== 0x45 || f.length < 42) continue;
      if (((f[36]! << 8) | f[37]!) === XDP_DROP_PORT) dropped++;
    }
    ns.push(Number(process.hrtime.bigint() - start) / frames.length);
  }
  return { ns, dropped };
}

/** Boots `preset` with `place` overrides (and the block device on `backing`) and runs `script`; its stdout. */
async function runIn(preset: string, script: string, mounts: { host: string; guest: string; readOnly: boolean }[], place?: string, backing?: DurableRam): Promise<string> {
  const p = loadPreset(preset);
  let out = '', err = '';
  const code = await runMachine({
    preset: p.name, placement: placementFor(p, place), ipc: p.ipc, stdin: 'none', mounts, init: ['/bin/sh', '-c', script], ...(backing === undefined ? {} : { backing }),
    stdout: (b) => { out += Buffer.from(b).toString('utf8'); }, stderr: (b) => { err += Buffer.from(b).toString('utf8'); },
  });
  if (code !== 0) throw new Error(`bench ext on ${preset} (${place ?? 'as placed'}) failed (status ${code}): ${err}`);
  return out;
}

/** The order of the system rows' boots is seeded (the same on every host). */
const SYSTEM_SEED = 8;
/** One-sector read samples kept per boot (kbench -S): evenly spaced over its series. */
const SYSTEM_SAMPLES = 200;

const PLACEMENTS: { place: string; runtime: string }[] = [
  { place: 'blk=kernel', runtime: 'TypeScript, kernel domain' },
  { place: 'blk=user', runtime: 'TypeScript, user domain' },
  { place: 'blk=sandbox', runtime: 'C/WebAssembly, sandbox' },
  { place: 'blk=user-wasm', runtime: 'C/WebAssembly, user domain' },
  { place: 'blk=kernel-wasm', runtime: 'C/WebAssembly, unsandboxed' },
];

/** The block driver's rows: alone in this thread, inside booted systems, and its recovery after a crash. */
async function driverRows(o: { runs: number; quick: boolean; onProgress?: (what: string) => void }): Promise<ExtBenchRow[]> {
  const rows: ExtBenchRow[] = [];
  const wasm = new Uint8Array(fs.readFileSync(path.join(root, 'build/initramfs-extra/lib/modules/blk.wasm')));
  const reads = o.quick ? 2000 : 20000;
  const samples = Math.max(3, o.runs);
  const alone: [DriverBuild, number][] = [];
  for (const build of ['TypeScript', 'sandbox', 'unsandboxed'] as const) {
    o.onProgress?.(`driver: ${build}`);
    alone.push([build, median(await timeDriverReads(build, wasm, reads, samples))]);
  }
  for (const [build, ns] of alone) rows.push({ part: 'driver', runtime: build === 'TypeScript' ? 'TypeScript (kernel domain)' : `C/WebAssembly, ${build}`, median_ns: ns, ratio: ns / alone[0]![1], note: `one-sector read, device served in-thread, ${reads} reads x ${samples}` });
  const scale = o.quick ? '0.2' : '1';
  // Several boots per placement, interleaved in rounds (each round visits every
  // placement once, in a seeded order), so drift on the host hits them alike; each
  // boot's one-sector read samples are kept for C8's interval (lab/ext-claims.ts).
  const rounds = Math.max(2, o.runs);
  const random = rng(SYSTEM_SEED);
  const system = new Map(PLACEMENTS.map(({ place, runtime }) => [place, { runtime, reads: [] as number[][], seqs: [] as number[], mbps: [] as number[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const { place } of shuffle(PLACEMENTS, random)) {
      o.onProgress?.(`system: ${place} (run ${round + 1} of ${rounds})`);
      const lines = (await runIn('monolithic', `kbench -s ${scale} -S ${SYSTEM_SAMPLES} blkread blkseq`, [], place)).split('\n').filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { workload: string; median_ns: number; throughput?: number; samples?: number[] });
      const read = lines.find((l) => l.workload === 'blkread'), seq = lines.find((l) => l.workload === 'blkseq');
      if (read === undefined || seq === undefined) throw new Error(`bench ext: kbench under ${place} printed no figures`);
      const s = system.get(place)!;
      s.reads.push(read.samples ?? [read.median_ns]);
      s.seqs.push(seq.median_ns);
      s.mbps.push(seq.throughput ?? 0);
    }
  }
  const all = [...system.values()].map((s) => ({ ...s, read: median(s.reads.flat()), seq: median(s.seqs), throughput: median(s.mbps) }));
  for (const s of all) rows.push({ part: 'system', runtime: s.runtime, median_ns: s.read, ratio: s.read / all[0]!.read, note: `pread of one sector of /dev/blk0 (kbench blkread), monolithic, ${rounds} runs`, runs_ns: s.reads });
  for (const s of all) rows.push({ part: 'system', runtime: s.runtime, median_ns: s.seq, ratio: s.seq / all[0]!.seq, note: `4 MiB of /dev/blk0 in 64 KiB preads: ${s.throughput} MB/s (kbench blkseq), median of ${rounds} runs` });
  const crashes = o.quick ? 3 : 10;
  const recovery: { runtime: string; ms: number }[] = [];
  for (const { place, runtime } of PLACEMENTS.filter((p) => p.place === 'blk=sandbox' || p.place === 'blk=user')) {
    o.onProgress?.(`recovery: ${place}`);
    const script = `${Array.from({ length: crashes }, () => 'fault blk crash; head -c 512 /dev/blk0 > /dev/null').join('; ')}; dmesg`;
    const out = await runIn('monolithic', script, [], place);
    const at = (re: RegExp): number[] => out.split('\n').filter((l) => re.test(l)).map((l) => Number(/^\[\s*([\d.]+)\]/.exec(l)?.[1] ?? NaN) * 1000);
    const down = at(/ blk: .*; restarting \(restart \d+\)$/), up = at(/ blk: restarted$/);
    if (down.length !== crashes || up.length !== crashes) throw new Error(`bench ext: ${crashes} crashes under ${place} gave ${down.length} restarts and ${up.length} recoveries`);
    recovery.push({ runtime, ms: median(down.map((d, i) => up[i]! - d)) });
  }
  for (const r of recovery) rows.push({ part: 'recovery', runtime: r.runtime, median_ns: r.ms * 1e6, ratio: r.ms / recovery[0]!.ms, note: `fault blk crash x ${crashes}: dmesg "restarting" to "restarted", monolithic` });
  return rows;
}

/** The preset of the fs rows: vfs and ext2 are servers the supervisor restarts, diskfs runs in the kernel thread. */
const FS_PRESET = 'microkernel';

/** A disk of `bytes` holding `image` at its start. */
function diskWith(image: Uint8Array, bytes: number): DurableRam {
  const d = new DurableRam(bytes);
  d.live.set(image);
  d.durable.set(image);
  return d;
}

/** An empty ext2 image of `mib` MiB, made by the project's mkfs (a host tool). */
function ext2Image(mib: number): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-bench-ext2-'));
  try {
    execFileSync(process.execPath, [path.join(root, 'bin/kernelkit.js'), 'mkfs', '--size', `${mib}M`, path.join(dir, 'fs.img')], { stdio: 'ignore' });
    return new Uint8Array(fs.readFileSync(path.join(dir, 'fs.img')));
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

/** diskfs (chainfs, its driver from the disk) beside ext2 and ramfs: one boot each of FS_PRESET. */
async function fsRows(o: { quick: boolean; onProgress?: (what: string) => void }): Promise<ExtBenchRow[]> {
  const files = o.quick ? 20 : 100, restarts = o.quick ? 3 : 5;
  const chainfs = formatDiskImage(new Uint8Array(fs.readFileSync(path.join(root, 'build/fs-drivers/chainfs.wasm'))), 'chainfs', 3 << 20);
  const kinds = [
    { runtime: 'ext2 (TypeScript, user domain)', component: 'ext2', disk: (): DurableRam => diskWith(ext2Image(16), 16 << 20) },
    { runtime: 'diskfs: chainfs (C/Wasm, sandbox)', component: 'diskfs', disk: (): DurableRam => diskWith(chainfs, 4 << 20) },
    { runtime: 'ramfs (in vfs)', component: undefined, disk: undefined },
  ];
  type Figures = { create: number; read: number; mount?: number; restart?: number; restartLog?: number };
  const got: Figures[] = [];
  for (const k of kinds) {
    o.onProgress?.(`fs: ${k.runtime}`);
    const script = k.component === undefined ? `mkdir -p /tmp/fsb; fsbench /tmp/fsb ${files} 1 0`
      : `fsbench -m ${k.component}:/dev/blk0 -r ${k.component}:${restarts} /mnt ${files} 1 0; dmesg`;
    const out = await runIn(FS_PRESET, script, [], undefined, k.disk?.());
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { workload: string; per_op_us?: number; total_ms?: number; median_ms?: number });
    const of = (w: string): { per_op_us?: number; total_ms?: number; median_ms?: number } | undefined => lines.find((l) => l.workload === w);
    const create = of('create-fsync')?.per_op_us, read = of('seq-read')?.total_ms;
    if (create === undefined || read === undefined) throw new Error(`bench ext: fsbench on ${k.runtime} printed no figures: ${out.slice(-400)}`);
    const f: Figures = { create, read };
    if (k.component !== undefined) {
      f.mount = of('mount')?.total_ms;
      f.restart = of('restart')?.median_ms;
      // The supervisor's own view: "restarting" to "restarted" in dmesg.
      const at = (re: RegExp): number[] => out.split('\n').filter((l) => re.test(l)).map((l) => Number(/^\[\s*([\d.]+)\]/.exec(l)?.[1] ?? NaN) * 1000);
      const down = at(new RegExp(` ${k.component}: .*; restarting \\(restart \\d+\\)$`)), up = at(new RegExp(` ${k.component}: restarted$`));
      if (down.length === restarts && up.length === restarts) f.restartLog = median(down.map((d, i) => up[i]! - d));
    }
    got.push(f);
  }
  const rows: ExtBenchRow[] = [];
  const base = got[0]!;
  const add = (pick: (f: Figures) => number | undefined, note: string, scale: number): void => {
    kinds.forEach((k, i) => {
      const v = pick(got[i]!), b = pick(base);
      if (v !== undefined && b !== undefined) rows.push({ part: 'fs', runtime: k.runtime, median_ns: v * scale, ratio: v / b, note });
    });
  };
  add((f) => f.create, `create + write 1 KiB + fsync + close, per file (${files} files), ${FS_PRESET}`, 1e3);
  add((f) => f.read, `1 MiB read back in 64 KiB reads, ${FS_PRESET}`, 1e6);
  add((f) => f.mount, `mount(2) of /dev/blk0 (diskfs: header, driver read and hashed, module checked and loaded, fs_mount), ${FS_PRESET}`, 1e6);
  add((f) => f.restart, `fault C crash x ${restarts}: until a file reads back whole (median), ${FS_PRESET}`, 1e6);
  add((f) => f.restartLog, `fault C crash x ${restarts}: dmesg "restarting" to "restarted" (median), ${FS_PRESET}`, 1e6);
  return rows;
}

async function nullSyscall(preset: string, script: string, mounts: { host: string; guest: string; readOnly: boolean }[]): Promise<number[]> {
  const p = loadPreset(preset);
  let out = '', err = '';
  const code = await runMachine({
    preset: p.name, placement: placementFor(p), ipc: p.ipc, stdin: 'none', mounts, init: ['/bin/sh', '-c', script],
    stdout: (b) => { out += Buffer.from(b).toString('utf8'); }, stderr: (b) => { err += Buffer.from(b).toString('utf8'); },
  });
  if (code !== 0) throw new Error(`kbench on ${preset} failed (status ${code}): ${err}`);
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { median_ns: number }).median_ns);
}

export async function benchExt(o: { presets: string[]; runs: number; quick: boolean; parts?: 'driver' | 'fs' | 'bpf'; onProgress?: (what: string) => void }): Promise<ExtBenchResult> {
  const rows: ExtBenchRow[] = o.parts === 'bpf' || o.parts === 'fs' ? [] : await driverRows(o);
  if (o.parts === 'driver') return { machine: machineInfo(), rows };
  if (o.parts === undefined || o.parts === 'fs') rows.push(...await fsRows(o));
  if (o.parts === 'fs') return { machine: machineInfo(), rows };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-bench-ext-'));
  fs.chmodSync(dir, 0o755);
  try {
    const object = new Uint8Array(fs.readFileSync(compile(dir)));
    // One context per syscall number in turn, as a mixed workload would give.
    const contexts = Array.from({ length: o.quick ? 2000 : 20000 }, (_, i) => {
      const ctx = new Uint8Array(64);
      new DataView(ctx.buffer).setBigInt64(8, BigInt(i % 40), true);
      return ctx;
    });
    const samples = Math.max(3, o.runs);
    o.onProgress?.('program: plain TypeScript');
    const plain = timePlain(contexts, samples);
    o.onProgress?.('program: interpreter');
    const interp = await timeProgram(object, 0, contexts, samples);
    o.onProgress?.('program: JIT');
    const jit = await timeProgram(object, 1, contexts, samples);
    const same = (a: Map<string, bigint>): boolean => JSON.stringify([...a].sort().map(String)) === JSON.stringify([...plain.counts].sort().map(String));
    if (!same(interp.counts) || !same(jit.counts)) throw new Error('bench ext: the interpreter, the JIT and plain TypeScript counted differently');
    const base = median(plain.ns);
    for (const [runtime, r] of [['plain TypeScript', plain], ['eBPF interpreter', interp], ['eBPF JIT', jit]] as const) {
      rows.push({ part: 'program', runtime, median_ns: median(r.ns), ratio: median(r.ns) / base, note: `syscount sys_enter, ${contexts.length} contexts x ${samples}` });
    }
    o.onProgress?.('xdp: udpdrop');
    const frames = xdpFrames(o.quick ? 2000 : 20000);
    const plainXdp = timePlainXdp(frames, samples);
    const xdpInterp = await timeXdp(new Uint8Array(fs.readFileSync(path.join(dir, 'udpdrop.o'))), 0, frames, samples);
    const xdpJit = await timeXdp(new Uint8Array(fs.readFileSync(path.join(dir, 'udpdrop.o'))), 1, frames, samples);
    if (xdpInterp.dropped !== plainXdp.dropped || xdpJit.dropped !== plainXdp.dropped) throw new Error('bench ext: udpdrop and its TypeScript twin dropped different frames');
    for (const [runtime, r] of [['plain TypeScript', plainXdp], ['eBPF interpreter', xdpInterp], ['eBPF JIT', xdpJit]] as const) {
      rows.push({ part: 'xdp', runtime, median_ns: median(r.ns), ratio: median(r.ns) / median(plainXdp.ns), note: `udpdrop on ${frames.length} frames (${plainXdp.dropped} dropped) x ${samples}, including the hook's context set-up` });
    }
    for (const preset of o.presets) {
      o.onProgress?.(`sched: ${preset}`);
      const [before, after] = await nullSyscall(preset, 'kbench null; bpftool prog load /obj/fifo.o > /dev/null && kbench null', [{ host: dir, guest: '/obj', readOnly: true }]);
      if (before === undefined || after === undefined) throw new Error(`bench ext: kbench on ${preset} printed no figures`);
      rows.push({ part: 'sched', runtime: `${preset}, pid order (no program)`, median_ns: before, ratio: 1, note: 'null syscall (kbench)' });
      rows.push({ part: 'sched', runtime: `${preset}, fifo on sched/pick_next`, median_ns: after, ratio: after / before, note: 'null syscall, the scheduler asked before it is served' });
    }
    for (const preset of o.presets) {
      o.onProgress?.(`hook: ${preset}`);
      const [before, after] = await nullSyscall(preset, 'kbench null; bpftool prog load /obj/syscount.o > /dev/null && kbench null', [{ host: dir, guest: '/obj', readOnly: true }]);
      if (before === undefined || after === undefined) throw new Error(`bench ext: kbench on ${preset} printed no figures`);
      rows.push({ part: 'hook', runtime: `${preset}, nothing attached`, median_ns: before, ratio: 1, note: 'null syscall (kbench)' });
      rows.push({ part: 'hook', runtime: `${preset}, syscount attached`, median_ns: after, ratio: after / before, note: 'null syscall, sys_enter + sys_exit programs run' });
    }
    return { machine: machineInfo(), rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

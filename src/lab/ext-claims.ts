// Claims C8 and C9, judged from this run's measurements of safe code in the kernel
// (the probes are ext-probe.ts; this file judges only, so the browser lab can use it).
//
// C8 ("a WebAssembly VM inside the kernel avoids context switches and is very fast"):
// from `kernelkit bench ext`'s system rows, a one-sector pread of /dev/blk0 through the
// block driver placed in each domain, measured in several boots each. Two ratios with
// their 95% intervals (the lab's hierarchical bootstrap: runs, then samples), sandbox /
// kernel domain and sandbox / user-domain server. Held when the whole first interval
// is at most C8_NEAR_KERNEL and the whole second below 1; not held when the whole
// second is at or above 1 (no context switch saved); inconclusive otherwise: an
// interval that straddles its threshold, or fast but not near the kernel. Rows without
// per-run samples (one run's medians) cannot give an interval: inconclusive.
//
// C9 ("eBPF-style code is verified and sandboxed and cannot crash the kernel"): the
// hostile eBPF set loaded on every preset, and the same bugs as kernel-domain modules
// (extbug-*) on monolithic. Not held when any hostile program loads or a kernel dies
// while they are refused; held when all are refused, every kernel runs on, and the
// modules show the bugs are real (a panic, a hang or another component's memory
// overwritten); inconclusive when the modules did no harm either (the probe then
// cannot tell a verifier from harmless bugs).

import { judge, formatInterval, type Verdict } from './verdict.js';
import { bootstrapMedian, ratio, type Bootstrapped } from './bootstrap.js';
import { rng } from './seed.js';

/** The bootstrap's seed for C8 (the same samples give the same interval on every host). */
const C8_SEED = 8;

/** The sandboxed driver's call may cost at most this many times the kernel-domain driver's to count as "very fast". */
export const C8_NEAR_KERNEL = 1.25;

/** One row of bench ext's output (lab/bench-ext.ts ExtBenchRow), as the judge reads it. */
export interface ExtRow { part: string; runtime: string; median_ns: number; ratio: number; note: string; runs_ns?: number[][] }

export type C8Input = { tested: false; reason: string } | { tested: true; rows: ExtRow[] };

export interface BpfRefusal { preset: string; bug: string; refused: boolean; message: string }
export type ModuleOutcome = 'panic' | 'hang' | 'corrupted' | 'reached' | 'leaked' | 'none';
export interface ModuleRun { bug: string; outcome: ModuleOutcome; detail: string }
export type C9Probe = { tested: false; reason: string } | { tested: true; ebpf: BpfRefusal[]; alive: Record<string, boolean>; modules: ModuleRun[] };

export interface ExtVerdict { verdict: Verdict; measured: string; reason: string }

const f2 = (x: number): string => x.toFixed(2);

export function judgeC8(input: C8Input): ExtVerdict {
  if (!input.tested) return { verdict: 'not tested', measured: input.reason, reason: input.reason };
  const read = (runtime: string): ExtRow | undefined => input.rows.find((r) => r.part === 'system' && r.runtime === runtime && /one sector/.test(r.note));
  const kernel = read('TypeScript, kernel domain'), user = read('TypeScript, user domain'), sandbox = read('C/WebAssembly, sandbox');
  const unsandboxed = read('C/WebAssembly, unsandboxed'), userWasm = read('C/WebAssembly, user domain');
  if (kernel === undefined || user === undefined || sandbox === undefined) {
    const reason = 'needs bench ext\'s one-sector reads with blk in the kernel domain, a user-domain server and the sandbox';
    return { verdict: 'not tested', measured: reason, reason };
  }
  const s = sandbox.median_ns / kernel.median_ns, u = user.median_ns / kernel.median_ns;
  const us = (r: ExtRow): string => `${(r.median_ns / 1000).toFixed(1)} µs`;
  const measured = `pread of one sector of /dev/blk0 (monolithic, blk placed per column): TypeScript kernel domain ${us(kernel)} (1.00), `
    + `C/WebAssembly sandbox ${us(sandbox)} (${f2(s)}x)${unsandboxed === undefined ? '' : `, the same binary unsandboxed ${us(unsandboxed)} (${f2(unsandboxed.median_ns / kernel.median_ns)}x)`}, `
    + `TypeScript user domain ${us(user)} (${f2(u)}x)${userWasm === undefined ? '' : `, C/WebAssembly user domain ${us(userWasm)} (${f2(userWasm.median_ns / kernel.median_ns)}x)`}`;
  if (kernel.runs_ns === undefined || user.runs_ns === undefined || sandbox.runs_ns === undefined) {
    return { verdict: 'inconclusive', measured: `${measured}; medians of one run, no interval`, reason: 'no per-run samples, so no interval: one run\'s medians cannot decide the claim' };
  }
  const random = rng(C8_SEED);
  const boot = (r: ExtRow): Bootstrapped => bootstrapMedian(r.runs_ns!, random);
  const k = boot(kernel), sb = boot(sandbox), ub = boot(user);
  const near = ratio(sb, k), vsUser = ratio(sb, ub);
  const runs = Math.min(kernel.runs_ns.length, user.runs_ns.length, sandbox.runs_ns.length);
  const withCi = `${measured}; sandbox / kernel ${formatInterval(near, 'x')}, sandbox / user ${formatInterval(vsUser, 'x')} (medians of ${runs} runs each, hierarchical bootstrap)`;
  const nearJ = judge('sandbox / kernel domain', near, C8_NEAR_KERNEL, 'at-most');
  const userJ = judge('sandbox / user-domain server', vsUser, 1, 'at-most');
  if (nearJ.verdict === 'not tested' || userJ.verdict === 'not tested') return { verdict: 'not tested', measured: withCi, reason: `${nearJ.reason}; ${userJ.reason}` };
  if (vsUser.low >= 1) return { verdict: 'not held', measured: withCi, reason: `${userJ.reason}: the sandboxed driver costs as much as a user-domain server or more, no context switch saved` };
  if (nearJ.verdict === 'held' && vsUser.high < 1) return { verdict: 'held', measured: withCi, reason: `${nearJ.reason}; ${userJ.reason.replace(/≤ 1\.00x$/, '< 1.00x')}` };
  if (nearJ.verdict === 'not held' && vsUser.high < 1) return { verdict: 'inconclusive', measured: withCi, reason: `the sandboxed driver beats a user-domain server, but is not within ${C8_NEAR_KERNEL}x of the kernel domain: ${nearJ.reason}` };
  return { verdict: 'inconclusive', measured: withCi, reason: `${nearJ.reason}; ${userJ.reason}` };
}

const HARM: readonly ModuleOutcome[] = ['panic', 'hang', 'corrupted'];

export function judgeC9(probe: C9Probe): ExtVerdict {
  if (!probe.tested) return { verdict: 'not tested', measured: probe.reason, reason: probe.reason };
  const presets = Object.keys(probe.alive);
  const loaded = probe.ebpf.filter((e) => !e.refused);
  const dead = presets.filter((p) => !probe.alive[p]);
  const harm = probe.modules.filter((m) => HARM.includes(m.outcome));
  const bugs = [...new Set(probe.ebpf.map((e) => e.bug))];
  const measured = `eBPF: ${probe.ebpf.length - loaded.length} of ${probe.ebpf.length} hostile loads refused (${bugs.length} programs x ${presets.join(', ')}), kernel ${dead.length === 0 ? 'alive after every one' : `dead on ${dead.join(', ')}`}; `
    + `the same bugs as kernel-domain modules on monolithic: ${probe.modules.map((m) => `${m.bug} ${m.outcome}`).join(', ')}`;
  if (loaded.length > 0) return { verdict: 'not held', measured, reason: `loaded: ${loaded.map((e) => `${e.bug} on ${e.preset}`).join(', ')}` };
  if (dead.length > 0) return { verdict: 'not held', measured, reason: `the kernel died while hostile programs were refused on ${dead.join(', ')}` };
  if (harm.length === 0) return { verdict: 'inconclusive', measured, reason: 'every hostile program was refused, but the same bugs did no harm as modules either, so the probe cannot tell the verifier from harmless bugs' };
  return { verdict: 'held', measured, reason: `every hostile program refused with the verifier's reason on every preset, while as modules ${harm.length} of ${probe.modules.length} bugs ${[...new Set(harm.map((m) => m.outcome))].join(' or ')} the monolithic kernel` };
}

// The figures of the lab's network section (bench-net.ts measures them) and claim C7
// judged from them. Plain data and judging only, no Node module: the browser lab's
// page judges a loaded results.json with it too.

import { judge, formatInterval, type Judgement } from './verdict.js';

/**
 * guest-guest: two machines, one cable (segmentation offload on); guest-guest-no-offload:
 * the same with the NICs offering no offload; loopback: 127.0.0.1 in one machine;
 * bridge: frames through a bridge machine.
 */
export type NetPath = 'guest-guest' | 'guest-guest-no-offload' | 'loopback' | 'bridge';

export interface NetRow {
  /** A preset, or 'linux' (the host's own TCP over 127.0.0.1). */
  preset: string;
  path: NetPath;
  /** Where the stack (net) runs, or for the bridge row the bridge; NIC drivers beside. */
  placement: string;
  MBps: number | null;
  ci95_low: number | null;
  ci95_high: number | null;
  /** bridge rows: frames forwarded per second (1514-byte frames), with interval. */
  frames_per_s?: { value: number; ci95_low: number; ci95_high: number };
  /** Monolithic's MB/s on the same path over this cell's (above 1: slower than monolithic). */
  slowdown_vs_monolithic: number | null;
  slowdown_ci95_low: number | null;
  slowdown_ci95_high: number | null;
  /** Each round's own median MB/s. */
  run_MBps: number[];
  runs: number;
  /** Transfers (blasts) measured over all rounds. */
  samples: number;
  /** Every transfer arrived whole (byte counts and checksums agree; bridge: each frame byte for byte). */
  intact: boolean;
  /** guest-guest-no-offload rows: the same preset's guest-guest MB/s (offload on) over this row's, with interval. */
  offload_speedup?: { value: number; ci95_low: number; ci95_high: number };
  /** Bridge rows: frames the bridge did not forward, over all rounds. */
  lost_frames?: number;
  note?: string;
}

/** One of the goals for the network, checked on a run's figures. */
export interface NetGoal { goal: string; verdict: 'met' | 'missed' | 'inconclusive' | 'not tested'; measured: string }

/** Kernel-domain bridge throughput over user-domain: held at or above this (whole 95% interval). */
export const C7_THRESHOLD = 1.1;

/**
 * C7 ("bridging two network devices inside the kernel avoids context switches and
 * raises throughput"), from the bridge rows: monolithic's (bridge and both drivers in
 * the kernel domain) against microkernel's (each in its own server). Held when the
 * kernel domain forwards at least C7_THRESHOLD times the user domain's MB/s over the
 * whole 95% interval of the ratio (the microkernel row's slowdown against monolithic),
 * not held when the whole interval is below it, inconclusive when it straddles it.
 * Not tested when either row is missing, and when either bridge damaged a frame (a
 * broken bridge's speed says nothing about the claim).
 */
export function judgeC7(rows: readonly NetRow[] | undefined): Judgement & { measured: string } {
  const bridge = (preset: string): NetRow | undefined => rows?.find((x) => x.path === 'bridge' && x.preset === preset && x.MBps !== null);
  const k = bridge('monolithic'), u = bridge('microkernel');
  if (k === undefined || u === undefined) return { verdict: 'not tested', reason: 'needs the bridge rows of monolithic and microkernel (kernelkit bench net, the lab\'s network section)', measured: 'needs the bridge rows of monolithic and microkernel' };
  const fps = (r: NetRow): string => (r.frames_per_s === undefined ? '' : `, ${r.frames_per_s.value} frames/s [${r.frames_per_s.ci95_low}–${r.frames_per_s.ci95_high}]`);
  const measured = `bridge in the kernel domain (monolithic: ${k.placement}) ${k.MBps} MB/s [95% CI ${k.ci95_low}–${k.ci95_high}]${fps(k)}; in the user domain (microkernel: ${u.placement}) ${u.MBps} MB/s [${u.ci95_low}–${u.ci95_high}]${fps(u)}; thread hops per frame between the components: 0 in the kernel domain, 2 per frame (the transmit call and its answer) plus 2 per batch of up to 64 (the receive call) in the user domain`;
  if (!k.intact || !u.intact) return { verdict: 'not tested', reason: `a bridge damaged frames (${!k.intact ? 'monolithic' : 'microkernel'}): its speed says nothing about the claim`, measured };
  if (u.slowdown_vs_monolithic === null || u.slowdown_ci95_low === null || u.slowdown_ci95_high === null) return { verdict: 'not tested', reason: 'no ratio between the two bridge rows', measured };
  const j = judge('kernel-domain / user-domain bridge throughput', { point: u.slowdown_vs_monolithic, low: u.slowdown_ci95_low, high: u.slowdown_ci95_high }, C7_THRESHOLD, 'at-least');
  return { ...j, measured: `${measured}; kernel / user ${formatInterval({ point: u.slowdown_vs_monolithic, low: u.slowdown_ci95_low, high: u.slowdown_ci95_high }, 'x')}` };
}

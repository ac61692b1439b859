// `kernelkit bench ipc`: per preset and transport, the median and p99 of a null
// syscall, of getpid (answered by pm), and of an IPC round trip to the echo component
// (ipcping: process -> kernel -> echo -> kernel -> process); in the same run the
// physical references: the raw two-thread spin round trip, and direct two-thread
// channel round trips over the system's shm ring and over a MessagePort. Every figure
// also as a ratio to the raw spin round trip measured here.

import { machineInfo, type MachineInfo } from './machine-info.js';
import { spinRoundTrip, ringRoundTrip, portRoundTrip } from './reference.js';
import { cells, runKbench, type Transport } from './boot.js';
import { round } from './stats.js';

export interface BenchIpcRow { preset: string; ipc: string; measure: string; median_ns: number; p99_ns: number; ratio_to_reference: number }
export interface BenchIpcResult { machine: MachineInfo; reference_spin_rt_ns: number; results: BenchIpcRow[] }

/** What each measure means, for tables and docs. */
export const MEASURES: Record<string, string> = {
  'null-syscall': 'SYS.null from a process: trap to the kernel core and back',
  'getpid': 'getpid from a process: kernel + pm (a pm server message under microkernel)',
  'ipcping': 'ipcping(0): process -> kernel -> echo component -> kernel -> process',
  'kernel-echo-rt': 'ipcping median minus a null-syscall median timed alternately with it (derived): the kernel <-> echo leg',
  'spin-rt': 'reference: raw spin round trip between two threads on a SharedArrayBuffer',
  'ring-channel-rt': 'reference: direct two-thread channel, lib ring + codec + spin-then-wait, no kernel',
  'port-channel-rt': 'reference: direct two-thread MessagePort round trip (postMessage)',
};

export interface BenchIpcOptions { presets: string[]; transports: Transport[]; scale: number; onProgress?: (what: string) => void }

export async function benchIpc(o: BenchIpcOptions): Promise<BenchIpcResult> {
  const machine = machineInfo();
  const n = (base: number): number => Math.max(100, Math.round(base * o.scale));
  o.onProgress?.('reference: raw spin round trip');
  const spin = await spinRoundTrip(n(200000));
  const ref = spin.median;
  const rows: BenchIpcRow[] = [];
  const add = (preset: string, ipc: string, measure: string, median: number, p99: number): void => {
    rows.push({ preset, ipc, measure, median_ns: Math.round(median), p99_ns: Math.round(p99), ratio_to_reference: round(median / ref, 1) });
  };
  add('-', '-', 'spin-rt', spin.median, spin.p99);
  if (o.transports.includes('shm')) {
    o.onProgress?.('reference: shm ring channel');
    const ring = await ringRoundTrip(n(20000));
    add('-', 'shm', 'ring-channel-rt', ring.median, ring.p99);
  }
  if (o.transports.includes('postmessage')) {
    o.onProgress?.('reference: MessagePort channel');
    const port = await portRoundTrip(n(5000));
    add('-', 'postmessage', 'port-channel-rt', port.median, port.p99);
  }
  for (const c of cells(o.presets, o.transports)) {
    o.onProgress?.(`${c.preset} (${c.ipc}): null, getpid, ipcping`);
    const lines = await runKbench(c.preset, c.ipc, ['null', 'getpid', 'ipc-kernel'], o.scale);
    const get = (w: string): { median_ns: number; p99_ns: number } => {
      const l = lines.find((x) => x.workload === w);
      if (l === undefined || l.error !== undefined) throw new Error(`kbench ${w} on ${c.preset}/${c.ipc}: ${l?.error ?? 'no result'}`);
      return l;
    };
    const ipc = c.ipc === 'direct' ? 'none' : c.ipc;
    const nul = get('null'), pid = get('getpid');
    const pair = (lines.find((x) => x.workload === 'ipc-kernel')?.extra) ?? {};
    add(c.preset, ipc, 'null-syscall', nul.median_ns, nul.p99_ns);
    add(c.preset, ipc, 'getpid', pid.median_ns, pid.p99_ns);
    add(c.preset, ipc, 'ipcping', pair.ipcping_median_ns ?? NaN, pair.ipcping_p99_ns ?? NaN);
    // Derived from two series timed alternately in this boot; a difference has no p99
    // (JSON: null). Negative means the echo leg is below this host's noise.
    const leg = (pair.ipcping_median_ns ?? NaN) - (pair.null_median_ns ?? NaN);
    rows.push({ preset: c.preset, ipc, measure: 'kernel-echo-rt', median_ns: Math.round(leg), p99_ns: NaN, ratio_to_reference: round(leg / ref, 1) });
  }
  return { machine, reference_spin_rt_ns: Math.round(ref), results: rows };
}

// `kernelkit bench ipc`: per preset and transport, the median and p99 of a null
// syscall, of getpid (answered by pm), of an IPC round trip to the echo component
// (ipcping: process -> kernel -> echo -> kernel -> process), and of a round trip
// between two components timed inside one of them (server-server-rt); in the same
// run the physical references: the raw two-thread spin round trip, the kernel's own
// shm channel code between two bare threads (channel-rt), the lib ring alone, and a
// MessagePort; and the host OS itself (native). Every figure also as a ratio to the
// raw spin round trip measured here.

import { machineInfo, type MachineInfo } from './machine-info.js';
import { spinRoundTrip, ringRoundTrip, portRoundTrip, channelReference } from './reference.js';
import { cells, runKbench, NotMeasured, type Transport, type KbenchLine } from './boot.js';
import { buildNative, runNative } from './native.js';
import { round } from './stats.js';

export interface BenchIpcRow {
  preset: string; ipc: string; measure: string;
  median_ns: number | null; p99_ns: number | null; ratio_to_reference: number | null;
  /** Only on a row with no figures: why ("not measured: ..."). */
  note?: string;
}
export interface BenchIpcResult { machine: MachineInfo; reference_spin_rt_ns: number; results: BenchIpcRow[] }

/** What each measure means, for tables and docs. */
export const MEASURES: Record<string, string> = {
  'null-syscall': 'SYS.null from a process: trap to the kernel core and back (native: syscall(SYS_getpid), batches of 100)',
  'getpid': 'getpid from a process: kernel + pm (a pm server message under microkernel; native: syscall(SYS_getpid))',
  'ipcping': 'ipcping(0): process -> kernel -> echo component -> kernel -> process (native: 1-byte round trip to a forked child over two pipes)',
  'kernel-echo-rt': 'ipcping median minus a null-syscall median timed alternately with it (derived): the kernel <-> echo leg',
  'server-server-rt': 'ipcbench -> echo, timed inside the ipcbench component: under microkernel/hybrid two user-domain servers over their channel (shm: direct between the two threads; mach and postmessage: relayed by the kernel thread, ipcbench -> kernel -> echo and back); under monolithic a direct call in the kernel domain',
  'spin-rt': 'reference: raw spin round trip between two threads on a SharedArrayBuffer',
  'channel-rt': 'reference: the kernel\'s own shm channel (kernel/ipc ShmEndpoint + Rpc over lib/ring, the fixed wire of echo\'s service, default spins) between two bare threads, no OS booted',
  'ring-channel-rt': 'reference: lib ring + codec + spin-then-wait between two threads, no kernel code',
  'port-channel-rt': 'reference: direct two-thread MessagePort round trip (postMessage)',
};

export interface BenchIpcOptions { presets: string[]; transports: Transport[]; scale: number; native?: boolean; onProgress?: (what: string) => void }

export async function benchIpc(o: BenchIpcOptions): Promise<BenchIpcResult> {
  const machine = machineInfo();
  const n = (base: number): number => Math.max(100, Math.round(base * o.scale));
  o.onProgress?.('reference: raw spin round trip');
  const spin = await spinRoundTrip(n(200000));
  const ref = spin.median;
  const rows: BenchIpcRow[] = [];
  const add = (preset: string, ipc: string, measure: string, median: number, p99: number): void => {
    // The ratio of the figure as printed (rounded to the ns), so a reader's division agrees.
    const shown = Math.round(median);
    rows.push({
      preset, ipc, measure, median_ns: Number.isFinite(median) ? shown : null, p99_ns: Number.isFinite(p99) ? Math.round(p99) : null,
      ratio_to_reference: Number.isFinite(median) ? round(shown / Math.round(ref), 1) : null,
    });
  };
  const missing = (preset: string, ipc: string, measure: string, note: string): void => {
    rows.push({ preset, ipc, measure, median_ns: null, p99_ns: null, ratio_to_reference: null, note });
  };
  add('-', '-', 'spin-rt', spin.median, spin.p99);
  if (o.transports.includes('shm')) {
    o.onProgress?.('reference: the kernel\'s shm channel between two threads');
    const ch = await channelReference(n(20000));
    add('-', 'shm', 'channel-rt', ch.median, ch.p99);
    o.onProgress?.('reference: lib ring channel');
    const ring = await ringRoundTrip(n(20000));
    add('-', 'shm', 'ring-channel-rt', ring.median, ring.p99);
  }
  if (o.transports.includes('postmessage')) {
    o.onProgress?.('reference: MessagePort channel');
    const port = await portRoundTrip(n(5000));
    add('-', 'postmessage', 'port-channel-rt', port.median, port.p99);
  }
  const measures = ['null-syscall', 'getpid', 'ipcping', 'kernel-echo-rt', 'server-server-rt'];
  for (const c of cells(o.presets, o.transports)) {
    const ipc = c.ipc === 'direct' ? 'none' : c.ipc;
    o.onProgress?.(`${c.preset} (${ipc}): null, getpid, ipcping, server-server`);
    let lines: KbenchLine[];
    try {
      lines = await runKbench(c.preset, c.ipc, ['null', 'getpid', 'ipc-kernel', 'server'], o.scale);
    } catch (e) {
      if (!(e instanceof NotMeasured)) throw e;
      for (const m of measures) missing(c.preset, ipc, m, e.message);
      continue;
    }
    const get = (w: string): KbenchLine => {
      const l = lines.find((x) => x.workload === w);
      if (l === undefined || l.error !== undefined) throw new Error(`kbench ${w} on ${c.preset}/${c.ipc}: ${l?.error ?? 'no result'}`);
      return l;
    };
    const nul = get('null'), pid = get('getpid'), server = get('server');
    const pair = get('ipc-kernel').extra ?? {};
    add(c.preset, ipc, 'null-syscall', nul.median_ns, nul.p99_ns);
    add(c.preset, ipc, 'getpid', pid.median_ns, pid.p99_ns);
    add(c.preset, ipc, 'ipcping', pair.ipcping_median_ns ?? NaN, pair.ipcping_p99_ns ?? NaN);
    // Derived from two series timed alternately in this boot; a difference has no p99
    // (JSON: null). Negative means the echo leg is below this host's noise.
    const leg = (pair.ipcping_median_ns ?? NaN) - (pair.null_median_ns ?? NaN);
    rows.push({ preset: c.preset, ipc, measure: 'kernel-echo-rt', median_ns: Math.round(leg), p99_ns: null, ratio_to_reference: round(Math.round(leg) / Math.round(ref), 1) });
    add(c.preset, ipc, 'server-server-rt', server.median_ns, server.p99_ns);
  }
  if (o.native !== false) {
    o.onProgress?.('native: the host OS');
    const b = buildNative();
    const names: Record<string, string> = { null: 'null-syscall', getpid: 'getpid', ipc: 'ipcping' };
    if (!b.ok) for (const m of Object.values(names)) missing('native', 'none', m, b.reason);
    else {
      for (const l of await runNative(b, Object.keys(names), o.scale, 0)) {
        if (l.error !== undefined) missing('native', 'none', names[l.workload]!, `not measured: ${l.error}`);
        else add('native', 'none', names[l.workload]!, l.median_ns, l.p99_ns);
      }
    }
  }
  return { machine, reference_spin_rt_ns: Math.round(ref), results: rows };
}

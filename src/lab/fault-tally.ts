// The host-independent half of a fault campaign (faults.ts runs it on Node, the
// browser lab in a page): the seeded schedule of faults, the payload kbench writes,
// and the reading of one boot's kbench lines into counts.

import { rng } from './seed.js';
import { summarize, round } from './stats.js';

export interface FaultCell {
  preset: string;
  component: string;
  type: string;
  injected: number;
  survived_pct: number;
  completed_pct: number;
  recovery_ms_p50: number | null;
  recovery_ms_p99: number | null;
  failed_requests: number;
  data_lost: number;
  corruption_caught: number;
  /** /tmp files (ramfs) that vanished with a vfs restart: volatile, not durable data. */
  volatile_lost: number;
  /** Machines booted for this cell (1 + panics + stuck + failed boots). */
  boots: number;
  /** Boots that stopped answering without a panic (a request that never completed): given up after a timeout. */
  stuck: number;
  panics: number;
  /** Boots that ended before the workload said anything (no fault met yet): booted again. */
  failed_boots: number;
  ops: number;
  /** Boots whose system files (/bin, /etc/motd) were found damaged: a server corrupted without crashing. */
  damaged_boots: number;
  /** Of those, the % whose files were all intact again at the end (the damaged server restarted); null when none was damaged. */
  damage_recovered_pct: number | null;
  /** Network cells (nic, net): established connections when the faults were armed, summed over the faults. */
  connections_open: number;
  /** Network cells: established connections that broke (an error or a stall past the workload's deadline); each was made again. */
  connections_lost: number;
}

/** Components whose cells run the network workload (faults.ts gives their machines a NIC on `--net user` and host echo servers). */
export const NET_COMPONENTS: readonly string[] = ['nic', 'net'];
export const isNetCell = (component: string): boolean => NET_COMPONENTS.includes(component);

export interface PlannedFault { gap: number; component: string; type: string }

/** The schedule of one cell: the same seed gives the same schedule. */
export function faultSchedule(seed: number, preset: string, component: string, type: string, n: number): PlannedFault[] {
  let h = seed >>> 0;
  for (const ch of `${preset}/${component}/${type}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const random = rng(h);
  return Array.from({ length: n }, () => ({ gap: 1 + Math.floor(random() * 4), component, type }));
}

/** The same bytes as kbench's payload() (checked by test/lab). */
export function payload(seed: number, op: number, bytes = 1024): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = (seed ^ Math.imul(op + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < bytes; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff; }
  return out;
}

/** What one boot of `kbench faults` reported (src/user/bin/kbench.ts, its stdout lines). */
export interface BootTally {
  /** Index in this boot's batch of the fault armed last (-1: none). */
  armedInBoot: number;
  /** The last operation reported. */
  lastOp: number;
  /** The workload ran its batch to the end. */
  done: boolean;
  acked: number[];
  failed: number;
  corruption: number;
  volatile: number;
  /** Operations in flight when a fault was armed that completed. */
  completed: number;
  recoveries: number[];
  /** A system file (not /tmp, not a block) was found corrupted. */
  damaged: boolean;
  /** System files still damaged at the end. */
  damageLeft: number;
  /** Network workload: chunks echoed and verified (`A op conn offset`), connections open at each fault (`T`), connections broken (`L`). */
  netAcks: { op: number; conn: number; offset: number }[];
  connectionsOpen: number;
  connectionsLost: number;
  /** Connections open when the last fault was armed, and those of them reported broken since (a panic after it breaks the rest). */
  openAtLastFault: number;
  lostSinceLastFault: number;
}

/** Reads one boot's lines; `op` is the first operation of the boot. */
export function readFaultBoot(lines: readonly string[], op: number): BootTally {
  const t: BootTally = { armedInBoot: -1, lastOp: op - 1, done: false, acked: [], failed: 0, corruption: 0, volatile: 0, completed: 0, recoveries: [], damaged: false, damageLeft: 0, netAcks: [], connectionsOpen: 0, connectionsLost: 0, openAtLastFault: 0, lostSinceLastFault: 0 };
  const opAfterFault = new Map<number, number>();
  for (const line of lines) {
    const [tag, a, b, c] = line.trim().split(' ');
    if (tag === 'F') { t.armedInBoot = Number(a); opAfterFault.set(t.armedInBoot, t.lastOp + 1); }
    else if (tag === 'A' && c !== undefined) t.netAcks.push({ op: Number(a), conn: Number(b), offset: Number(c) });
    else if (tag === 'A') t.acked.push(Number(a));
    else if (tag === 'T') { t.connectionsOpen += Number(b); t.openAtLastFault = Number(b); t.lostSinceLastFault = 0; }
    else if (tag === 'L') { t.connectionsLost++; t.lostSinceLastFault++; }
    else if (tag === 'E') t.failed++;
    else if (tag === 'C') { t.corruption++; if (b !== undefined && b.startsWith('/') && !b.startsWith('/tmp/')) t.damaged = true; }
    else if (tag === 'D') t.damageLeft++;
    else if (tag === 'V') t.volatile++;
    else if (tag === 'O') { t.lastOp = Number(a); const k = [...opAfterFault.entries()].find(([, v]) => v === t.lastOp); if (k !== undefined && b === 'ok') t.completed++; }
    else if (tag === 'R') t.recoveries.push(Number(b));
    else if (tag === 'DONE') t.done = true;
  }
  return t;
}

/** A cell's counts as the campaign kept them, made into its row. */
export interface CellCounts {
  preset: string; component: string; type: string;
  /** Faults in the schedule, and how far the campaign got through it. */
  scheduled: number; next: number;
  survivedFaults: number; completed: number; recoveries: number[]; failed: number; lost: number; corruption: number; volatile: number;
  boots: number; panics: number; stuck: number; ops: number;
  /** Boots that ended before the workload said anything (default 0). */
  failedBoots?: number;
  /** Boots with damaged system files, and those repaired by the end (default 0). */
  damagedBoots?: number;
  repairedBoots?: number;
  /** Network cells: connections open at the faults, and those broken (default 0). */
  connectionsOpen?: number;
  connectionsLost?: number;
}

export function faultCell(c: CellCounts): FaultCell {
  const injected = Math.min(c.next, c.scheduled);
  const rec = summarize(c.recoveries);
  return {
    preset: c.preset, component: c.component, type: c.type, injected,
    survived_pct: injected === 0 ? 0 : round((100 * c.survivedFaults) / injected, 1),
    completed_pct: injected === 0 ? 0 : round((100 * c.completed) / injected, 1),
    recovery_ms_p50: c.recoveries.length > 0 ? round(rec.median, 2) : null,
    recovery_ms_p99: c.recoveries.length > 0 ? round(rec.p99, 2) : null,
    failed_requests: c.failed, data_lost: c.lost, corruption_caught: c.corruption, volatile_lost: c.volatile, boots: c.boots, panics: c.panics, stuck: c.stuck, failed_boots: c.failedBoots ?? 0, ops: c.ops,
    damaged_boots: c.damagedBoots ?? 0,
    damage_recovered_pct: (c.damagedBoots ?? 0) === 0 ? null : round((100 * (c.repairedBoots ?? 0)) / c.damagedBoots!, 1),
    connections_open: c.connectionsOpen ?? 0, connections_lost: c.connectionsLost ?? 0,
  };
}

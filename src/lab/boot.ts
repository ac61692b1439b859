// Booting one machine for the lab: a preset, a transport, a command line or argv for
// init; collects the console output. One machine at a time (two cores only).

import { runMachine, type MachineOptions } from '../hosts/node/machine.js';
import { loadPreset, placementFor, presetNames } from '../hosts/presets.js';
import { TRANSPORTS } from '../presets/schema.js';
import { parseKbench, type KbenchLine } from './kbench-lines.js';

/** The transports the lab knows; `supportedTransport` says which this build boots. */
export const LAB_TRANSPORTS = ['shm', 'postmessage', 'mach'] as const;
export type Transport = typeof LAB_TRANSPORTS[number];

/** Why this build cannot boot `t`, or undefined if it can. */
export function unsupportedTransport(t: Transport): string | undefined {
  const known: readonly string[] = TRANSPORTS;
  return known.includes(t) ? undefined : `not measured: this build's kernel has no '${t}' transport (it knows ${known.join(', ')})`;
}

export interface BootResult { status: number; stdout: string; stderr: string; ms: number }

export interface BootOptions {
  preset: string;
  ipc?: Transport;
  argv: string[];
  disk?: string;
  watchdogMs?: number;
  params?: MachineOptions['params'];
  /** Host directories shared into the guest. */
  mounts?: MachineOptions['mounts'];
}

export async function bootAndRun(o: BootOptions): Promise<BootResult> {
  const p = loadPreset(o.preset);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const t0 = performance.now();
  const status = await runMachine({
    // NOTE: checked against the build's own list by the callers (unsupportedTransport).
    preset: p.name, placement: placementFor(p), ipc: (o.ipc ?? p.ipc) as MachineOptions['ipc'], init: o.argv, stdin: 'none',
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)),
    ...(o.disk !== undefined ? { disk: o.disk } : {}),
    ...(o.watchdogMs !== undefined ? { watchdogMs: o.watchdogMs } : {}),
    ...(o.params !== undefined ? { params: o.params } : {}),
    ...(o.mounts !== undefined ? { mounts: o.mounts } : {}),
  });
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - t0 };
}

/** Whether a preset places any component in the user domain (so it has a transport). */
export function hasUserDomain(preset: string): boolean {
  return Object.values(loadPreset(preset).placement).some((d) => d === 'user');
}

export { presetNames };

/** The (preset, transport) cells to measure: a preset with no user domain once ('direct'). */
export function cells(presets: string[], transports: Transport[]): { preset: string; ipc: Transport | 'direct' }[] {
  const out: { preset: string; ipc: Transport | 'direct' }[] = [];
  for (const preset of presets) {
    if (!hasUserDomain(preset)) out.push({ preset, ipc: 'direct' });
    else for (const t of transports) out.push({ preset, ipc: t });
  }
  return out;
}

export { parseKbench, type KbenchLine };

/**
 * Tunables of the lab's timing boots. NOTE: on a crowded host (load 20 on two cores)
 * a user-domain server can take more than the default 1 s heartbeat timeout to start,
 * and the supervisor kills it as hung: the boot panics ("server thread exited during
 * start") before anything is measured. Timing boots inject no faults, so they wait
 * longer; the fault campaigns keep the default.
 */
export const MEASURING_PARAMS: MachineOptions['params'] = { heartbeatTimeoutMs: 10000 };

/** A cell that could not be measured, with the reason (a refused transport, a failed boot). */
export class NotMeasured extends Error {}

/**
 * Boots (preset, ipc) and runs kbench with `workloads` (keeping up to `keep` samples
 * per line); throws NotMeasured when the transport is unknown to this build or the
 * boot printed nothing.
 */
export async function runKbench(preset: string, ipc: Transport | 'direct', workloads: string[], scale: number, keep = 0): Promise<KbenchLine[]> {
  const refused = ipc === 'direct' ? undefined : unsupportedTransport(ipc);
  if (refused !== undefined) throw new NotMeasured(refused);
  let r: BootResult;
  try {
    r = await bootAndRun({
      preset, ipc: ipc === 'direct' ? undefined : ipc, argv: ['/bin/kbench', '-s', String(scale), ...(keep > 0 ? ['-S', String(keep)] : []), ...workloads],
      watchdogMs: 10000, params: MEASURING_PARAMS,
    });
  } catch (e) {
    throw new NotMeasured(`not measured: the boot failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const lines = parseKbench(r.stdout);
  if (lines.length === 0) throw new NotMeasured(`not measured: kbench on ${preset}/${ipc} printed nothing (status ${r.status}): ${r.stderr.trim().split('\n').filter((l) => l.length > 0).slice(-1)[0] ?? ''}`);
  return lines;
}

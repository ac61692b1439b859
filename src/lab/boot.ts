// Booting one machine for the lab: a preset, a transport, a command line or argv for
// init; collects the console output. One machine at a time (two cores only).

import { runMachine, type MachineOptions } from '../hosts/node/machine.js';
import { loadPreset, placementFor, presetNames } from '../hosts/presets.js';

export type Transport = 'shm' | 'mach' | 'postmessage';

export interface BootResult { status: number; stdout: string; stderr: string; ms: number }

export interface BootOptions {
  preset: string;
  ipc?: Transport;
  argv: string[];
  disk?: string;
  watchdogMs?: number;
  params?: MachineOptions['params'];
}

export async function bootAndRun(o: BootOptions): Promise<BootResult> {
  const p = loadPreset(o.preset);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const t0 = performance.now();
  const status = await runMachine({
    preset: p.name, placement: placementFor(p), ipc: o.ipc ?? p.ipc, init: o.argv, stdin: 'none',
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)),
    ...(o.disk !== undefined ? { disk: o.disk } : {}),
    ...(o.watchdogMs !== undefined ? { watchdogMs: o.watchdogMs } : {}),
    ...(o.params !== undefined ? { params: o.params } : {}),
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

export interface KbenchLine {
  workload: string; n: number; median_ns: number; p99_ns: number; mean_ns: number;
  throughput?: number; unit?: string; extra?: Record<string, number>; error?: string;
}

/** Parses kbench's JSON lines out of console output. */
export function parseKbench(stdout: string): KbenchLine[] {
  const out: KbenchLine[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try { out.push(JSON.parse(t) as KbenchLine); } catch { /* not ours */ }
  }
  return out;
}

/** Boots (preset, ipc) and runs kbench with `workloads`; throws when kbench could not run. */
export async function runKbench(preset: string, ipc: Transport | 'direct', workloads: string[], scale: number): Promise<KbenchLine[]> {
  const r = await bootAndRun({ preset, ipc: ipc === 'direct' ? undefined : ipc, argv: ['/bin/kbench', '-s', String(scale), ...workloads], watchdogMs: 10000 });
  const lines = parseKbench(r.stdout);
  if (lines.length === 0) throw new Error(`kbench on ${preset}/${ipc} printed nothing (status ${r.status}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
  return lines;
}

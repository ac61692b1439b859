// Boots kernelkit in-process for system tests and collects the console output.
import { runMachine, type MachineOptions } from '../../src/hosts/node/machine.js';
import { loadPreset, placementFor } from '../../src/hosts/presets.js';
import type { LeakReport } from '../../src/kernel/platform.js';

export const PRESETS = ['monolithic', 'microkernel', 'hybrid'] as const;

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  /** What the kernel still held at halt; undefined after a panic. */
  leaks: LeakReport | undefined;
}

export async function boot(preset: string, init: string[], extra: Partial<MachineOptions> & { place?: string } = {}): Promise<RunResult> {
  const p = loadPreset(preset);
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let leaks: LeakReport | undefined;
  const status = await runMachine({
    preset: p.name, placement: placementFor(p, extra.place), ipc: extra.ipc ?? p.ipc, init, stdin: 'none',
    stdout: (b) => out.push(b.slice()), stderr: (b) => err.push(b.slice()), onHalt: (l) => { leaks = l; }, ...extra,
  });
  const text = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('utf8');
  return { status, stdout: text(out), stderr: text(err), leaks };
}

/** Runs a command line in sh, like `kernelkit run`. */
export function sh(preset: string, line: string, extra: Partial<MachineOptions> & { place?: string } = {}): Promise<RunResult> {
  return boot(preset, ['/bin/sh', '-c', line], extra);
}

/** The check every system test ends with: nothing is left behind at halt. */
export function noLeaks(r: RunResult): string | undefined {
  if (r.leaks === undefined) return 'no halt report (did the kernel panic?)';
  const { processes, openFiles, ipcInFlight } = r.leaks;
  if (processes !== 0 || openFiles !== 0 || ipcInFlight !== 0) return `leaked: ${processes} processes, ${openFiles} open files, ${ipcInFlight} IPC calls`;
  return undefined;
}

// What the numbers were measured on: CPU, cores, memory, Node, OS, load. Every lab
// output carries this beside its figures.

import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memory_gib: number;
  node: string;
  os: string;
  hostname: string;
  /** 1-minute load average when the run started: other work on the host skews timing. */
  loadavg_1m: number;
  date: string;
}

/**
 * A line to print beside the figures when the host is busier than its cores (load
 * averages above the core count), or undefined: spin-waits only pay when the partner
 * holds another core, so on a busy host latencies measure the scheduler.
 */
export function busyWarning(cores: number, ...loads: number[]): string | undefined {
  const worst = Math.max(...loads);
  if (!(worst > cores)) return undefined;
  return `warning: the host is busy (load ${worst} on ${cores} cores): latencies here include waiting for a core (bimodal: ~1 µs when a spinning partner holds one, tens of µs when not); compare ratios within this run, and take absolute figures on a quiet machine`;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    hostname: os.hostname(),
    loadavg_1m: Math.round(os.loadavg()[0]! * 100) / 100,
    date: new Date().toISOString(),
  };
}

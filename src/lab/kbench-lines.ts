// kbench's output as the lab reads it: one JSON line per workload run inside a booted
// machine. Shared by the lab on Node (boot.ts) and the browser lab's in-page runs
// (src/web/timing.ts), so both read the same lines the same way.

export interface KbenchLine {
  workload: string; n: number; median_ns: number; p99_ns: number; mean_ns: number;
  throughput?: number; unit?: string; extra?: Record<string, number>; error?: string;
  /** Up to kbench -S MAX of the samples (ns), evenly spaced across the series. */
  samples?: number[];
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

// The small fault campaign the slice and queue tests run, and what of its table they compare.

/** A small campaign: 3 cells of 4 faults, 2 faults a job, 6 jobs. */
export const SMALL = ['--presets', 'microkernel', '--components', 'blk', '--types', 'crash,bad-reply,leak', '-n', '4', '--job-faults', '2', '--seed', '3'];

/** The cell fields the faults decide: not the timing ones (recovery times vary from run to run), nor boots (a boot that fails before the workload starts, on a loaded host, is booted again and counted). */
export const OUTCOME = ['preset', 'component', 'type', 'injected', 'survived_pct', 'completed_pct', 'failed_requests', 'data_lost', 'corruption_caught', 'volatile_lost', 'panics', 'stuck'];

export const outcomes = (cells: Record<string, unknown>[]): Record<string, unknown>[] => cells.map((c) => Object.fromEntries(OUTCOME.map((k) => [k, c[k]])));

/**
 * outcomes() for campaigns with wild writes (the lab's): what a wild write corrupts
 * depends on what the arena holds at that instant, which differs between two runs of
 * the same seed, so those cells are compared on what the seed decides alone.
 */
export const seededOutcomes = (cells: Record<string, unknown>[]): Record<string, unknown>[] =>
  cells.map((c) => Object.fromEntries((c.type === 'wild-write' ? ['preset', 'component', 'type', 'injected'] : OUTCOME).map((k) => [k, c[k]])));

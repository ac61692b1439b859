// `kernelkit bench wasi [--preset NAMES] [--runs N] [--quick] [--json]` (src/lab/bench-wasi.ts).
import type { Command } from 'commander';
import { presetNames } from '../../hosts/presets.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, status: StatusSink): void {
  const bench = program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('micro-benchmarks');
  bench.command('wasi')
    .description('the same WASI binaries (CPU-bound, SQLite inserts) under kernelkit per preset and under node:wasi')
    .option('--preset <names>', 'presets, comma-separated (default: all)')
    .option('--runs <n>', 'runs per cell (the median is reported)', '3')
    .option('--quick', 'smaller workloads', false)
    .option('--json', 'print one JSON object', false)
    .action(async (opts: { preset?: string; runs: string; quick: boolean; json: boolean }) => {
      const known = presetNames();
      const presets = opts.preset === undefined ? known : opts.preset.split(',');
      for (const p of presets) if (!known.includes(p)) throw new UsageError(`unknown preset '${p}' (known: ${known.join(', ')})`);
      const runs = Number(opts.runs);
      if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new UsageError(`--runs needs an integer from 1 to 50, not '${opts.runs}'`);
      const { benchWasi } = await import('../../lab/bench-wasi.js');
      const r = await benchWasi({ presets, runs, quick: opts.quick, onProgress: opts.json ? undefined : (w) => process.stderr.write(`bench: ${w}\n`) });
      if (opts.json) { process.stdout.write(JSON.stringify(r) + '\n'); status.set(0); return; }
      process.stdout.write(`machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load ${r.machine.loadavg_1m}\n\n`);
      process.stdout.write(`${'workload'.padEnd(9)}${'runtime'.padEnd(13)}${'median'.padStart(11)}  ${'x node:wasi'.padStart(11)}\n`);
      for (const row of r.rows) process.stdout.write(`${row.workload.padEnd(9)}${row.runtime.padEnd(13)}${(row.median_ms.toFixed(1) + ' ms').padStart(11)}  ${row.ratio_to_node_wasi.toFixed(3).padStart(11)}\n`);
      status.set(0);
    });
}

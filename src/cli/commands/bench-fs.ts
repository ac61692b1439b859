// `kernelkit bench fs [--preset NAMES] [--files N] [--mib M] [--json]` (src/lab/bench-fs.ts).
import type { Command } from 'commander';
import { benchFs } from '../../lab/bench-fs.js';
import { presetNames } from '../../hosts/presets.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, status: StatusSink): void {
  const bench = program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('micro-benchmarks');
  bench.command('fs')
    .description('small-file create+fsync, stat, sequential write/read on an ext2 disk per preset, beside the host filesystem')
    .option('--preset <names>', 'presets, comma-separated (default: all)')
    .option('--files <n>', 'small files', '200')
    .option('--mib <m>', 'size of the large file in MiB', '16')
    .option('--json', 'print one JSON object', false)
    .action(async (opts: { preset?: string; files: string; mib: string; json: boolean }) => {
      const known = presetNames();
      const presets = opts.preset === undefined ? known : opts.preset.split(',');
      for (const p of presets) if (!known.includes(p)) throw new UsageError(`unknown preset '${p}' (known: ${known.join(', ')})`);
      const small = Number(opts.files), mib = Number(opts.mib);
      if (!Number.isInteger(small) || small < 1 || small > 100000) throw new UsageError(`--files needs an integer from 1 to 100000, not '${opts.files}'`);
      if (!(mib > 0 && mib <= 1024)) throw new UsageError(`--mib needs a number in (0, 1024], not '${opts.mib}'`);
      const r = await benchFs({ presets, small, largeMiB: mib, onProgress: opts.json ? undefined : (w) => process.stderr.write(`bench: ${w}\n`) });
      if (opts.json) { process.stdout.write(JSON.stringify(r) + '\n'); status.set(0); return; }
      process.stdout.write(`machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load ${r.machine.loadavg_1m}\n\n`);
      process.stdout.write(`${'runtime'.padEnd(13)}${'workload'.padEnd(14)}${'per op'.padStart(12)}${'MB/s'.padStart(10)}${'x host'.padStart(9)}\n`);
      for (const row of r.rows) {
        const ref = r.rows.find((x) => x.runtime === 'host' && x.workload === row.workload)!;
        const ratio = row.per_op_us !== undefined ? row.per_op_us / ref.per_op_us! : ref.mb_per_s! / row.mb_per_s!;
        process.stdout.write(`${row.runtime.padEnd(13)}${row.workload.padEnd(14)}${(row.per_op_us === undefined ? '' : row.per_op_us.toFixed(1) + ' µs').padStart(12)}${(row.mb_per_s === undefined ? '' : row.mb_per_s.toFixed(1)).padStart(10)}${ratio.toFixed(2).padStart(9)}\n`);
      }
      status.set(0);
    });
}

// `kernelkit bench ipc [--preset NAME] [--ipc T] [--scale X] [--json]`: IPC and
// syscall cost per preset and transport beside the physical references
// (src/lab/bench-ipc.ts).

import type { Command } from 'commander';
import { UsageError, type StatusSink } from '../usage.js';
import { benchIpc, MEASURES } from '../../lab/bench-ipc.js';
import { busyWarning } from '../../lab/machine-info.js';
import { presetNames } from '../../lab/boot.js';
import { table, formatNs } from '../../lab/table.js';
import { LAB_TRANSPORTS, type Transport } from '../../lab/boot.js';

// Option parsing shared with lab.ts (lab, faults): comma lists checked against what
// exists, with a one-line UsageError otherwise.
export function parseList(value: string, known: readonly string[], what: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`--${what}s needs at least one ${what}`);
  for (const i of items) if (!known.includes(i)) throw new UsageError(`unknown ${what} '${i}' (known: ${known.join(', ')})`);
  return [...new Set(items)];
}

/** --ipc: every transport the lab knows by default (one this build refuses is reported as not measured). */
export function parseTransports(value: string | undefined): Transport[] {
  if (value === undefined) return [...LAB_TRANSPORTS];
  return parseList(value, LAB_TRANSPORTS, 'ipc') as Transport[];
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive integer, not '${value}'`);
  return n;
}

export function register(program: Command, status: StatusSink): void {
  // Other files add their own benchmarks under 'bench' too; whoever registers first creates it.
  const bench = program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('micro-benchmarks');
  bench.command('ipc')
    .description('null syscall, getpid and IPC round trips per preset and transport, against the raw two-thread spin round trip')
    .option('--preset <names>', 'presets, comma-separated (default: all)')
    .option('--ipc <transports>', `transports, comma-separated: ${LAB_TRANSPORTS.join(',')} (default: all)`)
    .option('--no-native', 'leave out the host OS (native) rows')
    .option('--scale <x>', 'multiply iteration counts', '1')
    .option('--json', 'print one JSON object', false)
    .action(async (opts: { preset?: string; ipc?: string; scale: string; json: boolean; native: boolean }) => {
      const presets = opts.preset === undefined ? presetNames() : parseList(opts.preset, presetNames(), 'preset');
      const transports = parseTransports(opts.ipc);
      const scale = Number(opts.scale);
      if (!(scale > 0 && scale <= 100)) throw new UsageError(`--scale must be a number in (0, 100], not '${opts.scale}'`);
      const r = await benchIpc({ presets, transports, scale, native: opts.native, onProgress: opts.json ? undefined : (w) => process.stderr.write(`bench: ${w}\n`) });
      if (opts.json) { process.stdout.write(JSON.stringify(r) + '\n'); status.set(0); return; }
      const m = r.machine;
      process.stdout.write(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, load ${m.loadavg_1m}\n`);
      const busy = busyWarning(m.cores, m.loadavg_1m);
      if (busy !== undefined) process.stdout.write(`${busy}\n`);
      process.stdout.write(`reference (raw spin round trip between two threads): ${formatNs(r.reference_spin_rt_ns)}\n\n`);
      process.stdout.write(table(['preset', 'ipc', 'measure', 'median', 'p99', 'x reference'],
        r.results.filter((x) => x.note === undefined).map((x) => [x.preset, x.ipc, x.measure, formatNs(x.median_ns ?? NaN), formatNs(x.p99_ns ?? NaN), x.ratio_to_reference ?? '-'])));
      // Cells with no figures: one line each, with every measure they lack.
      const missing = new Map<string, string[]>();
      for (const x of r.results) if (x.note !== undefined) { const k = `${x.preset}/${x.ipc}: ${x.note}`; missing.set(k, [...(missing.get(k) ?? []), x.measure]); }
      for (const [k, measures] of missing) process.stdout.write(`${k} (${measures.join(', ')})\n`);
      process.stdout.write('\n' + Object.entries(MEASURES).map(([k, v]) => `  ${k.padEnd(16)} ${v}`).join('\n') + '\n');
      status.set(0);
    });
}

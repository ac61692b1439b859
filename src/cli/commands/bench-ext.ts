// `kernelkit bench ext [--preset NAMES] [--runs N] [--quick] [--json]`: safe code in the
// kernel, the eBPF half (src/lab/bench-ext.ts).
import type { Command } from 'commander';
import { presetNames } from '../../hosts/presets.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, status: StatusSink): void {
  const bench = program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('micro-benchmarks');
  bench.command('ext')
    .description('safe code in the kernel: the block driver in C/WebAssembly (sandboxed, unsandboxed) against the TypeScript one in the kernel and user domains, and its recovery; a filesystem whose driver its disk carries (diskfs) beside ext2 and ramfs; eBPF: one program under the interpreter, the JIT and as plain TypeScript, and the cost of a hook on a syscall per preset')
    .option('--preset <names>', 'presets for the hook cost, comma-separated (default: all)')
    .option('--runs <n>', 'samples per program runtime (the median is reported)', '5')
    .option('--quick', 'fewer contexts per sample', false)
    .option('--only <part>', 'driver (the WebAssembly block driver rows), fs (diskfs beside ext2 and ramfs) or bpf (the eBPF rows)')
    .option('--json', 'print one JSON object', false)
    .action(async (opts: { preset?: string; runs: string; quick: boolean; only?: string; json: boolean }) => {
      if (opts.only !== undefined && opts.only !== 'driver' && opts.only !== 'fs' && opts.only !== 'bpf') throw new UsageError(`--only takes driver, fs or bpf, not '${opts.only}'`);
      const known = presetNames();
      const presets = opts.preset === undefined ? known : opts.preset.split(',');
      for (const p of presets) if (!known.includes(p)) throw new UsageError(`unknown preset '${p}' (known: ${known.join(', ')})`);
      const runs = Number(opts.runs);
      if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new UsageError(`--runs needs an integer from 1 to 50, not '${opts.runs}'`);
      const { benchExt } = await import('../../lab/bench-ext.js');
      const r = await benchExt({ presets, runs, quick: opts.quick, ...(opts.only === undefined ? {} : { parts: opts.only as 'driver' | 'fs' | 'bpf' }), onProgress: opts.json ? undefined : (w) => process.stderr.write(`bench: ${w}\n`) });
      if (opts.json) { process.stdout.write(JSON.stringify(r) + '\n'); status.set(0); return; }
      process.stdout.write(`machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load ${r.machine.loadavg_1m}\n\n`);
      process.stdout.write(`${'part'.padEnd(9)}${'runtime'.padEnd(34)}${'median'.padStart(12)}  ${'ratio'.padStart(7)}  note\n`);
      for (const row of r.rows) process.stdout.write(`${row.part.padEnd(9)}${row.runtime.padEnd(34)}${(row.median_ns.toFixed(0) + ' ns').padStart(12)}  ${row.ratio.toFixed(2).padStart(7)}  ${row.note}\n`);
      status.set(0);
    });
}

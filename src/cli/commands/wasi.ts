// kernelkit wasi-test: runs wasi-testsuite-style directories inside kernelkit (the
// runner is ../wasi-test.ts). Each test boots a fresh system on the chosen preset;
// the module, its root directory and its preopened directories are host scratch
// copies shared into the guest with hostfs, and the WASI layer is told the preopens
// through KERNELKIT_WASI_PREOPENS.
import type { Command } from 'commander';
import { runWasiTests } from '../wasi-test.js';
import { runWasmInKernelkit } from '../../hosts/node/run-wasm.js';
import { loadPreset } from '../../hosts/presets.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, status: StatusSink): void {
  program.command('wasi-test').description('run wasi-testsuite-style test directories inside kernelkit').argument('<dirs...>', 'test directories')
    .option('--preset <name>', 'system image', 'monolithic')
    .action(async (dirs: string[], opts: { preset: string }) => {
      try { loadPreset(opts.preset); } catch (e) { throw new UsageError((e as Error).message); }
      status.set(await runWasiTests(dirs, {
        preset: opts.preset,
        run: (wasmPath, args, env, rootDir, extra) => runWasmInKernelkit(opts.preset, wasmPath, args, env, rootDir, extra),
      }));
    });
}

// A `run` callback for runWasiTests built on the fake kernel: each module runs
// in-process through runWasm with a fresh FakeKernel whose '/' is the test's root
// copy (or an empty scratch directory). Preopened `dirs` appear as /NAME, linked to
// their host copies. It fails loudly if a run leaks kernel fds.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWasm, type Preopen } from '../../src/user/wasi/index.js';
import type { WasiRunExtra, WasiRunResult } from '../../src/cli/wasi-test.js';
import { FakeKernel } from './fake-kernel.js';

export async function fakeRun(wasmPath: string, args: string[], env: Record<string, string>, rootDir?: string, extra?: WasiRunExtra): Promise<WasiRunResult> {
  const scratch = rootDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-fake-root-')) : undefined;
  const root = rootDir ?? (scratch as string);
  try {
    const preopens: Preopen[] = rootDir !== undefined ? [{ guest: '/' }] : [];
    for (const d of extra?.dirs ?? []) {
      const link = path.join(root, d.guest);
      if (!fs.existsSync(link)) fs.symlinkSync(d.host, link);
      preopens.push({ guest: d.guest, path: '/' + d.guest });
    }
    const kernel = new FakeKernel(root, Buffer.from(extra?.stdin ?? ''));
    kernel.install();
    const code = await runWasm(fs.readFileSync(wasmPath), [path.basename(wasmPath), ...args], env, { preopens });
    const leaked = kernel.openFds();
    if (leaked.length > 0) throw new Error(`${wasmPath}: kernel fds left open after the run: ${leaked.join(', ')}`);
    return { code, stdout: kernel.stdoutText(), stderr: kernel.stderrText() };
  } finally {
    if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

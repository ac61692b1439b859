// Runs one WebAssembly module as init of a fresh kernelkit system: the module and the
// directories it needs are host scratch copies shared into the guest with hostfs, and
// the WASI layer learns its preopens from KERNELKIT_WASI_PREOPENS. Used by
// `kernelkit wasi-test` and `kernelkit bench wasi`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMachine } from './machine.js';
import { loadPreset, placementFor } from '../presets.js';

export interface WasmRunResult { code: number; stdout: string; stderr: string }
export interface WasmRunExtra { dirs: { guest: string; host: string }[]; stdin?: string }

/** Runs one WASI module as init of a fresh system. */
export async function runWasmInKernelkit(preset: string, wasmPath: string, args: string[], env: Record<string, string>, rootDir?: string, extra?: WasmRunExtra, ipc?: 'shm' | 'mach' | 'postmessage'): Promise<WasmRunResult> {
  const p = loadPreset(preset);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-wasm-'));
  try {
    // exec needs the x bit, which a test file on the host may lack: run a copy.
    const name = path.basename(wasmPath);
    fs.copyFileSync(wasmPath, path.join(scratch, name));
    fs.chmodSync(path.join(scratch, name), 0o755);
    const mounts = [{ host: scratch, guest: '/wt', readOnly: true }];
    const preopens: string[] = [];
    if (rootDir !== undefined) { mounts.push({ host: rootDir, guest: '/wt-root', readOnly: false }); preopens.push('/=/wt-root'); }
    (extra?.dirs ?? []).forEach((d, i) => { mounts.push({ host: d.host, guest: `/wt-dir${i}`, readOnly: false }); preopens.push(`${d.guest}=/wt-dir${i}`); });
    const initEnv = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...(preopens.length > 0 ? [`KERNELKIT_WASI_PREOPENS=${preopens.join(':')}`] : [])];
    // Standard input, when the test gives one, comes through a pipe as it would on a host.
    let init = [`/wt/${name}`, ...args];
    if (extra?.stdin !== undefined) {
      fs.writeFileSync(path.join(scratch, '.stdin'), extra.stdin);
      const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
      init = ['/bin/sh', '-c', `cat /wt/.stdin | ${init.map(quote).join(' ')}`];
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const code = await runMachine({
      preset: p.name, placement: placementFor(p), ipc: ipc ?? p.ipc, mounts, init, initEnv, stdin: 'none',
      stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)),
    });
    return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}


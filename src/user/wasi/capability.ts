// WebAssembly as a capability (libc/trap.ts WasmCapability): compiles modules and runs
// them as WASI commands through runWasm, which links only the WASI preview1 imports.
// The process runtime hands it to sandboxed programs (clang runs LLVM with it) after
// copying every argument into plain data, so a program steers a run only through
// argv, env and the options, never by handing over objects of its own.

import type { WasmCapability, WasmHandle, WasmRunOptions } from '../libc/trap.js';
import { runWasm, type RunWasmOptions } from './index.js';

const sliceTypedArray = Object.getPrototypeOf(Uint8Array.prototype).slice as (this: unknown) => unknown;

function bytesOf(value: unknown): Uint8Array {
  // The intrinsic slice reads the array's internal slots, not properties it may shadow.
  const copy = sliceTypedArray.call(value);
  if (!(copy instanceof Uint8Array)) throw new TypeError('wasm.compile: expected a Uint8Array');
  return copy;
}

function plainOptions(o: WasmRunOptions | undefined): RunWasmOptions {
  if (o === undefined || o === null) return {};
  const out: RunWasmOptions = {};
  const { stdio, preopens } = o;
  if (stdio !== undefined) {
    const fds = Array.from(stdio, (fd) => Number(fd) | 0);
    if (fds.length !== 3) throw new TypeError('wasm.run: stdio must list three fds');
    out.stdio = [fds[0]!, fds[1]!, fds[2]!];
  }
  if (preopens !== undefined) {
    out.preopens = Array.from(preopens, (p) => {
      const { guest, path, fd } = p;
      return { guest: String(guest), ...(path === undefined ? {} : { path: String(path) }), ...(fd === undefined ? {} : { fd: Number(fd) | 0 }) };
    });
  }
  return out;
}

/** The capability; `usable()` false makes every call throw (the process has exited). */
export function wasmCapability(usable: () => boolean = () => true): WasmCapability {
  const modules = new WeakMap<object, WebAssembly.Module>();
  const check = (): void => { if (!usable()) throw new TypeError('wasm: the process has exited'); };
  return {
    async compile(bytes: Uint8Array): Promise<WasmHandle> {
      check();
      const module = await WebAssembly.compile(bytesOf(bytes));
      const handle = Object.freeze({ byteLength: bytes.byteLength });
      modules.set(handle, module);
      return handle;
    },
    async run(handle: WasmHandle, argv: string[], env: Record<string, string>, options?: WasmRunOptions): Promise<number> {
      check();
      const module = modules.get(handle);
      if (module === undefined) throw new TypeError('wasm.run: not a module compiled by wasm.compile');
      const args = Array.from(argv, (a) => String(a));
      const vars: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) vars[String(k)] = String(v);
      return runWasm(module, args, vars, plainOptions(options));
    },
  };
}

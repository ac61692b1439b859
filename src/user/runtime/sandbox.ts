// The program sandbox: every kernelkit-js program (abi/exec.ts) is evaluated in a
// fresh ses Compartment of a thread that was locked down once (hosts/*/process-worker:
// lockdown() froze every shared intrinsic and removed the powerful ones). The
// compartment's global holds the frozen ECMAScript intrinsics and exactly the
// endowments built here; there is no host module, no host global and no constructor
// to climb back to the host realm (docs/security.md, "Programs").
//
// Endowments, all hardened (frozen with everything reachable from them):
// - the trap slot (libc/trap.ts adopts it): `trap` (the process's syscall stub),
//   `memory` (a view of its user memory, its own object), `setSignalRunner` (where
//   handled signals go), and
//   `wasm` (compile and run a WASI module with only the WASI imports, for clang);
// - `console` (writes to fds 1 and 2 through the same stub), `performance.now`,
//   the thread's Date (Date.now; the compartment's own Date refuses to tell time);
// - `module` / `exports`: the program's own, fresh and mutable, where it puts main.
// The trusted runtime (user/runtime/process.ts) revokes every endowment when the
// process exits, so nothing a program kept can act after it.

import { SYS } from '../../abi/syscalls.js';
import type { TrapFn, TrapSlot, WasmCapability } from '../libc/trap.js';

interface SesGlobals {
  Compartment: new (options: { globals: Record<PropertyKey, unknown>; name?: string; __options__: true }) => { evaluate(source: string): unknown };
  harden<T>(value: T): T;
}

const ses = globalThis as unknown as Partial<SesGlobals>;

/** Whether this thread was locked down (ses loaded and lockdown() called). */
export function sandboxAvailable(): boolean {
  return typeof ses.Compartment === 'function' && typeof ses.harden === 'function';
}

/** What a program receives from the runtime. */
export interface ProgramServices {
  /** The syscall stub; throws once the process has exited. */
  trap: TrapFn;
  memory: Uint8Array;
  setSignalRunner(runner: (mask: number) => void): void;
  wasm: WasmCapability;
}

export type ProgramMain = (argv: string[], env: Record<string, string>) => unknown;

const encoder = new TextEncoder();

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (typeof value === 'object' && value !== null) return JSON.stringify(value) ?? String(value);
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// console.log and friends as write(2) calls, staged at the start of user memory (the
// same scratch area libc uses; a console call never interleaves with a libc call).
function makeConsole(trap: TrapFn, memory: Uint8Array): Record<string, (...args: unknown[]) => void> {
  const writer = (fd: number) => (...args: unknown[]): void => {
    const bytes = encoder.encode(args.map(describe).join(' ') + '\n');
    const chunk = Math.max(1, memory.length - 4096);
    for (let at = 0; at < bytes.length;) {
      const part = bytes.subarray(at, at + chunk);
      memory.set(part, 0);
      const r = trap(SYS.write, fd, 0, part.length, 0, 0, 0);
      if (r <= 0) return;
      at += r;
    }
  };
  const out = writer(1);
  const err = writer(2);
  return { log: out, info: out, debug: out, warn: err, error: err };
}

/**
 * Evaluates `source` (the program text after its header line) in a fresh compartment
 * and returns its main. Throws SyntaxError for text that is not a script (ES module
 * syntax) or that ses refuses (a dynamic import expression), Error when no main.
 */
export function loadProgram(source: string, name: string, services: ProgramServices): ProgramMain {
  const { Compartment, harden } = ses as SesGlobals;
  // NOTE: the program's view of its user memory is its own object and is left
  // mutable: hardening a typed array walks every element (a second per MiB), and
  // the view leads to nothing shared (hardenShared froze SharedArrayBuffer).
  const view = new Uint8Array(services.memory.buffer, services.memory.byteOffset, services.memory.byteLength);
  const slot: TrapSlot = harden(Object.defineProperties({
    trap: services.trap,
    setSignalRunner: (runner: (mask: number) => void) => services.setSignalRunner(runner),
    wasm: services.wasm,
  }, { memory: { get: () => view, enumerable: true } }) as TrapSlot);
  const exportsObject: Record<string, unknown> = {};
  const moduleObject = { exports: exportsObject };
  const globals: Record<PropertyKey, unknown> = {
    [Symbol.for('kernelkit.trap')]: slot,
    console: harden(makeConsole(services.trap, services.memory)),
    performance: harden({ now: () => performance.now() }),
    Date: globalThis.Date,
    module: moduleObject,
    exports: exportsObject,
  };
  const compartment = new Compartment({ globals, name, __options__: true });
  compartment.evaluate(source);
  const exported = moduleObject.exports as unknown;
  const main = typeof exported === 'function' ? exported
    : typeof exported === 'object' && exported !== null ? (exported as Record<string, unknown>).main : undefined;
  if (typeof main !== 'function') throw new Error('program has no main() (a kernelkit-js program sets exports.main)');
  return main as ProgramMain;
}

/**
 * Hardens what the runtime shares with every program that lockdown() left mutable
 * (host objects outside the ECMAScript intrinsics that an endowment leads to).
 * Caller must call it once per thread before the first program.
 */
export function hardenShared(): void {
  const { harden } = ses as SesGlobals;
  // User memory is a Uint8Array on a SharedArrayBuffer: `memory.buffer.constructor`.
  harden(new Uint8Array(new SharedArrayBuffer(8)).buffer.constructor);
  harden(globalThis.Date);
}

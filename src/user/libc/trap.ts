// The user side of the syscall trap. The process runtime (user/runtime/) installs the
// real trap at start-up; libc calls go through `syscall`, which returns the raw
// result (>= 0, or -errno). User memory is the window the kernel copies in and out
// of: libc stages arguments in a scratch area at its start for each call.

export type TrapFn = (nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;

/** An opaque compiled WebAssembly module, as the runtime hands it out. */
export interface WasmHandle { readonly byteLength: number }

/** Options of a WASI run (user/wasi/index.ts RunWasmOptions, as plain data). */
export interface WasmRunOptions {
  preopens?: { guest: string; path?: string; fd?: number }[];
  stdio?: readonly [number, number, number];
}

/**
 * WebAssembly for a sandboxed program: the runtime compiles a module and runs it as a
 * WASI command with only the WASI imports (what exec of a .wasm file does), so a
 * program never holds WebAssembly itself. clang uses it to run LLVM.
 */
export interface WasmCapability {
  compile(bytes: Uint8Array): Promise<WasmHandle>;
  run(module: WasmHandle, argv: string[], env: Record<string, string>, options?: WasmRunOptions): Promise<number>;
}

/** What the runtime gives a program: user/runtime/sandbox.ts builds it. */
export interface TrapSlot {
  trap: TrapFn;
  memory: Uint8Array;
  /** Where the trap sends the mask of pending handled signals. */
  setSignalRunner?: (runner: (mask: number) => void) => void;
  wasm?: WasmCapability;
}

// A sandboxed program is bundled with its own copy of libc; the runtime publishes the
// slot on a well-known global of the program's compartment and this copy adopts it.
const GLOBAL_KEY = Symbol.for('kernelkit.trap');

const noTrap: TrapFn = () => { throw new Error('libc: no syscall trap installed (not running inside kernelkit)'); };
let slot: TrapSlot | undefined;
let trapFn: TrapFn = noTrap;
let userMemory: Uint8Array = new Uint8Array(0);
let scratchTop = 0;

function adopt(): void {
  const found = (globalThis as Record<symbol, TrapSlot | undefined>)[GLOBAL_KEY];
  if (found !== undefined) { slot = found; trapFn = found.trap; userMemory = found.memory; }
}
adopt();

/** Installed by the process runtime for each process it runs (or by a test double). */
export function installTrap(trap: TrapFn, memory: Uint8Array, extra: Omit<TrapSlot, 'trap' | 'memory'> = {}): void {
  slot = { trap, memory, ...extra };
  trapFn = trap;
  userMemory = memory;
  scratchTop = 0;
}

export function memory(): Uint8Array {
  if (trapFn === noTrap) adopt();
  return userMemory;
}

export function syscall(nr: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
  if (trapFn === noTrap) adopt();
  const r = trapFn(nr, a0, a1, a2, a3, a4, a5);
  scratchTop = 0;
  return r;
}

/** Reserves `n` bytes of user memory for the next syscall; returns its offset. */
export function scratch(n: number): number {
  if (trapFn === noTrap) adopt();
  const at = scratchTop;
  if (at + n > userMemory.length) throw new RangeError(`libc: a single call needs ${at + n} bytes of user memory, more than the ${userMemory.length} available`);
  scratchTop = (at + n + 7) & ~7;
  return at;
}

/** Largest buffer a single read/write can stage. */
export function maxTransfer(): number {
  if (trapFn === noTrap) adopt();
  return Math.max(0, userMemory.length - 4096);
}

/** Tells the runtime where handled signals go; false when it cannot deliver them. */
export function setSignalRunner(runner: (mask: number) => void): boolean {
  if (trapFn === noTrap) adopt();
  if (slot?.setSignalRunner === undefined) return false;
  slot.setSignalRunner(runner);
  return true;
}

/** The runtime's WebAssembly capability, when it offers one. */
export function wasmCapability(): WasmCapability | undefined {
  if (trapFn === noTrap) adopt();
  return slot?.wasm;
}

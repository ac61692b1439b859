// The user side of the syscall trap. The process runtime (user/runtime/) installs the
// real trap at start-up; libc calls go through `syscall`, which returns the raw
// result (>= 0, or -errno). User memory is the window the kernel copies in and out
// of: libc stages arguments in a scratch area at its start for each call.

export type TrapFn = (nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;

// Programs are bundled with their own copy of libc, so the runtime publishes the trap
// on a well-known global and every copy picks it up from there.
const GLOBAL_KEY = Symbol.for('kernelkit.trap');
interface TrapSlot { trap: TrapFn; memory: Uint8Array }

const noTrap: TrapFn = () => { throw new Error('libc: no syscall trap installed (not running inside kernelkit)'); };
let trapFn: TrapFn = noTrap;
let userMemory: Uint8Array = new Uint8Array(0);
let scratchTop = 0;

function adopt(): void {
  const slot = (globalThis as Record<symbol, TrapSlot | undefined>)[GLOBAL_KEY];
  if (slot !== undefined) { trapFn = slot.trap; userMemory = slot.memory; }
}
adopt();

/** Installed once by the process runtime (or a test double). */
export function installTrap(trap: TrapFn, memory: Uint8Array): void {
  (globalThis as Record<symbol, TrapSlot | undefined>)[GLOBAL_KEY] = { trap, memory };
  trapFn = trap;
  userMemory = memory;
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

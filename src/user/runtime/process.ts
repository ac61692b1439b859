// The inside of a process thread: the trap into the kernel, and the loader that
// starts a program from its bytes (one of the formats in abi/exec.ts). The host's
// worker entry hands over a ProcessStart and this file does the rest.

import { TRAP_STATE, TRAP_NR, TRAP_SIGNALS, TRAP_REGS_OFFSET, TRAP_RESULT, TrapState, type ProcessStart } from '../../abi/trap.js';
import { SYS } from '../../abi/syscalls.js';
import { execFormat, executableHeader } from '../../abi/exec.js';
import { spinThenWait } from '../../lib/poller.js';
import { installTrap, syscall } from '../libc/trap.js';
import { runHandlers } from '../libc/signal.js';

function makeTrap(start: ProcessStart): (nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number {
  const ctl = new Int32Array(start.page, 0, 4);
  const regs = new Float64Array(start.page, TRAP_REGS_OFFSET, 7);
  const bell = new Int32Array(start.kernelBell, 0, 1);
  let inHandler = false;
  // Adaptive spinning, per syscall number: spin while the answer usually comes within
  // the spin window (the kernel answered it itself); sleep at once for calls that
  // usually take longer (a chain through a server, a pipe that waits), so the threads
  // in the middle of the chain get the cores. `slow[nr]` is a moving average in µs.
  // Every 16th call spins regardless: without spinning a call always looks slow (it
  // pays the wake-up), so the average could never come back down.
  const slow = new Float64Array(128);
  let calls = 0;
  return (nr, a0, a1, a2, a3, a4, a5) => {
    regs[0] = a0; regs[1] = a1; regs[2] = a2; regs[3] = a3; regs[4] = a4; regs[5] = a5;
    ctl[TRAP_NR] = nr;
    const slot = nr >= 0 && nr < slow.length ? nr : 0;
    const started = performance.now();
    Atomics.store(ctl, TRAP_STATE, TrapState.REQUEST);
    Atomics.add(bell, 0, 1);
    Atomics.notify(bell, 0);
    const spin = slow[slot]! <= 2 * start.spinUs || (++calls & 15) === 0;
    spinThenWait(ctl, TRAP_STATE, TrapState.REQUEST, spin ? start.spinUs : 0);
    slow[slot] = slow[slot]! * 0.875 + (performance.now() - started) * 1000 * 0.125;
    const result = regs[TRAP_RESULT]!;
    Atomics.store(ctl, TRAP_STATE, TrapState.IDLE);
    if (!inHandler && Atomics.load(ctl, TRAP_SIGNALS) !== 0) {
      inHandler = true;
      try { runHandlers(Atomics.exchange(ctl, TRAP_SIGNALS, 0)); } finally { inHandler = false; }
    }
    return result;
  };
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function envObject(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}

/** Runs the program in `start` to completion and exits the process. */
export async function runProcess(start: ProcessStart): Promise<void> {
  installTrap(makeTrap(start), new Uint8Array(start.userMemory));
  const libc = await import('../libc/index.js');
  const name = start.argv[0] ?? 'program';
  let status: number;
  try {
    const format = execFormat(start.program);
    if (format === 'js') {
      const code = start.program.subarray(new TextEncoder().encode(executableHeader).length);
      const mod = (await import(`data:text/javascript;base64,${toBase64(code)}`)) as { main?: (argv: string[], env: Record<string, string>) => number | Promise<number> };
      if (typeof mod.main !== 'function') throw new Error('program has no main()');
      status = await mod.main(start.argv, envObject(start.env));
    } else if (format === 'wasm') {
      const wasi = (await import('../wasi/index.js')) as { runWasm(bytes: Uint8Array, argv: string[], env: Record<string, string>): number | Promise<number> };
      status = await wasi.runWasm(start.program, start.argv, envObject(start.env));
    } else {
      throw new Error('exec format error');
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    try { libc.write(2, `${name}: ${message}\n`); } catch { /* stderr may be gone */ }
    status = 1;
  }
  syscall(SYS.exit, typeof status === 'number' && Number.isFinite(status) ? status : 1);
}

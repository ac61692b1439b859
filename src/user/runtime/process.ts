// The inside of a process thread: the trap into the kernel, and the loader that
// starts a program from its bytes (one of the formats in abi/exec.ts). The host's
// worker entry prepares the runtime once (prepareRuntime), then hands over one
// ProcessStart after another: a thread runs many processes, one at a time, each
// kernelkit-js program in a fresh compartment (sandbox.ts) and with its own syscall
// page and user memory. When runProcess returns, the process has exited and every
// endowment it held is revoked; the host reports the thread idle only after a
// macrotask turn, when no code of the program is left to run.

import { TRAP_STATE, TRAP_NR, TRAP_SIGNALS, TRAP_WAITING, TRAP_REGS_OFFSET, TRAP_RESULT, TrapState, SPIN_LEASE_FIRST, SPIN_LEASES, SPIN_LEASE_STALE_MS, type ProcessStart } from '../../abi/trap.js';
import { SYS } from '../../abi/syscalls.js';
import { AT } from '../../abi/fs.js';
import { DIRECT_PATH_HINT, DIRECT_FDS, DIRECT_HINTS_OFFSET, DIRECT_OP, DIRECT_REFUSED, DIRECT_REGS, DIRECT_REGS_OFFSET, DIRECT_RESULT, DIRECT_STATE, DirectOp, DirectState, HINT_DIR, HINT_FILE } from '../../abi/direct.js';
import { execFormat, executableHeader } from '../../abi/exec.js';
import { ringBell, sleepForAnswer, spinFor } from '../../lib/poller.js';
import { installTrap, type TrapFn } from '../libc/trap.js';
import type * as Libc from '../libc/index.js';
import type * as Wasi from '../wasi/index.js';
import type * as Sandbox from './sandbox.js';
import type * as Capability from '../wasi/capability.js';

// Adaptive spinning, per syscall (and per descriptor for read/write: a pipe and a
// file answer on very different clocks). `answerUs[key]` is a moving average of how
// long the answer took, fed only by calls that spun: a call that slept pays the
// wake-up (~50 µs here) on top of the answer, and averaging that in would keep a call
// asleep forever once it was slow. A call spins (for twice its average) while its
// answer usually comes within the longest spin (`spinUs`, about a wake-up's cost) and
// sleeps at once otherwise, so the threads further down a chain (the kernel, a
// server) get the cores. Every `spinProbeEvery`-th sleeping call spins the full
// budget anyway (a probe), so a call that became fast again is noticed. Only `spinners` processes spin at once: a spin
// takes a lease word in the kernel's doorbell memory (abi/trap.ts), or sleeps. And
// none spins for a thread its ring found asleep (lib/poller.ts ringBell).
const FD_KEYED = new Set([SYS.read, SYS.write, SYS.pread, SYS.pwrite]);
// The direct path (abi/direct.ts): these calls on a descriptor the kernel marked go to
// vfs's server thread first; one it refuses traps into the kernel as before.
const DIRECT_OPS: Record<number, number> = {
  [SYS.read]: DirectOp.READ, [SYS.write]: DirectOp.WRITE, [SYS.pread]: DirectOp.PREAD, [SYS.pwrite]: DirectOp.PWRITE,
  [SYS.fstat]: DirectOp.FSTAT, [SYS.lseek]: DirectOp.LSEEK, [SYS.close]: DirectOp.CLOSE, [SYS.fsync]: DirectOp.FSYNC, [SYS.fdatasync]: DirectOp.FDATASYNC,
};
// And these, by path, while the kernel's path hint says so (it grants them in a table
// the process cannot reach: vfs acts with the credentials written there).
const PATH_OPS: Record<number, number> = { [SYS.stat]: DirectOp.STAT, [SYS.lstat]: DirectOp.LSTAT, [SYS.unlink]: DirectOp.UNLINK, [SYS.open]: DirectOp.OPEN };
// And these *at calls, from the cwd or a directory descriptor the kernel marked: the
// directory descriptor goes in the fifth register, the rest in the order they came.
const AT_OPS: Record<number, number> = { [SYS.openat]: DirectOp.OPENAT, [SYS.fstatat]: DirectOp.FSTATAT, [SYS.unlinkat]: DirectOp.UNLINKAT };
// And these go to pm's server first, when the kernel gave a page to it.
const PM_OPS: Record<number, number> = {
  [SYS.getpid]: DirectOp.GETPID, [SYS.getppid]: DirectOp.GETPPID, [SYS.getpgid]: DirectOp.GETPGID, [SYS.getsid]: DirectOp.GETSID,
};
// And these go to net's server first, on a descriptor the kernel marked on the net page
// as a stream socket: read and write, sendto and recvfrom that name no address.
const NET_OPS: Record<number, number> = { [SYS.read]: DirectOp.READ, [SYS.write]: DirectOp.WRITE, [SYS.sendto]: DirectOp.SEND, [SYS.recvfrom]: DirectOp.RECV };
const KEYS_PER_NR = 8;
const NRS = 128;
const MIN_SPIN_US = 4;

function makeTrap(start: ProcessStart, runHandlers: (mask: number) => void): (nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number {
  const ctl = new Int32Array(start.page, 0, 4);
  const regs = new Float64Array(start.page, TRAP_REGS_OFFSET, 7);
  const bell = new Int32Array(start.kernelBell, 0, 1);
  const leases = new Int32Array(start.kernelBell, SPIN_LEASE_FIRST * 4, Math.max(0, Math.min(SPIN_LEASES, start.spinners)));
  const maxSpinUs = start.spinUs;
  const probeEvery = Math.max(1, start.spinProbeEvery | 0);
  const sleepAfterWaking = start.sleepAfterWaking !== false;
  // After the per-call keys, one per syscall for its calls on net's page (they answer on
  // net's clock, not the kernel path's, which the same call takes when refused).
  const answerUs = new Float64Array(NRS * KEYS_PER_NR + NRS);
  const sleeps = new Uint32Array(NRS * KEYS_PER_NR + NRS);
  let inHandler = false;

  // Takes a free spin lease; returns its index or -1 (then the caller sleeps).
  const takeLease = (): number => {
    const now = Date.now() & 0x3fffffff;
    for (let i = 0; i < leases.length; i++) {
      const held = Atomics.load(leases, i);
      const free = held === 0 || ((now - held) & 0x3fffffff) > SPIN_LEASE_STALE_MS;
      if (free && Atomics.compareExchange(leases, i, held, now | 0 || 1) === held) return i;
    }
    return -1;
  };

  // Waits for `word[0]` to leave REQUEST (a trap or direct page: both keep the waiting
  // flag at TRAP_WAITING = DIRECT_WAITING): spins while this call's answer usually comes
  // within the budget, sleeps otherwise (see the top of this file).
  const wait = (word: Int32Array, key: number, started: number, peerWasAsleep: boolean): void => {
    // Spin only while the other side runs: one that our ring woke answers after a
    // wake-up, longer than any spin budget, and the spin would take a core from it.
    if (peerWasAsleep && sleepAfterWaking) { sleepForAnswer(word, 0, TRAP_WAITING, TrapState.REQUEST); return; }
    const usual = answerUs[key]!;
    let budget = 0;
    if (usual === 0) budget = maxSpinUs; // never measured: find out
    else if (usual <= maxSpinUs * 0.8) budget = Math.min(maxSpinUs, Math.max(MIN_SPIN_US, usual * 2));
    else if (++sleeps[key]! % probeEvery === 0) budget = maxSpinUs;
    const lease = budget > 0 ? takeLease() : -1;
    if (lease < 0) {
      sleepForAnswer(word, 0, TRAP_WAITING, TrapState.REQUEST);
    } else {
      // The lease covers the spin only: a call that goes on to sleep frees it first.
      const answered = spinFor(word, 0, TrapState.REQUEST, budget);
      Atomics.store(leases, lease, 0);
      if (!answered) sleepForAnswer(word, 0, TRAP_WAITING, TrapState.REQUEST);
      const tookUs = (performance.now() - started) * 1000;
      // A spin that ran out also paid the wake-up: more than the truth, which keeps a
      // call that outlasts its budget asleep until a probe says otherwise.
      answerUs[key] = usual === 0 ? Math.max(tookUs, 0.01) : usual * 0.75 + tookUs * 0.25;
    }
  };

  const afterCall = (): void => {
    if (!inHandler && Atomics.load(ctl, TRAP_SIGNALS) !== 0) {
      inHandler = true;
      try { runHandlers(Atomics.exchange(ctl, TRAP_SIGNALS, 0)); } finally { inHandler = false; }
    }
  };

  // The direct page, if the kernel gave one: the process's thread and vfs's, nothing between.
  const direct = start.direct;
  const dctl = direct === undefined ? undefined : new Int32Array(direct.page, 0, 4);
  const dregs = direct === undefined ? undefined : new Float64Array(direct.page, DIRECT_REGS_OFFSET, DIRECT_REGS);
  const hints = direct === undefined ? undefined : new Uint8Array(direct.page, DIRECT_HINTS_OFFSET, DIRECT_FDS);
  const pathHint = direct === undefined ? undefined : new Uint8Array(direct.page, DIRECT_PATH_HINT, 1);
  const serverBell = direct === undefined ? undefined : new Int32Array(direct.serverBell, 0, 1);
  const pmPage = direct?.pm;
  const pmCtl = pmPage === undefined ? undefined : new Int32Array(pmPage.page, 0, 4);
  const pmRegs = pmPage === undefined ? undefined : new Float64Array(pmPage.page, DIRECT_REGS_OFFSET, DIRECT_REGS);
  const pmHints = pmPage === undefined ? undefined : new Uint8Array(pmPage.page, DIRECT_HINTS_OFFSET, DIRECT_FDS);
  const pmBell = pmPage === undefined ? undefined : new Int32Array(pmPage.serverBell, 0, 1);
  const netPage = start.net;
  const netCtl = netPage === undefined ? undefined : new Int32Array(netPage.page, 0, 4);
  const netRegs = netPage === undefined ? undefined : new Float64Array(netPage.page, DIRECT_REGS_OFFSET, DIRECT_REGS);
  const netHints = netPage === undefined ? undefined : new Uint8Array(netPage.page, DIRECT_HINTS_OFFSET, DIRECT_FDS);
  const netBell = netPage === undefined ? undefined : new Int32Array(netPage.serverBell, 0, 1);
  const directCall = (op: number, key: number, a0: number, a1: number, a2: number, a3: number, c = dctl!, r = dregs!, sbell = serverBell!, a4 = 0): number => {
    r[0] = a0;
    if (op === DirectOp.LSEEK) { r[3] = a1; r[4] = a2; } else { r[1] = a1; r[2] = a2; r[3] = a3; r[4] = a4; }
    c[DIRECT_OP] = op;
    const started = performance.now();
    Atomics.store(c, DIRECT_STATE, DirectState.REQUEST);
    const woke = ringBell(sbell);
    wait(c, key, started, woke);
    const result = r[DIRECT_RESULT]!;
    Atomics.store(c, DIRECT_STATE, DirectState.IDLE);
    return result;
  };

  return (nr, a0, a1, a2, a3, a4, a5) => {
    const key = (nr >= 0 && nr < NRS ? nr : 0) * KEYS_PER_NR + (FD_KEYED.has(nr) ? Math.min(KEYS_PER_NR - 1, Math.max(0, a0 | 0)) : 0);
    if (pmHints !== undefined && pmHints[0] === 1) {
      const op = PM_OPS[nr];
      if (op !== undefined) {
        const result = directCall(op, key, a0, 0, 0, 0, pmCtl, pmRegs, pmBell);
        if (result !== DIRECT_REFUSED) { afterCall(); return result; }
      }
    }
    if (pathHint !== undefined && pathHint[0] === 1) {
      const op = PATH_OPS[nr];
      if (op !== undefined) {
        const result = directCall(op, key, a0, a1, a2, a3);
        if (result !== DIRECT_REFUSED) { afterCall(); return result; }
      } else {
        // The *at calls, from the cwd or a directory the kernel named in the row (WASI's preopens).
        const atOp = AT_OPS[nr];
        if (atOp !== undefined && (a0 === AT.FDCWD || (Number.isInteger(a0) && hints![a0] === HINT_DIR))) {
          const result = directCall(atOp, key, a1, a2, a3, a4, dctl, dregs, serverBell, a0);
          if (result !== DIRECT_REFUSED) { afterCall(); return result; }
        }
      }
    }
    // A socket call with a signal pending traps: the kernel's path answers it EINTR first.
    if (netHints !== undefined && netHints[a0]! === HINT_FILE && Number.isInteger(a0) && Atomics.load(ctl, TRAP_SIGNALS) === 0) {
      const op = NET_OPS[nr];
      // sendto and recvfrom only without an address (its length, or the pointer to it, is 0).
      if (op !== undefined && (op === DirectOp.READ || op === DirectOp.WRITE || a5 === 0)) {
        const result = directCall(op, NRS * KEYS_PER_NR + nr, a0, a1, a2, op === DirectOp.SEND || op === DirectOp.RECV ? a3 : 0, netCtl, netRegs, netBell);
        if (result !== DIRECT_REFUSED) { afterCall(); return result; }
      }
    }
    if (hints !== undefined && hints[a0]! === HINT_FILE && Number.isInteger(a0)) {
      const op = DIRECT_OPS[nr];
      if (op !== undefined) {
        const result = directCall(op, key, a0, a1, a2, a3);
        if (result !== DIRECT_REFUSED) { afterCall(); return result; }
      }
    }
    regs[0] = a0; regs[1] = a1; regs[2] = a2; regs[3] = a3; regs[4] = a4; regs[5] = a5;
    ctl[TRAP_NR] = nr;
    const started = performance.now();
    Atomics.store(ctl, TRAP_STATE, TrapState.REQUEST);
    const woke = ringBell(bell);
    wait(ctl, key, started, woke);
    const result = regs[TRAP_RESULT]!;
    Atomics.store(ctl, TRAP_STATE, TrapState.IDLE);
    afterCall();
    return result;
  };
}

function envObject(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}

interface Loaded { libc: typeof Libc; wasi: typeof Wasi; sandbox: typeof Sandbox; capability: typeof Capability }
let loaded: Loaded | undefined;

/**
 * Loads libc, the WASI layer and the sandbox, and hardens what programs share; the
 * host calls it once per thread, before the first start message.
 */
export async function prepareRuntime(): Promise<void> {
  if (loaded !== undefined) return;
  const [libc, wasi, sandbox, capability] = await Promise.all([
    import('../libc/index.js'), import('../wasi/index.js'), import('./sandbox.js'), import('../wasi/capability.js'),
  ]);
  if (sandbox.sandboxAvailable()) sandbox.hardenShared();
  loaded = { libc, wasi, sandbox, capability };
}

const header = new TextEncoder().encode(executableHeader);
const decoder = new TextDecoder();
const deadTrap: TrapFn = () => { throw new TypeError('the process has exited'); };

/** Runs the program in `start` until its process exits; returns once it has. */
export async function runProcess(start: ProcessStart): Promise<void> {
  await prepareRuntime();
  const { libc, wasi, sandbox, capability } = loaded!;
  const name = start.argv[0] ?? 'program';
  const memory = new Uint8Array(start.userMemory);
  // Everything the program holds goes through `live`: false once it has exited.
  let live = true;
  let signalRunner: ((mask: number) => void) | undefined;
  let announceExit: () => void = () => {};
  const exited = new Promise<void>((resolve) => { announceExit = resolve; });
  const raw = makeTrap(start, (mask) => signalRunner?.(mask));
  const trap: TrapFn = (nr, a0, a1, a2, a3, a4, a5) => {
    if (!live) throw new TypeError(`${name}: the process has exited`);
    const r = raw(nr, a0, a1, a2, a3, a4, a5);
    if (nr === SYS.exit) { live = false; announceExit(); }
    return r;
  };
  const wasm = capability.wasmCapability(() => live);
  installTrap(trap, memory, { wasm });
  let status: number;
  try {
    const format = execFormat(start.program);
    if (format === 'js') {
      if (!sandbox.sandboxAvailable()) throw new Error('this thread has no program sandbox (ses lockdown did not run)');
      const source = decoder.decode(start.program.subarray(header.length));
      const main = sandbox.loadProgram(source, name, {
        trap, memory, wasm, setSignalRunner: (runner) => { if (live) signalRunner = runner; },
      });
      const result = await Promise.race([Promise.resolve(main([...start.argv], envObject(start.env))), exited]);
      status = typeof result === 'number' && Number.isFinite(result) ? result : live ? 1 : 0;
    } else if (format === 'wasm') {
      status = await wasi.runWasm(start.program, start.argv, envObject(start.env));
    } else {
      throw new Error('exec format error');
    }
  } catch (e) {
    status = 1;
    if (live) {
      let message: string;
      try { message = e instanceof SyntaxError ? `exec format error: ${e.message} (a kernelkit-js program is a script that sets exports.main)` : e instanceof Error ? e.message : String(e); } catch { message = 'uncaught exception'; }
      try { libc.write(2, `${name}: ${message}\n`); } catch { /* stderr may be gone */ }
    }
  }
  if (live) trap(SYS.exit, status, 0, 0, 0, 0, 0);
  live = false;
  signalRunner = undefined;
  installTrap(deadTrap, new Uint8Array(0));
}

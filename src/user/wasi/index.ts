// WASI preview1 on kernelkit: runs a WebAssembly module as the body of a kernelkit
// process. The process runtime sees the "\0asm" magic (abi/exec.ts) and calls
// runWasm; every preview1 import (imports.ts) is implemented on the synchronous libc
// (user/libc/), so the module's files, pipes and clocks are kernelkit's own.
//
// Neighbours: fd-table.ts (guest fds -> kernel fds, rights), path.ts (sandboxed path
// resolution), fd-calls.ts / path-calls.ts / poll.ts (the calls), docs/wasi.md.

import { open, fcntl, write, getcwd, clockGettime, getrlimit, O, F, CLOCK, RLIMIT } from '../libc/index.js';
import { RIGHTS_ALL, RIGHTS_DIR } from './constants.js';
import { WasiExit, wasiFdflags, type WasiContext } from './context.js';
import { FdTable } from './fd-table.js';
import { buildImports } from './imports.js';
import { GuestMemory } from './memory.js';
import { describe } from './path-calls.js';
import { limitMemory } from './memory-limit.js';
import { LISTEN_ENV, parseListenList, openListener, type ListenAddress } from './listen.js';

/** A directory the guest sees as a preopened fd. */
export interface Preopen {
  /** The name the guest sees (fd_prestat_dir_name), e.g. '/' or '.'. */
  guest: string;
  /** The kernel path it stands for; default: `guest`, relative names against the cwd. */
  path?: string;
  /** The guest fd number; default: the next free one from 3. */
  fd?: number;
}

export interface RunWasmOptions {
  /**
   * Default: the kernel's '/' as the guest's '/' (fd 3), and the process's cwd given
   * to the guest as PWD (see `guestEnvironment`).
   */
  preopens?: Preopen[];
  /**
   * TCP listeners to preopen, from fd 3 in this order, before the directories (as
   * `wasmtime --tcplisten`); default: what KERNELKIT_WASI_LISTEN asks for, or none.
   */
  listen?: ListenAddress[];
  /** The kernel fds the guest's 0, 1 and 2 stand for (default: 0, 1, 2). */
  stdio?: readonly [number, number, number];
}

/** Exit statuses runWasm returns for a module that never ran to its own exit. */
export const EXIT_NOT_RUNNABLE = 126;
export const EXIT_TRAP = 134;

export const DEFAULT_PREOPENS: readonly Preopen[] = [{ guest: '/' }];

/**
 * The environment variable a launcher (a shell line, the wasi-test runner) can set to
 * choose the preopens without a runtime API: `GUEST=PATH` pairs separated by ':', e.g.
 * `/=/tmp/t/root:data.dir=/tmp/t/data.dir`. runWasm removes it from the guest's
 * environment. Names containing ':' or '=' cannot be given this way.
 */
export const PREOPENS_ENV = 'KERNELKIT_WASI_PREOPENS';

/** Parses a PREOPENS_ENV value; throws with the offending part. */
export function parsePreopens(value: string): Preopen[] {
  return value.split(':').filter((p) => p !== '').map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new Error(`${PREOPENS_ENV}: '${part}' is not GUEST=PATH`);
    return { guest: part.slice(0, eq), path: part.slice(eq + 1) };
  });
}

function report(message: string): void {
  try {
    write(2, message.endsWith('\n') ? message : message + '\n');
  } catch {
    console.error(message);
  }
}

const describeError = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function stdio(fds: FdTable, kfds: readonly [number, number, number]): void {
  for (const fd of [0, 1, 2]) {
    const kfd = kfds[fd] as number;
    try {
      const flags = (() => { try { return wasiFdflags(fcntl(kfd, F.GETFL)); } catch { return 0; } })();
      const entry = describe(kfd, RIGHTS_ALL, 0n, flags);
      entry.borrowed = true;
      fds.set(fd, entry);
    } catch {
      // Not open in this process: the guest gets EBADF for it.
    }
  }
}

function preopen(fds: FdTable, p: Preopen): void {
  // A relative preopen path is the kernel's to resolve from the cwd.
  const kfd = open(p.path ?? p.guest, O.RDONLY | O.DIRECTORY);
  const entry = describe(kfd, RIGHTS_DIR, RIGHTS_ALL, 0);
  entry.preopenName = p.guest;
  if (p.fd !== undefined) {
    if (fds.has(p.fd)) {
      const replaced = fds.remove(p.fd);
      try { fds.closeEntry(replaced); } catch { /* replaced either way */ }
    }
    fds.set(p.fd, entry);
  } else {
    fds.add(entry);
  }
}

/**
 * The guest's environment. With the default preopen (the guest's '/' is the kernel's
 * '/'), PWD is set to the process's cwd: wasi-libc starts every program at '/' and
 * turns each relative path into an absolute one against that, so the runtime cannot
 * tell "db.sqlite" from "/db.sqlite"; a libc that reads PWD at start-up (the C
 * programs kernelkit builds do, scripts/build-c.mjs) chdirs there and then names
 * every file by its absolute path. A process at '/' gets no PWD it did not have. With
 * other preopens the guest's '/' is another directory and its environment is left as
 * given.
 */
export function guestEnvironment(env: Record<string, string>, defaultPreopens: boolean): Record<string, string> {
  if (!defaultPreopens) return env;
  let cwd: string;
  try {
    cwd = getcwd();
  } catch {
    return env; // a cwd with no name (removed): the guest starts at '/'
  }
  // At '/' (where wasi-libc starts anyway) the environment stays exactly as given,
  // unless a PWD in it names another directory.
  if (cwd === '/' && (env.PWD === undefined || env.PWD === '/')) return env;
  return { ...env, PWD: cwd };
}

interface Exports { memory?: WebAssembly.Memory; _start?: () => void }

/**
 * Runs a WASI preview1 command module to completion; returns its exit status.
 * A module that cannot be compiled or linked gives 126, a trap 134, each with a
 * message on stderr naming the cause.
 */
export async function runWasm(bytes: Uint8Array | WebAssembly.Module, argv: string[], env: Record<string, string>, options: RunWasmOptions = {}): Promise<number> {
  const name = argv[0] ?? 'wasm';
  let module: WebAssembly.Module;
  const memoryLimit = asLimit();
  try {
    if (bytes instanceof Uint8Array) {
      // RLIMIT_AS: the module's memory gets a maximum (memory-limit.ts).
      const capped = limitMemory(bytes, memoryLimit);
      if (!capped.ok) {
        await WebAssembly.compile(bytes); // a module that is simply broken is reported as such
        report(`${name}: cannot run: ${capped.error}`);
        return EXIT_NOT_RUNNABLE;
      }
      module = await WebAssembly.compile(capped.bytes);
    } else {
      // FIXME: a module compiled by the caller keeps its own memory maximum (no RLIMIT_AS cap).
      module = bytes;
    }
  } catch (e) {
    report(`${name}: not a valid WebAssembly module: ${describeError(e)}`);
    return EXIT_NOT_RUNNABLE;
  }

  let preopens = options.preopens ?? DEFAULT_PREOPENS;
  const requested = env[PREOPENS_ENV];
  if (requested !== undefined) {
    const { [PREOPENS_ENV]: _consumed, ...rest } = env;
    env = rest;
    if (options.preopens === undefined) {
      try {
        preopens = parsePreopens(requested);
      } catch (e) {
        report(`${name}: ${describeError(e)}`);
        return EXIT_NOT_RUNNABLE;
      }
    }
  }
  let listeners = options.listen ?? [];
  const listenRequested = env[LISTEN_ENV];
  if (listenRequested !== undefined) {
    const { [LISTEN_ENV]: _consumed, ...rest } = env;
    env = rest;
    if (options.listen === undefined) {
      try {
        listeners = parseListenList(listenRequested);
      } catch (e) {
        report(`${name}: ${LISTEN_ENV}: ${describeError(e)}`);
        return EXIT_NOT_RUNNABLE;
      }
    }
  }
  env = guestEnvironment(env, preopens === DEFAULT_PREOPENS);
  const fds = new FdTable();
  const ctx: WasiContext = { mem: new GuestMemory(), fds, args: argv, env: Object.entries(env).map(([k, v]) => `${k}=${v}`) };
  const start = clockGettime(CLOCK.MONOTONIC);
  const wasi = buildImports(ctx, start);

  const unknown = WebAssembly.Module.imports(module)
    .filter((i) => !(i.module === 'wasi_snapshot_preview1' && i.kind === 'function' && i.name in wasi))
    .map((i) => `${i.module}.${i.name} (${i.kind})`);
  if (unknown.length > 0) {
    report(`${name}: cannot run: unknown import${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; kernelkit provides wasi_snapshot_preview1 functions only`);
    return EXIT_NOT_RUNNABLE;
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((x) => x.name));
  if (!exported.has('memory')) { report(`${name}: cannot run: the module exports no memory`); return EXIT_NOT_RUNNABLE; }
  if (!exported.has('_start')) { report(`${name}: cannot run: the module exports no _start (not a WASI command)`); return EXIT_NOT_RUNNABLE; }

  stdio(fds, options.stdio ?? [0, 1, 2]);
  for (const l of listeners) {
    try {
      fds.add(openListener(l));
    } catch (e) {
      const where = `${l.addr}:${l.port}`;
      report(`${name}: cannot listen on ${where}: ${describeError(e).replace(`${where}: `, '')}`);
      closeAll(fds);
      return EXIT_NOT_RUNNABLE;
    }
  }
  try {
    for (const p of preopens) preopen(fds, p);
  } catch (e) {
    report(`${name}: cannot set up preopened directories: ${describeError(e)}`);
    closeAll(fds);
    return EXIT_NOT_RUNNABLE;
  }

  let memory: WebAssembly.Memory | undefined;
  try {
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi });
    } catch (e) {
      if (e instanceof WebAssembly.LinkError) { report(`${name}: cannot run: ${describeError(e)}`); return EXIT_NOT_RUNNABLE; }
      throw e;
    }
    const exports = instance.exports as Exports;
    memory = exports.memory as WebAssembly.Memory;
    ctx.mem.attach(memory);
    (exports._start as () => void)();
    return 0;
  } catch (e) {
    if (e instanceof WasiExit) return e.code & 0xff;
    if (e instanceof WebAssembly.RuntimeError) { report(`${name}: wasm trap: ${describeError(e)}${atLimit(memory, memoryLimit)}`); return EXIT_TRAP; }
    if (e instanceof RangeError && /call stack/i.test(describeError(e))) { report(`${name}: wasm trap: call stack exhausted`); return EXIT_TRAP; }
    report(`${name}: aborted by an error in the WASI layer: ${e instanceof Error && e.stack !== undefined ? e.stack : describeError(e)}`);
    return EXIT_TRAP;
  } finally {
    closeAll(fds);
  }
}

/** The caller's RLIMIT_AS soft limit (Infinity when the kernel has none to say). */
function asLimit(): number {
  try { return getrlimit(RLIMIT.AS).soft; } catch { return Infinity; }
}

/** Why a trap may have happened: the memory reached its limit (malloc then fails). */
function atLimit(memory: WebAssembly.Memory | undefined, limit: number): string {
  if (memory === undefined || limit === Infinity) return '';
  const size = memory.buffer.byteLength;
  return size + 65536 > limit ? ` (memory is at its RLIMIT_AS limit of ${Math.round(limit / (1 << 20))} MiB; memory.grow failed)` : '';
}

// The kernel closes a process's fds when it exits; closing here too keeps runWasm
// leak-free when one process runs several modules (the clang driver, tests).
function closeAll(fds: FdTable): void {
  for (const [, e] of fds.all()) { try { fds.closeEntry(e); } catch { /* closing what is left */ } }
}

export { PREVIEW1_FUNCTIONS } from './imports.js';

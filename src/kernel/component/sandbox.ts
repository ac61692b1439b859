// The sandbox domain's side of the component table: a component compiled to
// WebAssembly, instantiated in the kernel thread (kernel/sandbox/instance.ts) and
// reached by direct calls — no thread, no ring — through its glue (the component
// module's `create`, given the instance as `ctx.sandbox`).
//
// It is supervised like a user-domain server, without a thread to watch:
//   trap       the instance traps (unreachable, out of bounds, stack overflow, fuel
//              run out: a hang) -> it is dropped at once, dmesg says why, a fresh
//              instance of the same module starts, and the calls that were in flight
//              are replayed once if idempotent or fail with EIO
//   bad reply  every reply goes through the service list's check (abi/services.ts):
//              a malformed one fails the call with EIO, as from a user-domain server
//   wild write lands in the instance's own linear memory (memstat shows its regions)
// Calls that arrive while it restarts wait for it.

import type { Value } from '../../lib/codec.js';
import type { ComponentContext, ComponentInstance } from '../../abi/component.js';
import type { MemArenaRecord } from '../../abi/sysinfo.js';
import { KernelError, Errno, isKernelError } from '../../abi/errno.js';
import { checkReply, type MethodDef, type ServiceDef } from '../../abi/services.js';
import { checksum } from '../../lib/arena.js';
import { SandboxInstance, SandboxTrap } from '../sandbox/instance.js';
import { BAD_REPLY, type FaultType } from './fault.js';
import { MAX_REPLAYS } from './peer-link.js';
import type { ComponentModule } from './server-runtime.js';
import type { Params } from '../params.js';
import type { Arena } from '../../lib/arena.js';
import { checkAndMeter } from '../sandbox/module.js';
import { GRANTABLE } from '../sandbox/instance.js';

/** A component module with a WebAssembly build: where its module is in the image, what it must export. */
export interface SandboxModule extends ComponentModule {
  wasm: {
    path: string;
    exports: readonly string[];
    /** An export that returns where its bulk-data window starts (at the start of its heap), and the window's size. */
    window?: string;
    windowBytes?: number;
  };
}

export function isSandboxModule(m: ComponentModule | undefined): m is SandboxModule {
  return m !== undefined && typeof (m as Partial<SandboxModule>).wasm?.path === 'string';
}

/** What `fault` asks of the C code (blk.c kk_fault); bad-reply is the supervisor's. */
const FAULT_CODES: Partial<Record<FaultType, number>> = { crash: 1, hang: 2, 'wild-write': 3, leak: 5 };

interface InFlight { def: MethodDef; args: Value[]; replays: number; resolve(v: Value): void; reject(e: unknown): void }

export interface SandboxHost {
  name: string;
  module: SandboxModule;
  service: ServiceDef;
  params: Params;
  /** The module's bytes (from the image), read again at each restart. */
  binary: () => Uint8Array;
  device: SharedArrayBuffer | undefined;
  /** The component's context, less the sandbox binding. */
  context: () => ComponentContext;
  log: (line: string) => void;
  /** Tells the component table the state changed (lsmod's fields live there). */
  state: { state: 'starting' | 'running' | 'restarting' | 'failed'; restarts: number; generation: number };
  /** The glue failed with something that is neither an errno nor a trap: a kernel bug. */
  panic: (cause: string) => never;
  /**
   * Unsandboxed (kernel domain): the module's memory is a region of the kernel arena
   * and it runs without fuel; a trap is then a kernel bug like any other: a panic.
   */
  unsandboxed?: { arena: Arena; memory: WebAssembly.Memory };
}

export class SandboxComponent {
  private wasm: SandboxInstance | undefined;
  private glue: ComponentInstance | undefined;
  private readonly inFlight = new Set<InFlight>();
  private readonly waiting: (() => void)[] = [];
  private armed: FaultType | undefined;
  /** While an instance starts, a trap fails the start rather than restarting it. */
  private starting = false;
  /** When the last trap happened and how long the restart took (ms), for the bench. */
  lastRecoveryMs: number | undefined;

  constructor(private readonly h: SandboxHost) {}

  /** The binding callers use: one function per method of the service list, made once. */
  bind(iface: ComponentInstance): void {
    for (const def of this.h.service.methods) iface[def.name] = (...args: Value[]): Promise<Value> => this.call(def, args, 0);
  }

  /** Instantiates the module and runs the glue's init; throws (ENOEXEC naming why) if it is refused. */
  async start(): Promise<void> {
    const binary = this.h.binary();
    const rules = { maxBytes: this.h.params.sandboxModuleBytes, maxPages: this.h.params.sandboxPages, startFuel: this.h.params.sandboxFuel };
    const un = this.h.unsandboxed;
    let unsandboxed: { memory: WebAssembly.Memory; base: number } | undefined;
    if (un !== undefined) {
      // Its memory: a region of the kernel arena, among the kernel-domain components'
      // buffers, of what it uses — its static memory (data and stack) and its window —
      // as a C module's allocations in a kernel; past them lie its neighbours.
      const staticEnd = (checkAndMeter(binary, { ...rules, imports: GRANTABLE }).staticEnd + 15) & ~15;
      const size = staticEnd + (this.h.module.wasm.windowBytes ?? 0);
      unsandboxed = { memory: un.memory, base: un.arena.alloc(this.h.name, size, 'WebAssembly memory (unsandboxed)').offset };
    }
    const context = this.h.context();
    const wasm = SandboxInstance.load(binary, {
      name: this.h.name,
      rules,
      fuel: this.h.params.sandboxFuel,
      device: this.h.device,
      notify: () => context.device?.notify(),
      log: this.h.log,
      onTrap: (t) => {
        if (un !== undefined) this.h.panic(`${t.reason} (unsandboxed WebAssembly)`);
        else if (!this.starting) void this.restart(wasm, t);
      },
      ...(unsandboxed === undefined ? {} : { unsandboxed }),
    });
    for (const e of this.h.module.wasm.exports) if (!wasm.has(e)) throw new KernelError(Errno.ENOEXEC, `bad WebAssembly module: ${this.h.name} must export ${e}`);
    this.wasm = wasm;
    const ctx: ComponentContext = { ...context, sandbox: { call: (n, ...a) => wasm.call(n, ...a), copyIn: (p, d) => wasm.copyIn(p, d), copyOut: (p, l) => wasm.copyOut(p, l) } };
    this.glue = this.h.module.create(ctx);
    this.starting = true;
    try {
      await this.glue.init?.();
    } catch (e) {
      throw e instanceof SandboxTrap ? new KernelError(Errno.ENOEXEC, `${this.h.name}: its init trapped (${e.reason})`) : e;
    } finally {
      this.starting = false;
    }
  }

  armFault(type: FaultType): void { this.armed = type; }

  busy(): boolean { return this.inFlight.size > 0 || this.glue?.busy?.() === true; }

  async shutdown(): Promise<void> { await this.glue?.shutdown?.(); }

  private async call(def: MethodDef, args: Value[], replays: number): Promise<Value> {
    while (this.h.state.state === 'restarting' || this.h.state.state === 'starting') {
      // NOTE: await; the call waits for the restart to finish.
      await new Promise<void>((r) => this.waiting.push(r));
    }
    if (this.h.state.state === 'failed' || this.glue === undefined || this.wasm === undefined) throw new KernelError(Errno.EIO, `${this.h.name} has failed`);
    const glue = this.glue, wasm = this.wasm;
    return new Promise<Value>((resolve, reject) => {
      const entry: InFlight = { def, args, replays, resolve, reject };
      this.inFlight.add(entry);
      const settle = (f: () => void): void => {
        // A call of an instance that trapped is the restart's to finish.
        if (wasm.dead !== undefined || !this.inFlight.delete(entry)) return;
        f();
      };
      let answer: Promise<unknown>;
      try {
        const fault = this.armed;
        this.armed = fault === 'leak' ? 'leak' : undefined;
        if (fault === 'bad-reply') answer = Promise.resolve(BAD_REPLY);
        else {
          const code = fault === undefined ? undefined : FAULT_CODES[fault];
          if (code !== undefined) wasm.call('kk_fault', code);
          answer = Promise.resolve((glue[def.name] as (...a: Value[]) => Promise<unknown>)(...args));
        }
      } catch (e) {
        answer = Promise.reject(e);
      }
      answer.then(
        (v) => settle(() => { try { resolve(checkReply(def, this.h.name, v, args) as Value); } catch (e) { reject(e); } }),
        (e: unknown) => settle(() => {
          if (isKernelError(e)) reject(e);
          else if (!(e instanceof SandboxTrap)) this.h.panic(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
        }),
      );
    });
  }

  /** The supervisor: drop the instance that trapped, start a fresh one, finish the calls it held. */
  private async restart(dead: SandboxInstance, trap: SandboxTrap): Promise<void> {
    if (this.wasm !== dead) return;
    const began = performance.now();
    const s = this.h.state;
    this.wasm = undefined;
    const oldGlue = this.glue;
    this.glue = undefined;
    await oldGlue?.shutdown?.().catch(() => {});
    const calls = [...this.inFlight];
    this.inFlight.clear();
    s.state = 'restarting';
    s.restarts++;
    s.generation++;
    this.h.log(`${this.h.name}: trapped (${trap.reason}); restarting (restart ${s.restarts})`);
    if (s.restarts > this.h.params.maxRestarts) {
      s.state = 'failed';
      this.h.log(`${this.h.name}: too many restarts, giving up`);
    } else {
      try {
        await this.start();
        s.state = 'running';
        this.lastRecoveryMs = performance.now() - began;
        this.h.log(`${this.h.name}: restarted`);
      } catch (e) {
        s.state = 'failed';
        this.h.log(`${this.h.name}: restart failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const w of this.waiting.splice(0)) w();
    for (const c of calls) {
      // Replay once: a request that traps every time must not restart it forever.
      if (s.state === 'running' && c.def.idempotent && c.replays < MAX_REPLAYS) this.call(c.def, c.args, c.replays + 1).then(c.resolve, c.reject);
      else c.reject(new KernelError(Errno.EIO, `${this.h.name} trapped during ${c.def.name}`));
    }
  }

  /** Its linear memory as memstat shows an arena: the static data and stack, the window, the heap past it. */
  memstat(): MemArenaRecord | undefined {
    const wasm = this.wasm;
    // Unsandboxed, its memory is a region of the kernel arena, listed there.
    if (wasm === undefined || wasm.dead !== undefined || this.h.unsandboxed !== undefined) return undefined;
    const bytes = wasm.bytes();
    const windowExport = this.h.module.wasm.window;
    const window = windowExport === undefined ? bytes.length : wasm.call(windowExport);
    const windowEnd = Math.min(bytes.length, window + (this.h.module.wasm.windowBytes ?? 0));
    const regions = [
      { owner: this.h.name, tag: 'static data and stack', offset: 0, length: window },
      { owner: this.h.name, tag: 'window', offset: window, length: windowEnd - window },
      { owner: this.h.name, tag: 'heap', offset: windowEnd, length: bytes.length - windowEnd },
    ].filter((r) => r.length > 0);
    return { arena: `sandbox:${this.h.name}`, size: bytes.length, regions: regions.map((r) => ({ ...r, checksum: checksum(bytes.subarray(r.offset, r.offset + r.length)) })) };
  }
}

// One instance in the sandbox domain: a WebAssembly module (checked and metered by
// module.ts) instantiated in the kernel thread with only the imports the kernel grants
// it, reached by direct calls to its exports. Its memory is its own linear memory:
// the kernel reads and writes it only through copyIn/copyOut, which check the range.
//
// A trap — unreachable, an access outside its memory, a stack overflow, fuel run out,
// or an import refusing its arguments — ends the instance: it is marked dead, the
// owner's `onTrap` is told once (the supervisor in component/sandbox.ts drops it and
// starts a fresh one) and the call throws SandboxTrap. Nothing of the kernel's is
// reachable from inside: the imports are closures over the device memory this
// component was granted and over the instance's own memory.

import { KernelError, Errno } from '../../abi/errno.js';
import { DEV_DOORBELL } from '../../abi/device.js';
import { checkAndMeter, FUEL_EXPORT, START_EXPORT, type FuncSig, type ModuleRules } from './module.js';

/** The end of a sandboxed instance: not an errno, so nothing mistakes it for an answer. */
export class SandboxTrap extends Error {
  constructor(readonly component: string, readonly reason: string) { super(`${component}: trapped (${reason})`); this.name = 'SandboxTrap'; }
}

/** An import refused its arguments: the instance traps. */
class ImportFault extends Error {}

/** What the kernel grants a sandboxed driver (module "kernelkit"), and each import's type. */
export const GRANTABLE: Readonly<Record<string, FuncSig>> = {
  // Device registers and queue words, 32-bit, atomic (as MMIO is): offsets into the device's memory.
  dev_load32: { params: ['i32'], results: ['i32'] },
  dev_store32: { params: ['i32', 'i32'], results: [] },
  dev_store_f64: { params: ['i32', 'f64'], results: [] },
  // DMA between the device's memory and the instance's: (instance pointer, device offset, length).
  dev_read: { params: ['i32', 'i32', 'i32'], results: [] },
  dev_write: { params: ['i32', 'i32', 'i32'], results: [] },
  dev_notify: { params: [], results: [] },
  // A line for dmesg: (pointer, length), at most 256 bytes.
  log: { params: ['i32', 'i32'], results: [] },
};

export interface SandboxOptions {
  name: string;
  rules: Omit<ModuleRules, 'imports'>;
  /** Fuel for each call from the kernel. */
  fuel: number;
  /** The device memory this driver was granted, if any. */
  device: SharedArrayBuffer | undefined;
  /** Rings the device's doorbell (the driver's binding: kernel/device.ts). */
  notify?: () => void;
  log: (line: string) => void;
  /** Told once, at the first trap. */
  onTrap: (trap: SandboxTrap) => void;
  /**
   * Unsandboxed: its memory is `memory` (the kernel arena's) from `base` on, with no
   * bounds but the arena's end, and no fuel (module.ts): what a C module in a kernel has.
   */
  unsandboxed?: { memory: WebAssembly.Memory; base: number };
}

export class SandboxInstance {
  private exports!: Record<string, unknown>;
  private memory!: WebAssembly.Memory;
  private fuel!: WebAssembly.Global;
  /** Set at the first trap; every later call throws at once. */
  dead: SandboxTrap | undefined;
  /** Where its address 0 is in the memory it uses (0 in the sandbox; its region of the kernel arena unsandboxed). */
  base = 0;
  /** Calls made into it (the kernel's, not counting nested ones). */
  calls = 0;

  private constructor(private readonly o: SandboxOptions) {}

  /** Checks, meters, compiles and instantiates `bytes`; throws ENOEXEC naming what is wrong (the kernel is untouched). */
  static load(bytes: Uint8Array, o: SandboxOptions): SandboxInstance {
    const un = o.unsandboxed;
    const checked = checkAndMeter(bytes, { ...o.rules, imports: GRANTABLE, ...(un === undefined ? {} : { unsandboxed: { base: un.base, arenaPages: un.memory.buffer.byteLength / 65536 } }) });
    const self = new SandboxInstance(o);
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(checked.bytes as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new KernelError(Errno.ENOEXEC, `bad WebAssembly module: ${e instanceof Error ? e.message.replace(/^WebAssembly\.Module\(\): /, '') : String(e)}`);
    }
    const imports: Record<string, WebAssembly.ImportValue> = {};
    if (un !== undefined) { imports['memory'] = un.memory; self.base = un.base; }
    const granted = self.imports();
    for (const name of checked.imports) imports[name] = granted[name]!;
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, { kernelkit: imports });
    } catch (e) {
      // A data or element segment out of range, say.
      throw new KernelError(Errno.ENOEXEC, `bad WebAssembly module: ${e instanceof Error ? e.message.replace(/^WebAssembly\.Instance\(\): /, '') : String(e)}`);
    }
    self.exports = instance.exports as Record<string, unknown>;
    const memory = self.exports['memory'];
    if (!(memory instanceof WebAssembly.Memory)) throw new KernelError(Errno.ENOEXEC, 'bad WebAssembly module: it does not export its memory as "memory"');
    self.memory = memory;
    self.fuel = self.exports[FUEL_EXPORT] as WebAssembly.Global;
    if (self.has(START_EXPORT)) {
      self.fuel.value = o.rules.startFuel;
      try {
        (self.exports[START_EXPORT] as () => void)();
      } catch (e) {
        throw new KernelError(Errno.ENOEXEC, `bad WebAssembly module: its start function trapped: ${describe(e, self.fuel.value as number)}`);
      }
    }
    return self;
  }

  /** Whether the module exports function `name`. */
  has(name: string): boolean { return typeof this.exports[name] === 'function'; }

  /** The memory it uses, as the kernel sees it (memstat): its own linear memory, or unsandboxed the whole kernel arena. */
  bytes(): Uint8Array { return new Uint8Array(this.memory.buffer); }

  /**
   * Calls export `name` with fresh fuel: a direct call in the kernel thread. Throws
   * SandboxTrap (and tells onTrap) if the instance traps, or is already dead.
   */
  call(name: string, ...args: number[]): number {
    if (this.dead !== undefined) throw this.dead;
    const fn = this.exports[name];
    if (typeof fn !== 'function') return this.trap(`it exports no function ${name}`);
    this.fuel.value = this.o.fuel;
    this.calls++;
    try {
      return Number((fn as (...a: number[]) => unknown)(...args) ?? 0);
    } catch (e) {
      return this.trap(describe(e, this.fuel.value as number));
    }
  }

  /** Copies `data` into its memory at `ptr`; a range outside it is the instance's fault (it named the window). */
  copyIn(ptr: number, data: Uint8Array): void {
    const mem = this.bytes();
    const at = this.base + ptr;
    if (!Number.isInteger(ptr) || ptr < 0 || at + data.length > mem.length) this.trap(`window ${ptr}+${data.length} is outside its memory`);
    mem.set(data, at);
  }

  /** A copy of `length` bytes of its memory at `ptr`. */
  copyOut(ptr: number, length: number): Uint8Array {
    const mem = this.bytes();
    const at = this.base + ptr;
    if (!Number.isInteger(ptr) || ptr < 0 || at + length > mem.length) this.trap(`window ${ptr}+${length} is outside its memory`);
    return mem.slice(at, at + length);
  }

  private trap(reason: string): never {
    const t = new SandboxTrap(this.o.name, reason);
    if (this.dead === undefined) { this.dead = t; this.o.onTrap(t); }
    throw t;
  }

  private imports(): Record<string, (...a: number[]) => unknown> {
    const dev = this.o.device;
    const words = dev === undefined ? undefined : new Int32Array(dev);
    const devBytes = dev === undefined ? undefined : new Uint8Array(dev);
    const fault = (why: string): never => { throw new ImportFault(why); };
    const word = (off: number): number => {
      if (words === undefined) fault('it holds no device');
      if ((off & 3) !== 0 || off < 0 || off + 4 > words!.byteLength) fault(`device register ${off} does not exist`);
      return off >> 2;
    };
    const range = (ptr: number, off: number, len: number): void => {
      if (devBytes === undefined) fault('it holds no device');
      const mem = this.bytes();
      if (len < 0 || off < 0 || off + len > devBytes!.length) fault(`device range ${off}+${len} is outside the device`);
      if (ptr < 0 || this.base + ptr + len > mem.length) fault(`DMA range ${ptr}+${len} is outside its memory`);
    };
    return {
      dev_load32: (off) => Atomics.load(words!, word(off)),
      dev_store32: (off, v) => { Atomics.store(words!, word(off), v); },
      dev_store_f64: (off, v) => {
        if (dev === undefined || (off & 7) !== 0 || off < 64 || off + 8 > dev.byteLength) fault(`device register ${off} does not take a float64`);
        new Float64Array(dev!, off, 1)[0] = v;
      },
      // Unsigned: a pointer past 2 GiB arrives negative.
      dev_read: (ptr, off, len) => { ptr >>>= 0; range(ptr, off, len); this.bytes().set(devBytes!.subarray(off, off + len), this.base + ptr); },
      dev_write: (off, ptr, len) => { ptr >>>= 0; range(ptr, off, len); const at = this.base + ptr; devBytes!.set(this.bytes().subarray(at, at + len), off); },
      dev_notify: () => {
        if (words === undefined) fault('it holds no device');
        if (this.o.notify !== undefined) { this.o.notify(); return; }
        Atomics.add(words!, DEV_DOORBELL, 1);
        Atomics.notify(words!, DEV_DOORBELL);
      },
      log: (ptr, len) => {
        ptr >>>= 0;
        const mem = this.bytes();
        const at = this.base + ptr;
        if (len < 0 || len > 256 || at + len > mem.length) fault(`log line ${ptr}+${len} is outside its memory or too long`);
        // NOTE: a copy: TextDecoder refuses a view of shared memory (the kernel arena).
        this.o.log(`${this.o.name}: ${new TextDecoder().decode(mem.slice(at, at + len))}`);
      },
    };
  }
}

/** The reason a call trapped, in words. */
function describe(e: unknown, fuel: number | undefined): string {
  if (fuel !== undefined && fuel < 0) return 'fuel exhausted: a hang';
  if (e instanceof ImportFault) return `import refused: ${e.message}`;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'stack overflow';
  if (e instanceof WebAssembly.RuntimeError) {
    if (/unreachable/.test(e.message)) return 'unreachable executed';
    if (/out of bounds/.test(e.message)) return `out-of-bounds access (${e.message})`;
    return e.message;
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

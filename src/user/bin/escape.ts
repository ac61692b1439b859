// escape: tries to get out of the program sandbox, as an attacker's program would
// (test/system/escape.test.ts runs it on every preset; docs/security.md lists the
// tricks). Every attempt must end in an errno, a ReferenceError, a TypeError or a
// SyntaxError (ses refuses dynamic import), never in a host object. (A name the
// compartment does not define reads as undefined, so using it is a TypeError.)
//
//   escape attack CANARY...  every trick; with any host power gained, append to the
//                            CANARY host files (outside every share). One line each:
//                            "attempt NAME: blocked (WHY)" or "attempt NAME: ESCAPED ...".
//   escape pollute           leave state behind: globals, patched intrinsics (where it
//                            can), pending promises, filled user memory; then exit.
//   escape check             in a fresh program: "check NAME: clean" or "... DIRTY".
//   escape spin-after-exit   return from main, leaving a microtask loop that never ends.
//   escape block             block in a read from an empty pipe (killed by `escape kill-blocked`).
//   escape kill-blocked      spawn `escape block`, kill it mid-syscall with SIGKILL, wait.
//   escape whoami            print the id of the thread running this process.
//
// NOTE: the text of this program must not contain the dynamic import keyword
// followed by a parenthesis (the sandbox would refuse the whole program), so the
// attempts below build that text at run time.

import * as libc from '../libc/index.js';
import { SYS } from '../../abi/syscalls.js';
import { preflight } from '../util/args.js';

type Host = Record<string, unknown>;
interface Slot { trap: (...a: number[]) => number; memory: Uint8Array; setSignalRunner: unknown; wasm: { compile(b: Uint8Array): Promise<unknown>; run(m: unknown, argv: string[], env: Record<string, string>): Promise<number> } }

const slot = (globalThis as Record<symbol, Slot>)[Symbol.for('kernelkit.trap')]!;
const IMPORT = 'im' + 'port';
const out: string[] = [];
let canaries: string[] = [];
let escaped = 0;

// With a host module or global in hand, do what the original exploit did.
function useHostPower(value: unknown): string | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const v = value as Host;
  const proc = (v.process ?? v) as Host;
  const fs = (typeof v.appendFileSync === 'function' ? v : typeof v.default === 'object' && v.default !== null && typeof (v.default as Host).appendFileSync === 'function' ? v.default : undefined) as Host | undefined;
  const cp = (typeof v.execSync === 'function' ? v : undefined) as Host | undefined;
  const req = (typeof v.require === 'function' ? v.require : typeof (proc.mainModule as Host | undefined)?.require === 'function' ? (proc.mainModule as Host).require : undefined) as ((m: string) => Host) | undefined;
  const found: string[] = [];
  for (const c of canaries) {
    try { if (fs !== undefined) { (fs.appendFileSync as (p: string, d: string) => void)(c, 'escaped\n'); found.push('fs'); } } catch { /* keep trying */ }
    try { if (cp !== undefined) { (cp.execSync as (s: string) => void)(`id >> '${c}'`); found.push('child_process'); } } catch { /* keep trying */ }
    try { if (req !== undefined) { (req('node:fs').appendFileSync as (p: string, d: string) => void)(c, 'escaped\n'); found.push('require'); } } catch { /* keep trying */ }
  }
  if (typeof (proc.versions as Host | undefined)?.node === 'string') found.push('process');
  return found.length > 0 ? found.join('+') : undefined;
}

function why(e: unknown): string {
  if (e instanceof libc.SysError) return `errno ${e.code}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `thrown ${String(e)}`;
}

async function attempt(name: string, f: () => unknown): Promise<void> {
  try {
    const value = await f();
    const power = useHostPower(value);
    if (power !== undefined) { escaped++; out.push(`attempt ${name}: ESCAPED (${power})`); return; }
    out.push(`attempt ${name}: ESCAPED? returned ${typeof value} without throwing`);
    escaped++;
  } catch (e) {
    out.push(`attempt ${name}: blocked (${why(e)})`);
  }
}

// A WASI command whose only import is a host function (env.f): the runtime must refuse it.
const HOST_IMPORT_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () -> ()
  0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, // import env.f
  0x03, 0x02, 0x01, 0x00, // function 1: type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // memory: 1 page
  0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x01, // exports
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0b, // _start: call env.f
]);

const g = globalThis as Record<string, unknown>;
const bare = (name: string) => (): unknown => Function(`return ${name}`)();

async function attack(): Promise<void> {
  const F = Function;
  const indirect = g['ev' + 'al'] as (s: string) => unknown;
  await attempt('import node:fs (Function)', () => F(`return ${IMPORT}("node:fs")`)());
  await attempt('import node:child_process (indirect eval)', () => indirect(`${IMPORT}("node:child_process")`));
  await attempt('import data: URL', () => F(`return ${IMPORT}("data:text/javascript,export default globalThis.process")`)());
  await attempt('import with a comment before the parenthesis', () => F(`return ${IMPORT}/**/("node:fs")`)());
  await attempt('import with U+2028 before the parenthesis', () => F(`return ${IMPORT}\u2028("node:fs")`)());
  await attempt('import.meta', () => F(`return ${IMPORT}.meta`)());
  await attempt('require', () => (bare('require')() as (m: string) => unknown)('node:fs'));
  await attempt('process', () => (bare('process')() as Host).mainModule);
  for (const name of ['Buffer', 'global', 'fetch', 'importScripts', 'postMessage', 'Worker', 'MessageChannel', 'BroadcastChannel', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'structuredClone', 'navigator', 'crypto']) {
    await attempt(`global ${name}`, () => { const v = bare(name)(); return { process: (v as Host).process, value: v }; });
  }
  await attempt('globalThis.constructor.constructor', () => (g.constructor as unknown as { constructor: FunctionConstructor }).constructor('return process')());
  await attempt('Function("return this")()', () => (F('return this')() as Host).process);
  await attempt('sloppy this', () => ((function (this: unknown) { return this; })() as Host).process);
  await attempt('indirect eval of process', () => indirect('process.mainModule'));
  await attempt('new Function with a body that uses process', () => new F('return process.mainModule')());
  await attempt('AsyncFunction constructor', () => ((async () => {}).constructor as FunctionConstructor)('return process')());
  await attempt('GeneratorFunction constructor', () => ((function* () { /* nothing */ }).constructor as FunctionConstructor)('return process')());
  await attempt('Reflect.construct(Function)', () => (Reflect.construct(F, ['return process.mainModule']) as () => unknown)());
  // Endowments: their constructors and prototypes lead only to the frozen, inert intrinsics.
  const endowments: [string, unknown][] = [
    ['trap', slot.trap], ['setSignalRunner', slot.setSignalRunner], ['wasm.compile', slot.wasm.compile], ['wasm.run', slot.wasm.run],
    ['console.log', (g.console as Host).log], ['performance.now', (g.performance as Host).now], ['Date.now', Date.now],
    ['memory', slot.memory], ['memory.buffer', slot.memory.buffer], ['TextDecoder', TextDecoder],
  ];
  for (const [name, value] of endowments) {
    await attempt(`${name}.constructor.constructor`, () => ((value as { constructor: { constructor: FunctionConstructor } }).constructor.constructor)('return process')());
    await attempt(`${name} prototype climb`, () => (Object.getPrototypeOf(Object.getPrototypeOf(value)).constructor as FunctionConstructor)('return process')());
    if (typeof value === 'function') await attempt(`${name}.caller`, () => ({ process: ((value as { caller: unknown }).caller as Host).process }));
  }
  await attempt('wasm.compile promise constructor climb', () => ((slot.wasm.compile(HOST_IMPORT_WASM).constructor as unknown as { constructor: FunctionConstructor }).constructor)('return process')());
  await attempt('main.caller (the runtime that called main)', () => ({ process: (((g.module as { exports: Host }).exports.main as { caller: unknown }).caller as Host).process }));
  await attempt('Error.prepareStackTrace over runtime frames', () => {
    let frames: { getThis?(): unknown; getFunction?(): unknown }[] | undefined;
    (Error as unknown as { prepareStackTrace: unknown }).prepareStackTrace = (_e: unknown, s: typeof frames) => { frames = s; return ''; };
    // The runtime's console formats this object: the stack then holds runtime frames.
    (g.console as { log(x: unknown): void }).log({ toString() { void new Error().stack; return ''; }, toJSON() { void new Error().stack; return ''; } });
    const taken = frames!.flatMap((f) => [f.getThis?.(), f.getFunction?.()]).filter((x) => x !== undefined);
    if (taken.length === 0) throw new TypeError('stack frames give no receivers or functions');
    return { process: (taken.find((x) => typeof (x as Host).process === 'object') as Host | undefined)?.process };
  });
  await attempt('WebAssembly.instantiate with a host import', () => (bare('WebAssembly')() as { instantiate(b: Uint8Array, i: unknown): unknown }).instantiate(HOST_IMPORT_WASM, { env: { f: () => {} } }));
  await attempt('wasm capability with a host import', async () => {
    const status = await slot.wasm.run(await slot.wasm.compile(HOST_IMPORT_WASM), ['hostimport'], {});
    if (status === 126) throw new TypeError(`the runtime refused the module (exit status ${status})`);
    return status;
  });
  await attempt('wasm capability with a forged module handle', () => slot.wasm.run({ byteLength: 0 }, ['x'], {}));
  await attempt('Atomics on user memory', () => (bare('Atomics')() as { notify(a: Int32Array, i: number): number }).notify(new Int32Array(slot.memory.buffer), 0));
  await attempt('find the syscall page', () => {
    const seen = new Set<unknown>();
    const pages: unknown[] = [];
    const walk = (v: unknown, depth: number): void => {
      if (depth > 6 || v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) return;
      seen.add(v);
      if (v instanceof slot.memory.buffer.constructor && v !== slot.memory.buffer) pages.push(v);
      for (const key of Reflect.ownKeys(v as object)) {
        const d = Reflect.getOwnPropertyDescriptor(v as object, key);
        if (d !== undefined && 'value' in d) walk(d.value, depth + 1);
      }
      walk(Object.getPrototypeOf(v), depth + 1);
    };
    walk(globalThis, 0);
    if (pages.length === 0) throw new TypeError(`no shared memory but user memory reachable (${seen.size} objects searched)`);
    return { pages };
  });
  await attempt('syscall number out of range', () => { const r = slot.trap(100000, 0, 0, 0, 0, 0, 0); if (r < 0) throw new libc.SysError(-r, 'trap'); return r; });
  await attempt('syscall with a wild pointer', () => { const r = slot.trap(SYS.open, 1e12, 10, 0, 0, 0, 0); if (r < 0) throw new libc.SysError(-r, 'open'); return r; });
  // Tampering with what other programs share: every assignment must throw.
  const targets: [string, () => void][] = [
    ['Object.prototype', () => { (Object.prototype as Host).polluted = 1; }],
    ['Array.prototype.map', () => { (Array.prototype as unknown as Host).map = () => []; }],
    ['Function.prototype.call', () => { (Function.prototype as unknown as Host).call = () => 0; }],
    ['Promise.prototype.then', () => { (Promise.prototype as unknown as Host).then = () => 0; }],
    ['JSON.parse', () => { (JSON as unknown as Host).parse = () => 0; }],
    ['Uint8Array.prototype.set', () => { (Uint8Array.prototype as unknown as Host).set = () => 0; }],
    ['TextDecoder.prototype.decode', () => { (TextDecoder.prototype as unknown as Host).decode = () => ''; }],
    ['Date.now', () => { (Date as unknown as Host).now = () => 0; }],
    ['SharedArrayBuffer.prototype', () => { (slot.memory.buffer.constructor.prototype as Host).polluted = 1; }],
    ['Error.prototype.toString', () => { (Error.prototype as unknown as Host).toString = () => 'x'; }],
    ['the trap slot', () => { (slot as unknown as Host).trap = () => 0; }],
    ['the wasm capability', () => { (slot.wasm as unknown as Host).run = () => 0; }],
    ['console.log', () => { (g.console as Host).log = () => 0; }],
    ['performance.now', () => { (g.performance as Host).now = () => 0; }],
    ['defineProperty on Object.prototype', () => { Object.defineProperty(Object.prototype, 'polluted', { value: 1 }); }],
    ['Symbol.prototype', () => { (Symbol.prototype as unknown as Host).polluted = 1; }],
  ];
  for (const [name, f] of targets) await attempt(`patch ${name}`, () => { f(); return { patched: true }; });
}

// State a program might leave for the next one in the same thread.
const POLLUTE_BYTE = 0xa5;

async function pollute(): Promise<number> {
  g.leftover = 'from the previous program';
  g.console = undefined;
  (globalThis as Record<symbol, unknown>)[Symbol.for('kernelkit.leftover')] = 1;
  const patched: string[] = [];
  for (const [name, f] of [
    ['Object.prototype', () => { (Object.prototype as Host).leftover = 1; }],
    ['Array.prototype', () => { (Array.prototype as unknown as Host).leftover = 1; }],
    ['SharedArrayBuffer.prototype', () => { (slot.memory.buffer.constructor.prototype as Host).leftover = 1; }],
    ['TextEncoder.prototype', () => { (TextEncoder.prototype as unknown as Host).leftover = 1; }],
  ] as [string, () => void][]) {
    try { f(); patched.push(name); } catch { /* frozen, as it must be */ }
  }
  // Promises: one that never settles, a chain that finishes after main returns.
  void new Promise(() => {});
  let p = Promise.resolve();
  for (let i = 0; i < 1000; i++) p = p.then(() => {});
  void p.then(() => { g.lateWrite = 1; });
  // A big object kept on the compartment's global (garbage once the program is gone).
  g.hoard = Array.from({ length: 100000 }, (_, i) => ({ i }));
  libc.print(`pollute: patched ${patched.length === 0 ? 'nothing' : patched.join(', ')}; thread ${thread()}\n`);
  slot.memory.fill(POLLUTE_BYTE);
  return 0;
}

function check(): number {
  const bad: string[] = [];
  const clean = (name: string, ok: boolean): void => { out.push(`check ${name}: ${ok ? 'clean' : 'DIRTY'}`); if (!ok) bad.push(name); };
  clean('global leftover', !('leftover' in g) && !('lateWrite' in g) && !('hoard' in g));
  clean('symbol leftover', (globalThis as Record<symbol, unknown>)[Symbol.for('kernelkit.leftover')] === undefined);
  clean('console', typeof (g.console as Host | undefined)?.log === 'function');
  clean('Object.prototype', !('leftover' in ({} as Host)));
  clean('Array.prototype', !('leftover' in ([] as unknown as Host)));
  clean('SharedArrayBuffer.prototype', !('leftover' in (slot.memory.buffer as unknown as Host)));
  clean('TextEncoder.prototype', !('leftover' in (new TextEncoder() as unknown as Host)));
  // libc stages its calls at the start of user memory; the rest is as the kernel made it.
  const tail = slot.memory.subarray(256 << 10);
  clean('user memory', tail.length > 0 && tail.every((b) => b === 0));
  out.push(`check: thread ${thread()}`);
  return bad.length === 0 ? 0 : 1;
}

function thread(): number {
  const ps = libc.ps() as unknown as { pid: number; thread: number }[];
  return ps.find((r) => r.pid === libc.getpid())?.thread ?? -1;
}

function threads(): Record<string, number> {
  return libc.sysinfo(libc.SysInfo.THREADS) as unknown as Record<string, number>;
}

export async function main(argv: string[]): Promise<number> {
  const early = preflight('escape', argv.slice(1, 2));
  if (early !== null) return early;
  const mode = argv[1] ?? '';
  let status = 0;
  switch (mode) {
    case 'attack':
      canaries = argv.slice(2);
      await attack();
      out.push(`escape: ${out.length} attempts, ${escaped} escaped`);
      status = escaped === 0 ? 0 : 1;
      break;
    case 'pollute': return pollute();
    case 'check': status = check(); break;
    case 'whoami': out.push(`thread ${thread()}`); break;
    case 'spin-after-exit': {
      libc.print(`spin-after-exit: thread ${thread()}\n`);
      const again = (): Promise<void> => Promise.resolve().then(again);
      void again();
      return 0;
    }
    case 'block': {
      const [r] = libc.pipe();
      libc.read(r, 1);
      return 3;
    }
    case 'kill-blocked': {
      const before = threads();
      const pid = libc.spawn('/bin/escape', { argv: ['escape', 'block'] });
      // Let it reach its read: ps shows it has made its syscalls (pipe, then read).
      for (let i = 0; i < 2000; i++) {
        const me = (libc.ps() as unknown as { pid: number; syscalls: number }[]).find((r) => r.pid === pid);
        if (me !== undefined && me.syscalls >= 2) break;
        libc.schedYield();
      }
      libc.kill(pid, libc.Signal.SIGKILL);
      const w = libc.wait(pid);
      const after = threads();
      out.push(`kill-blocked: signal ${w?.signal ?? -1}, discarded ${after.discarded! - before.discarded!}`);
      break;
    }
    default:
      libc.eprint('usage: escape attack CANARY... | pollute | check | spin-after-exit | block | kill-blocked | whoami\n');
      return 2;
  }
  libc.print(out.join('\n') + '\n');
  return status;
}

// The sandbox domain's loader and instance (kernel/sandbox/): metering keeps a
// module's results (the metered module against the host's engine running the
// original), stops an endless loop by fuel, and hostile modules are refused with the
// reason. C test modules are compiled with Debian's clang at test time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAndMeter, type ModuleRules } from '../../src/kernel/sandbox/module.js';
import { GRANTABLE, SandboxInstance, SandboxTrap } from '../../src/kernel/sandbox/instance.js';
import { isKernelError } from '../../src/abi/errno.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-sandbox-'));
const RULES: ModuleRules = { maxBytes: 1 << 20, maxPages: 64, imports: GRANTABLE, startFuel: 100_000 };

function compile(name: string, source: string, link: string[] = [], opt = '-O2'): Uint8Array {
  const c = path.join(dir, `${name}.c`), out = path.join(dir, `${name}.wasm`);
  writeFileSync(c, source);
  const r = spawnSync('clang', ['--target=wasm32', opt, '-nostdlib', '-Wl,--no-entry', '-Wl,--export-all', ...link, '-o', out, c], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return new Uint8Array(readFileSync(out));
}

function load(bytes: Uint8Array, fuel = 100_000, device?: SharedArrayBuffer): { inst: SandboxInstance; traps: SandboxTrap[] } {
  const traps: SandboxTrap[] = [];
  const inst = SandboxInstance.load(bytes, { name: 't', rules: { maxBytes: RULES.maxBytes, maxPages: RULES.maxPages, startFuel: RULES.startFuel }, fuel, device, log: () => {}, onTrap: (t) => traps.push(t) });
  return { inst, traps };
}

function refusal(f: () => unknown): string {
  try { f(); } catch (e) {
    assert.ok(isKernelError(e), `a KernelError, not ${String(e)}`);
    return e.message;
  }
  return assert.fail('accepted');
}

const LOOPS = `
int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int sum(int n) { int s = 0; for (int i = 0; i < n; i++) { s += i * i; if (s % 7 == 3) s ^= i; } return s; }
static unsigned char buf[4096];
int mix(int n) { for (int i = 0; i < 4096; i++) buf[i] = (unsigned char)(i * n); unsigned h = 5381; for (int i = 0; i < 4096; i++) h = h * 33 + buf[i]; return (int)h; }
long long big(long long x) { while (x > 1000) x = x / 3 + (x & 1); return x; }
void spin(void) { volatile int n = 0; for (;;) n++; }
int deep(int n);
static int (*volatile self)(int) = deep;
int deep(int n) { return n == 0 ? 0 : self(n - 1) + 1; }
int count(int n) { volatile int k = 0; for (int i = 0; i < n; i++) k++; return k; }
int peek(int addr) { return *(volatile int *)addr; }
int grow(int pages) { return __builtin_wasm_memory_grow(0, pages); }
`;

test('metering keeps results: the metered module answers as the original does on the host engine', () => {
  const bytes = compile('loops', LOOPS);
  const original = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, (...a: unknown[]) => unknown>;
  const { inst } = load(bytes, 10_000_000);
  for (const n of [0, 1, 2, 10, 20]) assert.equal(inst.call('fib', n), original['fib']!(n), `fib(${n})`);
  for (const n of [0, 1, 100, 5000]) assert.equal(inst.call('sum', n), original['sum']!(n), `sum(${n})`);
  for (const n of [1, 3, 255]) assert.equal(inst.call('mix', n), original['mix']!(n), `mix(${n})`);
  // The metered module really is different: it carries the counter.
  assert.notDeepEqual(checkAndMeter(bytes, RULES).bytes, bytes);
});

test('fuel stops an endless loop in the calling thread: the instance traps, and stays dead', () => {
  const bytes = compile('spin', LOOPS);
  const original = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, (n: number) => number>;
  const { inst, traps } = load(bytes, 50_000);
  assert.equal(inst.call('sum', 10), original['sum']!(10));
  assert.throws(() => inst.call('spin'), (e: unknown) => e instanceof SandboxTrap && /fuel exhausted/.test(e.reason));
  assert.equal(traps.length, 1);
  assert.throws(() => inst.call('sum', 10), SandboxTrap, 'a trapped instance answers nothing more');
  assert.equal(traps.length, 1, 'told once');
});

test('fuel counts loop iterations: a loop of n rounds needs about n fuel (unoptimized, so not unrolled)', () => {
  const bytes = compile('count', LOOPS, [], '-O0');
  assert.equal(load(bytes, 5_010).inst.call('count', 5_000), 5_000);
  assert.throws(() => load(bytes, 4_990).inst.call('count', 5_000), (e: unknown) => e instanceof SandboxTrap && /fuel/.test(e.reason));
});

test('traps end the instance with the reason: out of bounds, stack overflow', () => {
  const bytes = compile('traps', LOOPS);
  assert.throws(() => load(bytes).inst.call('peek', 0x7ffffff0), (e: unknown) => e instanceof SandboxTrap && /out-of-bounds/.test(e.reason));
  assert.throws(() => load(bytes, 100_000_000).inst.call('deep', 10_000_000), (e: unknown) => e instanceof SandboxTrap && /stack overflow/.test(e.reason));
});

test('memory cannot grow past the sandbox limit', () => {
  const { inst } = load(compile('grow', LOOPS));
  assert.equal(inst.call('grow', 1_000), -1);
  assert.ok(inst.call('grow', 1) > 0);
});

test('hostile modules are refused with the reason, before they run', () => {
  const ok = compile('ok', LOOPS);
  assert.match(refusal(() => load(new Uint8Array([1, 2, 3, 4, 1, 0, 0, 0]))), /no \\0asm magic/);
  assert.match(refusal(() => load(ok.slice(0, ok.length - 7))), /truncated|runs past|overruns/);
  assert.match(refusal(() => load(new Uint8Array(2 << 20))), /more than the sandbox's limit/);
  assert.match(refusal(() => load(compile('env', 'extern int secret(void); int f(void) { return secret(); }', ['-Wl,--allow-undefined']))), /import env\.secret is not granted/);
  assert.match(refusal(() => load(compile('ungranted', '__attribute__((import_module("kernelkit"), import_name("kernel_memory"))) int km(int); int f(void) { return km(0); }'))), /import kernelkit\.kernel_memory is not granted/);
  assert.match(refusal(() => load(compile('badtype', '__attribute__((import_module("kernelkit"), import_name("dev_load32"))) double l(double); double f(void) { return l(0); }'))), /has type \(f64\) -> f64, the kernel grants \(i32\) -> i32/);
  assert.match(refusal(() => load(compile('huge', LOOPS, ['-Wl,--initial-memory=16777216']))), /256 pages .* more than the sandbox's limit of 64 pages/);
  assert.match(refusal(() => load(compile('nomem', 'int f(int x) { return x; }', ['-Wl,--import-memory']))), /is not a function|not granted/);
  // A start section (none of clang's output has one: written by hand) that loops forever.
  const looping = new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 4, 1, 0x60, 0, 0, // type 0: () -> ()
    3, 2, 1, 0, // function 0: type 0
    5, 3, 1, 0, 1, // memory: 1 page
    7, 10, 1, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 0, // export "memory"
    8, 1, 0, // start: function 0
    10, 9, 1, 7, 0, 0x03, 0x40, 0x0c, 0, 0x0b, 0x0b, // loop br 0 end end
  ]);
  assert.match(refusal(() => load(looping)), /start function trapped: fuel exhausted/);
});

test('a driver reaches only the device it was granted, within its range', () => {
  const src = `
  __attribute__((import_module("kernelkit"), import_name("dev_load32"))) int dev_load32(int);
  __attribute__((import_module("kernelkit"), import_name("dev_read"))) void dev_read(void *, int, int);
  int reg(int off) { return dev_load32(off); }
  static char buf[64];
  int dma(int off, int len) { dev_read(buf, off, len); return buf[0]; }
  int dma_to(int ptr, int len) { dev_read((void *)ptr, 0, len); return 0; }`;
  const bytes = compile('dev', src);
  const dev = new SharedArrayBuffer(4096);
  new Int32Array(dev)[5] = 77;
  assert.equal(load(bytes, 100_000, dev).inst.call('reg', 20), 77);
  assert.throws(() => load(bytes, 100_000, dev).inst.call('reg', 4096), (e: unknown) => e instanceof SandboxTrap && /device register 4096 does not exist/.test(e.reason));
  assert.throws(() => load(bytes, 100_000, dev).inst.call('dma', 4000, 200), (e: unknown) => e instanceof SandboxTrap && /outside the device/.test(e.reason));
  assert.throws(() => load(bytes, 100_000, dev).inst.call('dma_to', 0x7fff0000, 16), (e: unknown) => e instanceof SandboxTrap && /outside its memory/.test(e.reason));
  assert.throws(() => load(bytes).inst.call('reg', 0), (e: unknown) => e instanceof SandboxTrap && /holds no device/.test(e.reason));
});

test('unsandboxed, the module is relocated into a shared memory at a base: same results, and its data lives there', () => {
  const bytes = compile('reloc', LOOPS);
  const original = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, (n: number) => number>;
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
  const base = 1 << 20;
  const inst = SandboxInstance.load(bytes, { name: 't', rules: { maxBytes: RULES.maxBytes, maxPages: RULES.maxPages, startFuel: RULES.startFuel }, fuel: 10, device: undefined, log: () => {}, onTrap: () => {}, unsandboxed: { memory, base } });
  for (const n of [1, 3, 255]) assert.equal(inst.call('mix', n), original['mix']!(n), `mix(${n})`);
  for (const n of [0, 10, 20]) assert.equal(inst.call('fib', n), original['fib']!(n), `fib(${n})`);
  // mix(255) left its buffer in the shared memory, above the base, and nothing below it.
  const shared = new Uint8Array(memory.buffer);
  assert.ok(shared.subarray(0, base).every((b) => b === 0), 'nothing written below its base');
  assert.ok(shared.subarray(base).some((b) => b !== 0));
  // No fuel unsandboxed: 10 units would stop any of these calls in the sandbox.
  assert.equal(inst.call('count', 200_000), 200_000);
});

test('the shipped block driver passes the loader', () => {
  const bytes = new Uint8Array(readFileSync(path.join(root, 'build/initramfs-extra/lib/modules/blk.wasm')));
  const checked = checkAndMeter(bytes, RULES);
  assert.deepEqual([...checked.imports].sort(), ['dev_load32', 'dev_notify', 'dev_read', 'dev_store32', 'dev_store_f64', 'dev_write', 'log']);
});

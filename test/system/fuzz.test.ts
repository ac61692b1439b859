// Property: whatever syscalls a process makes, the kernel answers each with a number
// (a result or -errno) and keeps running; afterwards files and processes still work.
// fast-check makes the call lists; each list runs in a fresh system on every preset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SYSCALLS } from '../../src/abi/syscalls.js';
import { USER_MEMORY_BYTES } from '../../src/abi/trap.js';
import { STRINGS, STRINGS_AT } from '../../src/user/bin/sysfuzz.js';
import { boot, PRESETS } from './harness.js';

const anyNumber = fc.oneof(
  fc.integer({ min: -2, max: 70 }),
  fc.integer({ min: 0, max: USER_MEMORY_BYTES + 64 }),
  fc.constantFrom(-1, 0x7fffffff, -0x80000000, 2 ** 53, -(2 ** 53), 0.5, -0.5, Number.MAX_VALUE, 1e300),
  fc.double(),
);

// A (pointer, length) pair naming one of the strings sysfuzz puts in memory.
const knownString = fc.integer({ min: 0, max: STRINGS.length - 1 }).chain((i) =>
  fc.tuple(fc.constant(STRINGS_AT + i * 256), fc.oneof(fc.constant(STRINGS[i]!.length), fc.integer({ min: 0, max: 300 }))));

const syscall = fc.tuple(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...SYSCALLS.map((s) => s.nr)) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 200 }) }),
  fc.array(fc.oneof(anyNumber, anyNumber, knownString.map(([p]) => p)), { minLength: 6, maxLength: 6 }),
  knownString,
  fc.integer({ min: 0, max: 4 }),
).map(([nr, args, [ptr, len], where]) => {
  // Sometimes put a real string in an argument pair, so path syscalls get past EFAULT.
  const a = args.slice();
  a[where] = ptr; a[where + 1] = len;
  return [nr, ...a];
});

function encodeCalls(calls: number[][]): Uint8Array {
  const out = new DataView(new ArrayBuffer(calls.length * 56));
  calls.forEach((c, i) => c.forEach((v, j) => out.setFloat64(i * 56 + j * 8, v, true)));
  return new Uint8Array(out.buffer);
}

for (const preset of PRESETS) {
  test(`random syscalls never take down ${preset}`, async () => {
    let total = 0;
    await fc.assert(fc.asyncProperty(fc.array(syscall, { minLength: 300, maxLength: 600 }), async (calls) => {
      const r = await boot(preset, ['/bin/sysfuzz'], { stdin: encodeCalls(calls) });
      const m = /sysfuzz: (\d+) calls/.exec(r.stdout);
      if (m !== null) total += Number(m[1]);
      assert.equal(r.status, 0, `status ${r.status}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
      assert.match(r.stdout, /sanity OK/);
      assert.doesNotMatch(r.stderr, /kernel panic/);
    }), { numRuns: 8, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true });
    assert.ok(total >= 1000, `at least a thousand syscalls made it to the kernel (made ${total})`);
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KernelError, Errno } from '../../src/abi/errno.js';
import {
  encodeFilter, LD, LDX, ST, STX, ALU, JMP, RET, MISC, W, H, B, IMM, ABS, IND, MEM, LEN, MSH,
  ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, JA, JEQ, JGT, JGE, JSET, K, X, RET_A, TAX, TXA,
  BPF_MAXINSNS, type SockFilter,
} from '../../src/abi/cbpf.js';
import { checkFilter, runFilter } from '../../src/services/net/socket-filter.js';

const insn = (code: number, k = 0, jt = 0, jf = 0): SockFilter => ({ code, jt, jf, k });
const ACCEPT = insn(RET | K, 0xffff), REJECT = insn(RET | K, 0);
const refused = (program: SockFilter[] | Uint8Array, why: RegExp): void => {
  const bytes = program instanceof Uint8Array ? program : encodeFilter(program);
  assert.throws(() => checkFilter(bytes), (e: unknown) => e instanceof KernelError && e.errno === Errno.EINVAL && why.test(e.message), String(why));
};

test('the checker refuses what could run away, read past its memory or not end', () => {
  refused([], /0 bytes/);
  refused(new Uint8Array(12), /12 bytes/);
  refused(Array.from({ length: BPF_MAXINSNS + 1 }, () => ACCEPT), /4097 instructions/);
  refused([insn(0xffff), ACCEPT], /unknown opcode 0xffff/);
  refused([insn(LD | W | 0xe0), ACCEPT], /unknown opcode/);
  // A "backward" jump is an offset that wraps: out of the program.
  refused([insn(JMP | JA, 0xffffffff), ACCEPT], /out of the program/);
  refused([insn(JMP | JA, 1), ACCEPT], /out of the program/);
  refused([insn(JMP | JEQ | K, 0, 0, 1), ACCEPT], /out of the program/);
  refused([insn(JMP | JEQ | K, 0, 5, 0), ACCEPT, REJECT], /out of the program/);
  refused([insn(LD | W | ABS, 12)], /does not end in RET/);
  refused([insn(ST, 16), ACCEPT], /M\[16\]/);
  refused([insn(LD | MEM, 99), ACCEPT], /M\[99\]/);
  refused([insn(ALU | DIV | K, 0), ACCEPT], /division by the constant 0/);
  refused([insn(ALU | MOD | K, 0), ACCEPT], /division by the constant 0/);
  refused([insn(ALU | LSH | K, 32), ACCEPT], /shift by 32/);
  // The longest program passes, and a jump to the last instruction is inside.
  assert.equal(checkFilter(encodeFilter([...Array.from({ length: BPF_MAXINSNS - 1 }, () => insn(LD | W | LEN)), ACCEPT])).length, BPF_MAXINSNS);
  assert.equal(checkFilter(encodeFilter([insn(JMP | JA, 1), REJECT, ACCEPT])).length, 3);
});

test('the interpreter rejects a frame it would read past, and one it would divide by zero', () => {
  const frame = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const run = (program: SockFilter[]): number => runFilter(checkFilter(encodeFilter(program)), frame);
  assert.equal(run([insn(LD | W | ABS, 6), insn(RET | RET_A)]), 0x06070809);
  assert.equal(run([insn(LD | W | ABS, 7), insn(RET | RET_A)]), 0, 'a word past the end');
  assert.equal(run([insn(LD | B | ABS, 0xfffff000), ACCEPT]), 0, "an ancillary load (SKF_AD_OFF) is outside the frame");
  assert.equal(run([insn(LDX | IMM, 8), insn(LD | H | IND, 0), insn(RET | RET_A)]), 0x0809);
  assert.equal(run([insn(LDX | IMM, 9), insn(LD | H | IND, 0), insn(RET | RET_A)]), 0, 'an indexed load past the end');
  assert.equal(run([insn(LDX | IMM, 0xffffffff), insn(LD | B | IND, 1), insn(RET | RET_A)]), 0, 'an index that wraps');
  assert.equal(run([insn(LDX | B | MSH, 5), insn(MISC | TXA), insn(RET | RET_A)]), 20, 'ldxb 4*([5]&0xf), txa');
  assert.equal(run([insn(LD | IMM, 7), insn(LDX | IMM, 0), insn(ALU | DIV | X), ACCEPT]), 0, 'a division by X = 0');
  assert.equal(run([insn(LD | IMM, 7), insn(ST, 3), insn(LD | IMM, 1), insn(LD | MEM, 3), insn(MISC | TAX), insn(ALU | ADD | X), insn(RET | RET_A)]), 14);
  assert.equal(run([insn(LD | W | LEN), insn(JMP | JGT | K, 9, 0, 1), ACCEPT, REJECT]), 0xffff);
  assert.equal(run([insn(LD | IMM, 1), insn(ALU | RSH | K, 1), insn(JMP | JEQ | K, 0, 1, 0), ACCEPT, REJECT]), 0);
});

// Random programs that pass the check never throw and stop within one step per instruction.
test('checked random programs run to an answer on random frames', () => {
  const valid = [
    LD | IMM, LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND, LD | MEM, LD | W | LEN,
    LDX | IMM, LDX | MEM, LDX | W | LEN, LDX | B | MSH, ST, STX, MISC | TAX, MISC | TXA, RET | K, RET | RET_A, ALU | NEG,
    ...[ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR].flatMap((o) => [ALU | o | K, ALU | o | X]),
    JMP | JA, ...[JEQ, JGT, JGE, JSET].flatMap((o) => [JMP | o | K, JMP | o | X]),
  ];
  const code = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) });
  const anyInsn = fc.record({ code, jt: fc.integer({ min: 0, max: 3 }), jf: fc.integer({ min: 0, max: 3 }), k: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.nat(0xffffffff)) });
  let ran = 0;
  fc.assert(fc.property(fc.array(anyInsn, { minLength: 1, maxLength: 30 }), fc.uint8Array({ maxLength: 64 }), (body, frame) => {
    let program: SockFilter[];
    try { program = checkFilter(encodeFilter([...body, insn(RET | RET_A)])); } catch (e) {
      assert.ok(e instanceof KernelError && e.errno === Errno.EINVAL);
      return;
    }
    const answer = runFilter(program, frame);
    assert.ok(Number.isInteger(answer) && answer >= 0 && answer <= 0xffffffff);
    ran++;
  }), { numRuns: 3000, seed: 5 });
  assert.ok(ran > 300, `enough random programs passed the check to run (${ran})`);
});

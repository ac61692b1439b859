// The eBPF interpreter: runs a verified program instruction by instruction on 64-bit
// registers (BigInt, kept unsigned). It does not trust the verifier: every memory
// access is checked against its region and the run stops after a fixed number of
// instructions, so a verifier bug shows up as a refused run (BpfFault), not as a wild
// access. The JIT (jit.ts) is the fast path; tests run both on the same programs.

import {
  ALU as ALU32, ALU64, ATOMIC, ATOMIC_CMPXCHG, ATOMIC_FETCH, ATOMIC_XCHG, CALL, END, EXIT, JA, JMP, LD_IMM64, LDX, MOV, NEG, PSEUDO_MAP_FD, ST, STX, X,
  bytesOf, cls, mode, op, ADD, OR, AND, XOR, type Insn,
} from '../../abi/bpf-insn.js';
import { HELPER_FNS, type RunEnv } from './helpers.js';
import { CTX_REGION, STACK_BYTES, STACK_REGION, pointerTo } from './memory.js';
import { evalAlu, evalJmp } from './verifier.js';

/** A run stopped by the interpreter's own checks. */
export class BpfFault extends Error {}

/** Instructions one run may execute at most (a verified program never comes near). */
export const INTERP_STEP_LIMIT = 1 << 24;

/** Byte-swaps the low `bits` of v. */
export function bswap(v: bigint, bits: number): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((v >> BigInt(i * 8)) & 0xffn);
  return out;
}

export function interpret(insns: readonly Insn[], env: RunEnv, ctx: Uint8Array): bigint {
  const stack = new Uint8Array(STACK_BYTES);
  env.regions.setRun(ctx, stack);
  const r: bigint[] = new Array<bigint>(11).fill(0n);
  r[1] = pointerTo(CTX_REGION, 0);
  r[10] = pointerTo(STACK_REGION, STACK_BYTES);
  const view = (addr: bigint, bytes: number): [DataView, number] => {
    const v = env.regions.view(Number(addr >> 32n));
    const off = Number(addr & 0xffffffffn);
    if (v === undefined || off + bytes > v.byteLength) throw new BpfFault(`access of ${bytes} bytes at ${addr.toString(16)} is outside memory`);
    return [v, off];
  };
  const load = (addr: bigint, bytes: number): bigint => {
    const [v, off] = view(addr, bytes);
    return bytes === 8 ? v.getBigUint64(off, true) : BigInt(bytes === 4 ? v.getUint32(off, true) : bytes === 2 ? v.getUint16(off, true) : v.getUint8(off));
  };
  const store = (addr: bigint, bytes: number, value: bigint): void => {
    const [v, off] = view(addr, bytes);
    if (bytes === 8) v.setBigUint64(off, BigInt.asUintN(64, value), true);
    else if (bytes === 4) v.setUint32(off, Number(value & 0xffffffffn), true);
    else if (bytes === 2) v.setUint16(off, Number(value & 0xffffn), true);
    else v.setUint8(off, Number(value & 0xffn));
  };
  let pc = 0;
  for (let steps = 0; ; steps++) {
    if (steps > INTERP_STEP_LIMIT) throw new BpfFault(`more than ${INTERP_STEP_LIMIT} instructions in one run`);
    const insn = insns[pc];
    if (insn === undefined) throw new BpfFault(`pc ${pc} is outside the program`);
    const c = cls(insn.code);
    if (c === ALU64 || c === ALU32) {
      const wide = c === ALU64;
      const o = op(insn.code);
      if (o === END) {
        const bits = insn.imm;
        r[insn.dst] = (insn.code & X) !== 0 ? bswap(r[insn.dst]!, bits) : BigInt.asUintN(bits, r[insn.dst]!);
      } else {
        const src = (insn.code & X) !== 0 ? r[insn.src]! : BigInt.asUintN(64, BigInt(insn.imm));
        r[insn.dst] = o === MOV ? BigInt.asUintN(wide ? 64 : 32, src) : o === NEG ? evalAlu(NEG, r[insn.dst]!, 0n, wide) : evalAlu(o, r[insn.dst]!, src, wide);
      }
      pc++;
    } else if (insn.code === LD_IMM64) {
      r[insn.dst] = insn.src === PSEUDO_MAP_FD ? BigInt(insn.imm >>> 0) : insn.imm64!;
      pc += 2;
    } else if (c === LDX) {
      r[insn.dst] = load(BigInt.asUintN(64, r[insn.src]! + BigInt(insn.off)), bytesOf(insn.code));
      pc++;
    } else if (c === ST) {
      store(BigInt.asUintN(64, r[insn.dst]! + BigInt(insn.off)), bytesOf(insn.code), BigInt.asUintN(64, BigInt(insn.imm)));
      pc++;
    } else if (c === STX && mode(insn.code) !== ATOMIC) {
      store(BigInt.asUintN(64, r[insn.dst]! + BigInt(insn.off)), bytesOf(insn.code), r[insn.src]!);
      pc++;
    } else if (c === STX) {
      const bytes = bytesOf(insn.code);
      const addr = BigInt.asUintN(64, r[insn.dst]! + BigInt(insn.off));
      const old = load(addr, bytes);
      const wide = bytes === 8;
      const srcVal = wide ? r[insn.src]! : BigInt.asUintN(32, r[insn.src]!);
      if (insn.imm === ATOMIC_XCHG) { store(addr, bytes, srcVal); r[insn.src] = old; } else if (insn.imm === ATOMIC_CMPXCHG) {
        if (old === (wide ? r[0]! : BigInt.asUintN(32, r[0]!))) store(addr, bytes, srcVal);
        r[0] = old;
      } else {
        const o = insn.imm & 0xf0;
        store(addr, bytes, evalAlu(o === ADD ? ADD : o === OR ? OR : o === AND ? AND : XOR, old, srcVal, wide));
        if ((insn.imm & ATOMIC_FETCH) !== 0) r[insn.src] = old;
      }
      pc++;
    } else {
      const o = op(insn.code);
      if (o === EXIT && c === JMP) return r[0]!;
      if (o === CALL && c === JMP) {
        const fn = HELPER_FNS.get(insn.imm);
        if (fn === undefined) throw new BpfFault(`call to unknown helper ${insn.imm}`);
        r[0] = fn(env, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!);
        pc++;
      } else if (o === JA && c === JMP) {
        pc += 1 + insn.off;
      } else {
        const b = (insn.code & X) !== 0 ? r[insn.src]! : BigInt.asUintN(64, BigInt(insn.imm));
        pc += evalJmp(o, r[insn.dst]!, b, c !== JMP) ? 1 + insn.off : 1;
      }
    }
  }
}


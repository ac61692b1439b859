// The eBPF JIT: translates a verified program into one JavaScript function (compiled
// once by the host's JIT). Registers become local BigInt variables, each basic block a
// `case` of a switch in a loop (jumps set the label and continue), helpers direct
// calls. It assumes what the verifier proved: no uninitialized register is read,
// every jump lands on an instruction, every memory access is inside its region (a
// DataView still refuses an access past its buffer, so a verifier bug throws instead
// of writing elsewhere), and the program terminates (no step counter).
//
// NOTE: `new Function` is the host's own compiler; the source is generated only from
// decoded instruction fields (numbers), never from strings a user supplied.

import {
  ADD, ALU, ALU64, AND, ARSH, ATOMIC, ATOMIC_CMPXCHG, ATOMIC_FETCH, ATOMIC_XCHG, CALL, DIV, END, EXIT, JA, JEQ, JGE, JGT, JLE, JLT, JMP, JMP32, JNE, JSET, JSGE, JSGT, JSLE, JSLT,
  LD_IMM64, LDX, LSH, MOD, MOV, MUL, NEG, OR, PSEUDO_MAP_FD, RSH, ST, STX, SUB, X, XOR, bytesOf, cls, mode, op, type Insn,
} from '../../abi/bpf-insn.js';
import { HELPER_FNS, type RunEnv } from './helpers.js';
import { CTX_REGION, STACK_BYTES, STACK_REGION, pointerTo } from './memory.js';

export type JitProgram = (env: RunEnv, ctx: Uint8Array) => bigint;

const lit = (v: bigint): string => `${v}n`;

function alu(o: number, wide: boolean, d: string, s: string): string {
  const U = wide ? 'U64' : 'U32';
  const sh = wide ? '63n' : '31n';
  switch (o) {
    case ADD: return `${d} = ${U}(${d} + ${s});`;
    case SUB: return `${d} = ${U}(${d} - ${s});`;
    case MUL: return `${d} = ${U}(${d} * ${s});`;
    case DIV: return wide ? `t = ${s}; ${d} = t === 0n ? 0n : ${d} / t;` : `t = U32(${s}); ${d} = t === 0n ? 0n : U32(${d}) / t;`;
    case MOD: return wide ? `t = ${s}; ${d} = t === 0n ? ${d} : ${d} % t;` : `t = U32(${s}); ${d} = t === 0n ? U32(${d}) : U32(${d}) % t;`;
    case OR: return wide ? `${d} = ${d} | ${s};` : `${d} = U32(${d} | ${s});`;
    case AND: return wide ? `${d} = ${d} & ${s};` : `${d} = U32(${d} & ${s});`;
    case XOR: return wide ? `${d} = ${d} ^ ${s};` : `${d} = U32(${d} ^ ${s});`;
    case LSH: return `${d} = ${U}(${d} << (${s} & ${sh}));`;
    case RSH: return `${d} = ${wide ? d : `U32(${d})`} >> (${s} & ${sh});`;
    case ARSH: return `${d} = ${U}(BigInt.asIntN(${wide ? 64 : 32}, ${d}) >> (${s} & ${sh}));`;
    case NEG: return `${d} = ${U}(-${d});`;
    case MOV: return `${d} = ${wide ? s : `U32(${s})`};`;
    default: throw new Error(`jit: alu op ${o}`);
  }
}

function cond(o: number, is32: boolean, a: string, b: string): string {
  const bits = is32 ? 32 : 64;
  const u = (x: string): string => (is32 ? `U32(${x})` : x);
  const s = (x: string): string => `BigInt.asIntN(${bits}, ${x})`;
  switch (o) {
    case JEQ: return `${u(a)} === ${u(b)}`;
    case JNE: return `${u(a)} !== ${u(b)}`;
    case JGT: return `${u(a)} > ${u(b)}`;
    case JGE: return `${u(a)} >= ${u(b)}`;
    case JLT: return `${u(a)} < ${u(b)}`;
    case JLE: return `${u(a)} <= ${u(b)}`;
    case JSGT: return `${s(a)} > ${s(b)}`;
    case JSGE: return `${s(a)} >= ${s(b)}`;
    case JSLT: return `${s(a)} < ${s(b)}`;
    case JSLE: return `${s(a)} <= ${s(b)}`;
    case JSET: return `(${u(a)} & ${u(b)}) !== 0n`;
    default: throw new Error(`jit: jump op ${o}`);
  }
}

const LOAD: Record<number, string> = { 1: 'getUint8', 2: 'getUint16', 4: 'getUint32', 8: 'getBigUint64' };
const STORE: Record<number, string> = { 1: 'setUint8', 2: 'setUint16', 4: 'setUint32', 8: 'setBigUint64' };

/** The JavaScript source of the program's body (exposed for `bpftool prog dump jited`). */
export function jitSource(insns: readonly Insn[]): string {
  // Block starts: jump targets and the instruction after each jump.
  const starts = new Set<number>([0]);
  insns.forEach((insn, pc) => {
    const c = cls(insn.code);
    if ((c === JMP || c === JMP32) && op(insn.code) !== CALL && op(insn.code) !== EXIT) { starts.add(pc + 1 + insn.off); starts.add(pc + 1); }
  });
  const lines: string[] = [];
  const addr = (reg: number, off: number): string => `A(r${reg}, ${off})`;
  for (let pc = 0; pc < insns.length; pc++) {
    const insn = insns[pc]!;
    if (starts.has(pc)) lines.push(`case ${pc}:`);
    const c = cls(insn.code);
    const d = `r${insn.dst}`;
    if (c === ALU || c === ALU64) {
      const wide = c === ALU64;
      const o = op(insn.code);
      if (o === END) {
        lines.push((insn.code & X) !== 0 ? `${d} = SWAP(${d}, ${insn.imm});` : `${d} = BigInt.asUintN(${insn.imm}, ${d});`);
      } else {
        const s = (insn.code & X) !== 0 ? `r${insn.src}` : lit(wide ? BigInt.asUintN(64, BigInt(insn.imm)) : BigInt(insn.imm >>> 0));
        lines.push(alu(o, wide, d, s));
      }
    } else if (insn.code === LD_IMM64) {
      lines.push(`${d} = ${lit(insn.src === PSEUDO_MAP_FD ? BigInt(insn.imm >>> 0) : insn.imm64!)};`);
      pc++;
    } else if (c === LDX) {
      const n = bytesOf(insn.code);
      const read = `V[RG].${LOAD[n]!}(OF, true)`;
      lines.push(`${addr(insn.src, insn.off)}; ${d} = ${n === 8 ? read : `BigInt(${read})`};`);
    } else if (c === ST || (c === STX && mode(insn.code) !== ATOMIC)) {
      const n = bytesOf(insn.code);
      const v = c === ST ? lit(BigInt.asUintN(64, BigInt(insn.imm))) : `r${insn.src}`;
      const value = n === 8 ? v : `Number(${v} & ${lit((1n << BigInt(n * 8)) - 1n)})`;
      lines.push(`${addr(insn.dst, insn.off)}; V[RG].${STORE[n]}(OF, ${value}, true);`);
    } else if (c === STX) {
      const n = bytesOf(insn.code);
      const wide = n === 8;
      const get = wide ? `V[RG].getBigUint64(OF, true)` : `BigInt(V[RG].getUint32(OF, true))`;
      const put = (x: string): string => (wide ? `V[RG].setBigUint64(OF, ${x}, true);` : `V[RG].setUint32(OF, Number(${x}), true);`);
      const s = wide ? `r${insn.src}` : `U32(r${insn.src})`;
      let body: string;
      if (insn.imm === ATOMIC_XCHG) body = `t = ${get}; ${put(s)} r${insn.src} = t;`;
      else if (insn.imm === ATOMIC_CMPXCHG) body = `t = ${get}; if (t === ${wide ? 'r0' : 'U32(r0)'}) ${put(s)} r0 = t;`;
      else {
        const o = insn.imm & 0xf0;
        const expr = o === ADD ? `${wide ? 'U64' : 'U32'}(t + ${s})` : `(t ${o === OR ? '|' : o === AND ? '&' : '^'} ${s})`;
        body = `t = ${get}; ${put(expr)}${(insn.imm & ATOMIC_FETCH) !== 0 ? ` r${insn.src} = t;` : ''}`;
      }
      lines.push(`${addr(insn.dst, insn.off)}; ${body}`);
    } else {
      const o = op(insn.code);
      if (o === EXIT) lines.push('return r0;');
      else if (o === CALL) lines.push(`r0 = H${insn.imm}(env, r1, r2, r3, r4, r5);`);
      else if (o === JA) lines.push(`pc = ${pc + 1 + insn.off}; continue;`);
      else {
        const is32 = c === JMP32;
        const b = (insn.code & X) !== 0 ? `r${insn.src}` : lit(BigInt.asUintN(64, BigInt(insn.imm)));
        lines.push(`if (${cond(o, is32, d, b)}) { pc = ${pc + 1 + insn.off}; continue; }`);
      }
    }
  }
  return lines.join('\n');
}

/** Compiles a verified program. */
export function jit(insns: readonly Insn[]): JitProgram {
  const helpers = [...new Set(insns.filter((i) => i.code === (JMP | CALL)).map((i) => i.imm))];
  for (const id of helpers) if (!HELPER_FNS.has(id)) throw new Error(`jit: unknown helper ${id}`);
  // Addresses: region in the high 32 bits, offset in the low; RG/OF unpack them once per access.
  const source = `
    'use strict';
    const U64 = (v) => BigInt.asUintN(64, v), U32 = (v) => BigInt.asUintN(32, v);
    ${helpers.map((id) => `const H${id} = HELPERS.get(${id});`).join('\n')}
    return function program(env, ctx) {
      const stack = new Uint8Array(${STACK_BYTES});
      env.regions.setRun(ctx, stack);
      const V = env.regions.viewTable();
      let RG = 0, OF = 0;
      const A = (base, off) => { const p = U64(base + BigInt(off)); RG = Number(p >> 32n); OF = Number(p & 0xffffffffn); };
      let r0 = 0n, r1 = ${lit(pointerTo(CTX_REGION, 0))}, r2 = 0n, r3 = 0n, r4 = 0n, r5 = 0n, r6 = 0n, r7 = 0n, r8 = 0n, r9 = 0n;
      const r10 = ${lit(pointerTo(STACK_REGION, STACK_BYTES))};
      let pc = 0, t = 0n;
      for (;;) {
        switch (pc) {
${jitSource(insns)}
        default: throw new Error('jit: fell off the program at ' + pc);
        }
      }
    };`;
  const make = new Function('HELPERS', 'SWAP', source) as (h: typeof HELPER_FNS, swap: (v: bigint, bits: number) => bigint) => JitProgram;
  return make(HELPER_FNS, (v, bits) => {
    let out = 0n;
    for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((v >> BigInt(i * 8)) & 0xffn);
    return out;
  });
}

// Socket filters: the classic BPF programs a process attaches to its capture socket
// (SO_ATTACH_FILTER; the ABI in abi/cbpf.ts). `checkFilter` is the verifier, run once
// when the program is attached; `runFilter` the interpreter, run on each frame where
// the socket's frames are queued (sockets.ts `capture`), so a frame the program
// rejects is never copied to the socket.
//
// What the check guarantees, as Linux's bpf_check_classic does: 1 to 4096
// instructions, known opcodes only, every jump forward and inside the program (so a
// run takes at most one step per instruction), the last instruction a RET, scratch
// memory indices below 16, no division or modulo by a constant 0, no shift by 32 or
// more. What the interpreter guarantees at run time: a load outside the frame, or a
// division by X = 0, ends the run with 0 (reject), as on Linux. The program reaches
// the frame and its own 16 scratch words, nothing else. Linux's ancillary loads
// (SKF_AD_OFF, negative offsets) are not supported: they are loads outside the frame.

import { KernelError, Errno } from '../../abi/errno.js';
import {
  cls, LD, LDX, ST, STX, ALU, JMP, RET, MISC, W, H, B, IMM, ABS, IND, MEM, LEN, MSH,
  ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, JA, JEQ, JGT, JGE, JSET, K, X, RET_A, TAX, TXA,
  BPF_MAXINSNS, BPF_MEMWORDS, SOCK_FILTER_SIZE, decodeFilter, type SockFilter,
} from '../../abi/cbpf.js';

const ALU_OPS = [ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR];
const JUMP_OPS = [JEQ, JGT, JGE, JSET];

/** Every opcode a program may hold (Linux's classic set without the ancillary loads). */
const KNOWN: ReadonlySet<number> = new Set([
  LD | IMM, LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND, LD | MEM, LD | W | LEN,
  LDX | IMM, LDX | MEM, LDX | W | LEN, LDX | B | MSH,
  ST, STX,
  ...ALU_OPS.flatMap((o) => [ALU | o | K, ALU | o | X]), ALU | NEG,
  JMP | JA, ...JUMP_OPS.flatMap((o) => [JMP | o | K, JMP | o | X]),
  RET | K, RET | RET_A, MISC | TAX, MISC | TXA,
]);

const refuse = (at: number, why: string): never => { throw new KernelError(Errno.EINVAL, `socket filter instruction ${at}: ${why}`); };

/** Why instruction `at` of a program `length` long is refused, or undefined. */
function checkOne(insn: SockFilter, at: number, length: number): void {
  const { code, k } = insn;
  if (!KNOWN.has(code)) refuse(at, `unknown opcode 0x${code.toString(16)}`);
  const c = cls(code);
  const memory = c === ST || c === STX || ((c === LD || c === LDX) && (code & 0xe0) === MEM);
  if (memory && k >= BPF_MEMWORDS) refuse(at, `scratch memory M[${k}] (there are ${BPF_MEMWORDS} words)`);
  if (c === ALU && (code & X) === 0) {
    const o = code & 0xf0;
    if ((o === DIV || o === MOD) && k === 0) refuse(at, 'division by the constant 0');
    if ((o === LSH || o === RSH) && k >= 32) refuse(at, `shift by ${k}`);
  }
  if (c !== JMP) return;
  // Offsets are unsigned: every jump goes forward. It must also land inside.
  const last = length - 1;
  if ((code & 0xf0) === JA) { if (k >= last - at) refuse(at, `jump by ${k} out of the program`); return; }
  if (at + 1 + insn.jt > last || at + 1 + insn.jf > last) refuse(at, `jump (jt ${insn.jt}, jf ${insn.jf}) out of the program`);
}

/**
 * The program in `bytes` (struct sock_filter[]), checked: EINVAL (with the reason)
 * for an empty or too long program, a ragged length, or any instruction refused above.
 */
export function checkFilter(bytes: Uint8Array): SockFilter[] {
  if (bytes.byteLength === 0 || bytes.byteLength % SOCK_FILTER_SIZE !== 0) throw new KernelError(Errno.EINVAL, `socket filter of ${bytes.byteLength} bytes`);
  // Before decoding: a caller other than the kernel's setsockopt could send any length.
  const length = bytes.byteLength / SOCK_FILTER_SIZE;
  if (length > BPF_MAXINSNS) throw new KernelError(Errno.EINVAL, `socket filter of ${length} instructions (at most ${BPF_MAXINSNS})`);
  const program = decodeFilter(bytes);
  program.forEach((insn, at) => checkOne(insn, at, program.length));
  if (cls(program[program.length - 1]!.code) !== RET) refuse(program.length - 1, 'the program does not end in RET');
  return program;
}

/** The frame's bytes [at, at + size) big-endian, or undefined when they are not all inside. */
function load(frame: Uint8Array, at: number, size: number): number | undefined {
  if (at < 0 || at + size > frame.length) return undefined;
  if (size === 1) return frame[at]!;
  if (size === 2) return (frame[at]! << 8) | frame[at + 1]!;
  return ((frame[at]! << 24) | (frame[at + 1]! << 16) | (frame[at + 2]! << 8) | frame[at + 3]!) >>> 0;
}

const SIZES: Record<number, number> = { [W]: 4, [H]: 2, [B]: 1 };

/** What a load (LD or LDX) puts in its register, or undefined when it reads outside the frame. */
function loaded(code: number, k: number, frame: Uint8Array, m: Uint32Array, x: number): number | undefined {
  switch (code & 0xe0) {
    case IMM: return k;
    case MEM: return m[k]!;
    case LEN: return frame.length;
    case MSH: { const v = load(frame, k, 1); return v === undefined ? undefined : (v & 0xf) * 4; }
    case IND: return load(frame, x + k, SIZES[code & 0x18]!);
    default: return load(frame, k, SIZES[code & 0x18]!); // ABS
  }
}

function alu(op: number, a: number, v: number): number | undefined {
  switch (op) {
    case ADD: return (a + v) >>> 0;
    case SUB: return (a - v) >>> 0;
    case MUL: return Math.imul(a, v) >>> 0;
    case DIV: return v === 0 ? undefined : Math.floor(a / v);
    case MOD: return v === 0 ? undefined : a % v;
    case OR: return (a | v) >>> 0;
    case AND: return (a & v) >>> 0;
    case XOR: return (a ^ v) >>> 0;
    // NOTE: a shift by X of 32 or more gives 0, as the 64-bit shift Linux runs it as does.
    case LSH: return v >= 32 ? 0 : (a << v) >>> 0;
    case RSH: return v >= 32 ? 0 : a >>> v;
    default: return (-a) >>> 0; // NEG
  }
}

function jump(op: number, a: number, v: number): boolean {
  switch (op) {
    case JEQ: return a === v;
    case JGT: return a > v;
    case JGE: return a >= v;
    default: return (a & v) !== 0; // JSET
  }
}

// The scratch words, one set for every run: a run never waits, so runs never overlap.
const scratch = new Uint32Array(BPF_MEMWORDS);

/**
 * Runs a checked program (from `checkFilter` only) on `frame`: how many of its bytes
 * to keep, 0 to reject it. Never throws; takes at most one step per instruction.
 */
export function runFilter(program: readonly SockFilter[], frame: Uint8Array): number {
  let a = 0, x = 0;
  const m = scratch.fill(0);
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    switch (cls(code)) {
      case LD: case LDX: {
        const v = loaded(code, k, frame, m, x);
        if (v === undefined) return 0;
        if (cls(code) === LD) a = v; else x = v;
        break;
      }
      case ST: m[k] = a; break;
      case STX: m[k] = x; break;
      case ALU: {
        const v = alu(code & 0xf0, a, (code & X) !== 0 ? x : k);
        if (v === undefined) return 0;
        a = v;
        break;
      }
      case JMP:
        if ((code & 0xf0) === JA) pc += k;
        else pc += jump(code & 0xf0, a, (code & X) !== 0 ? x : k) ? jt : jf;
        break;
      case RET: return (code & RET_A) !== 0 ? a : k;
      default: if ((code & 0xf8) === TXA) a = x; else x = a; // MISC
    }
  }
  return 0; // unreachable for a checked program: its last instruction is a RET
}

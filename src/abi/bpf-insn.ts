// eBPF instructions: the 8-byte encoding Linux uses (opcode, dst/src registers,
// 16-bit offset, 32-bit immediate; ld_imm64 takes two slots), the opcode fields, and a
// disassembler that prints them the way the Linux verifier log does
// ("3: (7b) *(u64 *)(r10 -8) = r1"). Part of the ABI: user space emits and reads
// programs (bpftool), the kernel verifies and runs them (kernel/bpf/).

/** One decoded instruction slot. `imm64` is set on the first slot of an ld_imm64. */
export interface Insn {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  /** ld_imm64 only: the 64-bit immediate (both slots), unsigned. */
  imm64?: bigint;
}

export const INSN_SIZE = 8;

// Classes (low 3 bits).
export const LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
// Size (bits 3-4) and mode (bits 5-7) of loads and stores.
export const W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
export const IMM = 0x00, MEM = 0x60, ATOMIC = 0xc0;
// Source operand (bit 3) of ALU and JMP.
export const K = 0x00, X = 0x08;
// ALU operations (bits 4-7).
export const ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
  NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
// Jump operations (bits 4-7).
export const JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60, JSGE = 0x70,
  CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0;
/** Atomic operation in imm: add, or, and, xor; FETCH returns the old value in src. */
export const ATOMIC_FETCH = 0x01, ATOMIC_XCHG = 0xe1, ATOMIC_CMPXCHG = 0xf1;
/** src of an ld_imm64 that names a map by fd (after relocation). */
export const PSEUDO_MAP_FD = 1;
/** src of a call to a bpf-to-bpf function (not supported). */
export const PSEUDO_CALL = 1;

export const cls = (code: number): number => code & 0x07;
export const op = (code: number): number => code & 0xf0;
export const size = (code: number): number => code & 0x18;
export const mode = (code: number): number => code & 0xe0;
export function bytesOf(code: number): 1 | 2 | 4 | 8 {
  switch (size(code)) {
    case W: return 4;
    case H: return 2;
    case B: return 1;
    default: return 8;
  }
}

/** The ld_imm64 opcode (LD | IMM | DW). */
export const LD_IMM64 = LD | IMM | DW;

/** Decodes a program text (little-endian, as clang -target bpf emits). Caller must check length % 8 === 0. */
export function decodeProgram(bytes: Uint8Array): Insn[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let i = 0; i + INSN_SIZE <= bytes.byteLength; i += INSN_SIZE) {
    const regs = view.getUint8(i + 1);
    const insn: Insn = { code: view.getUint8(i), dst: regs & 0x0f, src: regs >> 4, off: view.getInt16(i + 2, true), imm: view.getInt32(i + 4, true) };
    out.push(insn);
  }
  for (let i = 0; i < out.length; i++) {
    if (out[i]!.code === LD_IMM64 && i + 1 < out.length) {
      out[i]!.imm64 = (BigInt(out[i + 1]!.imm >>> 0) << 32n) | BigInt(out[i]!.imm >>> 0);
      i++;
    }
  }
  return out;
}

/** Encodes instructions back to bytes (ld_imm64 as its two slots). */
export function encodeProgram(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(bytes.buffer);
  insns.forEach((insn, i) => {
    const at = i * INSN_SIZE;
    view.setUint8(at, insn.code);
    view.setUint8(at + 1, (insn.src << 4) | insn.dst);
    view.setInt16(at + 2, insn.off, true);
    view.setInt32(at + 4, insn.imm, true);
  });
  return bytes;
}

const ALU_NAMES: Record<number, string> = { [ADD]: '+=', [SUB]: '-=', [MUL]: '*=', [DIV]: '/=', [OR]: '|=', [AND]: '&=', [LSH]: '<<=', [RSH]: '>>=', [MOD]: '%=', [XOR]: '^=', [MOV]: '=', [ARSH]: 's>>=' };
const JMP_NAMES: Record<number, string> = { [JEQ]: '==', [JGT]: '>', [JGE]: '>=', [JSET]: '&', [JNE]: '!=', [JSGT]: 's>', [JSGE]: 's>=', [JLT]: '<', [JLE]: '<=', [JSLT]: 's<', [JSLE]: 's<=' };
const SIZE_NAMES: Record<number, string> = { [W]: 'u32', [H]: 'u16', [B]: 'u8', [DW]: 'u64' };
const ATOMIC_NAMES: Record<number, string> = { [ADD]: '+=', [OR]: '|=', [AND]: '&=', [XOR]: '^=' };

const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);

/** One instruction as the Linux verifier log prints it, without the index. `helperName` names call targets. */
export function disassemble(insn: Insn, helperName: (id: number) => string = (id) => `#${id}`): string {
  const { code, dst, src, off, imm } = insn;
  const c = cls(code);
  const hex = `(${code.toString(16).padStart(2, '0')})`;
  const r = (n: number, wide: boolean): string => `${wide ? 'r' : 'w'}${n}`;
  if (c === ALU || c === ALU64) {
    const wide = c === ALU64;
    const o = op(code);
    if (o === NEG) return `${hex} ${r(dst, wide)} = -${r(dst, wide)}`;
    if (o === END) return `${hex} r${dst} = ${(code & X) !== 0 ? 'be' : 'le'}${imm} r${dst}`;
    const rhs = (code & X) !== 0 ? r(src, wide) : `${imm}`;
    return `${hex} ${r(dst, wide)} ${ALU_NAMES[o] ?? '?='} ${rhs}`;
  }
  if (c === JMP || c === JMP32) {
    const o = op(code);
    if (o === JA) return `${hex} goto pc${signed(off)}`;
    if (o === EXIT) return `${hex} exit`;
    if (o === CALL) return src === PSEUDO_CALL ? `${hex} call pc${signed(imm)}` : `${hex} call ${helperName(imm)}`;
    const wide = c === JMP;
    const rhs = (code & X) !== 0 ? r(src, wide) : `${imm}`;
    return `${hex} if ${r(dst, wide)} ${JMP_NAMES[o] ?? '?'} ${rhs} goto pc${signed(off)}`;
  }
  if (code === LD_IMM64) {
    return src === PSEUDO_MAP_FD ? `${hex} r${dst} = map[id:${imm}]` : `${hex} r${dst} = 0x${(insn.imm64 ?? 0n).toString(16)}`;
  }
  const sz = SIZE_NAMES[size(code)] ?? '?';
  if (c === LDX && mode(code) === MEM) return `${hex} r${dst} = *(${sz} *)(r${src} ${signed(off)})`;
  if (c === STX && mode(code) === MEM) return `${hex} *(${sz} *)(r${dst} ${signed(off)}) = r${src}`;
  if (c === ST && mode(code) === MEM) return `${hex} *(${sz} *)(r${dst} ${signed(off)}) = ${imm}`;
  if (c === STX && mode(code) === ATOMIC) {
    if (imm === ATOMIC_XCHG) return `${hex} r${src} = atomic${sz === 'u64' ? '64' : ''}_xchg((${sz} *)(r${dst} ${signed(off)}), r${src})`;
    if (imm === ATOMIC_CMPXCHG) return `${hex} r0 = atomic${sz === 'u64' ? '64' : ''}_cmpxchg((${sz} *)(r${dst} ${signed(off)}), r0, r${src})`;
    const fetch = (imm & ATOMIC_FETCH) !== 0;
    return `${hex} lock *(${sz} *)(r${dst} ${signed(off)}) ${ATOMIC_NAMES[imm & 0xf0] ?? '?='} r${src}${fetch ? ' (fetch)' : ''}`;
  }
  return `${hex} unknown`;
}

// Classic BPF: the socket filters a process attaches with setsockopt(SOL_SOCKET,
// SO_ATTACH_FILTER, struct sock_fprog), as Linux and libpcap have them. A program is
// an array of `struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }` (8 bytes,
// little-endian here), run on each frame with an accumulator A, an index register X
// and 16 words of scratch memory M[]; it answers how many bytes of the frame to keep
// (0: reject). The opcodes are Linux's (include/uapi/linux/filter.h); the net
// component checks and runs programs (services/net/socket-filter.ts), tcpdump compiles
// its filter expressions to them (user/util/pcap-compile.ts) and prints them (-d) with
// `disassemble`, in libpcap's words.

/** One instruction (struct sock_filter). */
export interface SockFilter {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export const SOCK_FILTER_SIZE = 8;
/** struct sock_fprog on a 32-bit process: u16 len, 2 bytes of padding, u32 pointer to the instructions. */
export const SOCK_FPROG_SIZE = 8;
/** The longest program the kernel accepts (Linux's BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;
/** Words of scratch memory (BPF_MEMWORDS). */
export const BPF_MEMWORDS = 16;

/** Socket options (SOL_SOCKET), Linux's numbers; SO_GET_FILTER is SO_ATTACH_FILTER read back. */
export const SO_ATTACH_FILTER = 26, SO_DETACH_FILTER = 27, SO_LOCK_FILTER = 44;

// Classes (low 3 bits).
export const LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
// Load size and mode.
export const W = 0x00, H = 0x08, B = 0x10;
export const IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
// ALU and jump operations, and their source (K: the constant, X: the index register).
export const ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;
export const JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
export const K = 0x00, X = 0x08;
// RET's operand (K or the accumulator) and MISC's two moves.
export const RET_A = 0x10;
export const TAX = 0x00, TXA = 0x80;

export const cls = (code: number): number => code & 0x07;

/** The instructions of a program's bytes. Caller must check length % 8 === 0. */
export function decodeFilter(bytes: Uint8Array): SockFilter[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: SockFilter[] = [];
  for (let at = 0; at + SOCK_FILTER_SIZE <= bytes.byteLength; at += SOCK_FILTER_SIZE) {
    out.push({ code: view.getUint16(at, true), jt: view.getUint8(at + 2), jf: view.getUint8(at + 3), k: view.getUint32(at + 4, true) });
  }
  return out;
}

export function encodeFilter(program: readonly SockFilter[]): Uint8Array {
  const bytes = new Uint8Array(program.length * SOCK_FILTER_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach((insn, i) => {
    const at = i * SOCK_FILTER_SIZE;
    view.setUint16(at, insn.code, true);
    view.setUint8(at + 2, insn.jt);
    view.setUint8(at + 3, insn.jf);
    view.setUint32(at + 4, insn.k >>> 0, true);
  });
  return bytes;
}

const ALU_NAMES: Record<number, string> = { [ADD]: 'add', [SUB]: 'sub', [MUL]: 'mul', [DIV]: 'div', [MOD]: 'mod', [AND]: 'and', [OR]: 'or', [XOR]: 'xor', [LSH]: 'lsh', [RSH]: 'rsh' };
const JMP_NAMES: Record<number, string> = { [JEQ]: 'jeq', [JGT]: 'jgt', [JGE]: 'jge', [JSET]: 'jset' };
const LOAD_NAMES: Record<number, string> = { [W]: 'ld', [H]: 'ldh', [B]: 'ldb' };
const hex = (k: number): string => `#0x${(k >>> 0).toString(16)}`;

/** The operation and operand of a non-jump instruction, as libpcap's bpf_image names them. */
function image(insn: SockFilter): [string, string] {
  const { code, k } = insn;
  switch (cls(code)) {
    case LD: {
      const name = LOAD_NAMES[code & 0x18] ?? 'ld?';
      switch (code & 0xe0) {
        case IMM: return ['ld', `#${k >>> 0}`];
        case ABS: return [name, `[${k >>> 0}]`];
        case IND: return [name, `[x + ${k >>> 0}]`];
        case MEM: return ['ld', `M[${k >>> 0}]`];
        case LEN: return ['ld', '#pktlen'];
      }
      break;
    }
    case LDX:
      switch (code & 0xe0) {
        case IMM: return ['ldx', `#${k >>> 0}`];
        case MEM: return ['ldx', `M[${k >>> 0}]`];
        case LEN: return ['ldx', '#pktlen'];
        case MSH: return ['ldxb', `4*([${k >>> 0}]&0xf)`];
      }
      break;
    case ST: return ['st', `M[${k >>> 0}]`];
    case STX: return ['stx', `M[${k >>> 0}]`];
    case RET: return ['ret', (code & RET_A) !== 0 ? 'a' : `#${k >>> 0}`];
    case MISC: return [(code & 0xf8) === TXA ? 'txa' : 'tax', ''];
    case ALU: {
      if ((code & 0xf0) === NEG) return ['neg', ''];
      return [ALU_NAMES[code & 0xf0] ?? 'alu?', (code & X) !== 0 ? 'x' : hex(k)];
    }
  }
  return ['unimp', `0x${code.toString(16)}`];
}

/** One instruction at index `at`, as `tcpdump -d` prints it ("(002) jeq #0x800 jt 3 jf 5"). */
export function disassemble(insn: SockFilter, at: number): string {
  const index = `(${String(at).padStart(3, '0')})`;
  if (cls(insn.code) === JMP) {
    if ((insn.code & 0xf0) === JA) return `${index} ${'ja'.padEnd(8)} ${at + 1 + (insn.k >>> 0)}`;
    const operand = (insn.code & X) !== 0 ? 'x' : hex(insn.k);
    return `${index} ${(JMP_NAMES[insn.code & 0xf0] ?? 'j?').padEnd(8)} ${operand.padEnd(16)} jt ${at + 1 + insn.jt}\tjf ${at + 1 + insn.jf}`;
  }
  const [name, operand] = image(insn);
  return `${index} ${name.padEnd(8)} ${operand}`.trimEnd();
}

// The eBPF verifier, after Linux's (kernel/bpf/verifier.c): a program is accepted only
// if every path through it provably terminates and touches only memory it may.
//
// Two passes, as in Linux:
//  1. check_cfg: every opcode is known, every jump lands on an instruction inside the
//     program (never in the middle of an ld_imm64), every instruction is reachable,
//     the last one cannot fall off the end, and unprivileged programs have no
//     back-edges.
//  2. do_check: every path is walked with an abstract state: per register a type
//     (scalar with unsigned and signed 64-bit ranges, pointer to context, stack, map
//     value, map value or null, map) and per stack byte whether it holds data or a
//     spilled register. Conditional jumps on known ranges follow only the feasible
//     edge and narrow the ranges on each edge (that is what makes bounded loops and
//     bounds checks work). States reaching a jump target are remembered; a later state
//     that a fully explored one subsumes is pruned, and one equal to a state still on
//     its own path is an infinite loop. At most 1M instructions are processed.
//
// A rejection throws nothing: verify() returns the log, whose last lines name the
// instruction ("12: (61) r0 = *(u32 *)(r1 +4)") and the reason in Linux's words.
// The JIT (jit.ts) relies on what is proved here; the interpreter checks again.

import {
  ADD, ALU, ALU64, AND, ARSH, ATOMIC, ATOMIC_CMPXCHG, ATOMIC_FETCH, ATOMIC_XCHG, CALL, DIV, DW, END, EXIT, JA, JEQ, JGE, JGT, JLE, JLT, JMP, JMP32, JNE, JSET, JSGE, JSGT, JSLE, JSLT,
  LD_IMM64, LDX, LSH, MEM, MOD, MOV, MUL, NEG, OR, PSEUDO_MAP_FD, RSH, ST, STX, SUB, W, X, XOR,
  bytesOf, cls, disassemble, mode, op, size, type Insn,
} from '../../abi/bpf-insn.js';
import { BPF_MAP_TYPE, BPF_PROG_TYPE, BPF_TRACEPOINTS, SCHED_CTX_BYTES, SK_BUFF_CTX_BYTES, XDP_MD_BYTES, helperName, type BpfTracepoint } from '../../abi/bpf.js';
import { HELPERS, type ArgKind } from './helpers.js';
import type { MapParams } from './maps.js';
import { STACK_BYTES } from './memory.js';

/** Linux's BPF_COMPLEXITY_LIMIT_INSNS: instructions processed over all paths. */
export const COMPLEXITY_LIMIT = 1_000_000;
/** Linux's BPF_MAXINSNS: longest program an unprivileged user may load. */
export const UNPRIVILEGED_MAX_INSNS = 4096;
/** States remembered per prune point. */
const MAX_STATES_PER_INSN = 32;
/** Instructions before the failing one that the log shows. */
const TRAIL = 16;

export interface VerifyOptions {
  readonly type: number;
  /** The tracepoint (for its context size); '' for socket filters. */
  readonly hook: string;
  /** CAP_SYS_ADMIN-like: bounded loops, pointer comparisons and values, long programs. */
  readonly privileged: boolean;
  /** Map parameters by id (ld_imm64 src=1 carries an id). */
  readonly maps: ReadonlyMap<number, MapParams>;
  /** The license is GPL-compatible (GPL-only helpers need it). */
  readonly gpl: boolean;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly log: string;
  /** Instructions processed (all paths). */
  readonly processed: number;
  /** The failing instruction, when rejected by do_check. */
  readonly insn?: number;
  readonly message?: string;
  /**
   * XDP: the context loads to rewrite (pc -> field offset in struct xdp_md), as Linux's
   * convert_ctx_access turns `r = ctx->data` (u32) into a load of the real pointer.
   */
  readonly ctxLoads?: ReadonlyMap<number, number>;
}

/** Largest packet offset a pointer may carry (Linux's MAX_PACKET_OFF). */
const MAX_PACKET_OFF = 0xffff;

type RegType = 'not_init' | 'scalar' | 'ctx' | 'stack' | 'map_value' | 'map_value_or_null' | 'map_ptr' | 'pkt' | 'pkt_end';

interface Reg {
  readonly type: RegType;
  // Scalars: the value's ranges.
  readonly umin: bigint;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  // Pointers: offset from the region's start (stack: from r10, i.e. negative), a range
  // for map values reached through a bounded variable; the map; the id that ties
  // copies of one map_value_or_null together for the null check.
  readonly off: number;
  readonly offMax: number;
  readonly map: number;
  readonly id: number;
}

const U64_MAX = (1n << 64n) - 1n, S64_MIN = -(1n << 63n), S64_MAX = (1n << 63n) - 1n, U32_MAX = 0xffffffffn;

const NOT_INIT: Reg = { type: 'not_init', umin: 0n, umax: 0n, smin: 0n, smax: 0n, off: 0, offMax: 0, map: 0, id: 0 };
const UNKNOWN: Reg = { type: 'scalar', umin: 0n, umax: U64_MAX, smin: S64_MIN, smax: S64_MAX, off: 0, offMax: 0, map: 0, id: 0 };
const pointer = (type: RegType, off = 0, map = 0, id = 0): Reg => ({ ...NOT_INIT, type, off, offMax: off, map, id });

/** A scalar from unsigned bounds, with signed bounds derived (and intersected with `s` if given). */
function scalar(umin: bigint, umax: bigint, smin = S64_MIN, smax = S64_MAX): Reg | undefined {
  // Derive each range from the other where the sign bit is settled, then intersect.
  if (umax <= S64_MAX) { smin = smin > umin ? smin : umin; smax = smax < umax ? smax : umax; } else if (umin > S64_MAX) { const lo = umin - (1n << 64n), hi = umax - (1n << 64n); smin = smin > lo ? smin : lo; smax = smax < hi ? smax : hi; }
  if (smin >= 0n) { umin = umin > smin ? umin : smin; umax = umax < smax ? umax : smax; } else if (smax < 0n) { const lo = smin + (1n << 64n), hi = smax + (1n << 64n); umin = umin > lo ? umin : lo; umax = umax < hi ? umax : hi; }
  if (umin > umax || smin > smax) return undefined;
  return { ...UNKNOWN, umin, umax, smin, smax };
}
const constant = (v: bigint): Reg => scalar(BigInt.asUintN(64, v), BigInt.asUintN(64, v))!;
const isConst = (r: Reg): boolean => r.type === 'scalar' && r.umin === r.umax;
const isPointer = (t: RegType): boolean => t !== 'scalar' && t !== 'not_init';
const typeName = (r: Reg): string => (r.type === 'not_init' ? '?' : r.type === 'map_ptr' ? 'map_ptr' : r.type === 'stack' ? 'fp' : r.type === 'scalar' ? 'scalar' : r.type);

// Stack byte kinds.
const INVALID = 0, MISC = 1, SPILL = 2;

interface State {
  regs: Reg[];
  stack: Uint8Array; // STACK_BYTES kinds, index = STACK_BYTES + offset
  spills: (Reg | undefined)[]; // per 8-byte slot
  /** The stack arrays are shared with another state: copy them before writing (own()). */
  shared: boolean;
  /**
   * XDP: bytes from the packet's start proved to lie before data_end (a comparison of a
   * packet pointer with pkt_end). Linux keeps this per pointer id (reg->range); one
   * figure per state, from the smallest offset compared, is the simpler sound version.
   */
  pktRange: number;
}

// Forks share the stack until one of them writes it: most paths never do.
function copy(s: State): State {
  s.shared = true;
  return { regs: [...s.regs], stack: s.stack, spills: s.spills, shared: true, pktRange: s.pktRange };
}

/** Makes `s` the state `from` (the path goes on in `s`). */
function adopt(s: State, from: State): void {
  if (s === from) return;
  s.regs = from.regs;
  s.stack = from.stack;
  s.spills = from.spills;
  s.shared = from.shared;
  s.pktRange = from.pktRange;
}

function own(s: State): void {
  if (!s.shared) return;
  s.stack = s.stack.slice();
  s.spills = [...s.spills];
  s.shared = false;
}

/** A remembered state at a prune point; `branches` counts live paths below it. */
interface Checkpoint { pc: number; state: State; parent: Checkpoint | undefined; branches: number }

class Reject extends Error {
  constructor(readonly pc: number, message: string) { super(message); }
}

/** Verifies `insns`; the result says whether it may load, and the log says why not. */
export function verify(insns: readonly Insn[], opts: VerifyOptions): VerifyResult {
  const v = new Verifier(insns, opts);
  return v.run(() => {
    for (const _ of v.doCheck()) { /* no pauses */ }
  });
}

/**
 * verify() for the kernel: the walk pauses every PAUSE_EVERY instructions on `pause`
 * (the kernel's loop runs other work meanwhile, as Linux's verifier calls
 * cond_resched), so a program that takes the whole budget does not stall the kernel.
 */
export async function verifyPreemptible(insns: readonly Insn[], opts: VerifyOptions, pause: () => Promise<void>): Promise<VerifyResult> {
  const v = new Verifier(insns, opts);
  const steps = v.doCheckAfterCfg();
  let result: VerifyResult | undefined;
  for (;;) {
    let done = false;
    result = v.run(() => {
      const next = steps.next();
      done = next.done === true;
    });
    if (!result.ok || done) return result;
    await pause();
  }
}

/** Instructions processed between two pauses of verifyPreemptible. */
const PAUSE_EVERY = 1 << 14;

class Verifier {
  processed = 0;
  /** The last few instructions processed, for the log (a ring of pcs). */
  private readonly recent: number[] = [];
  /** The instructions processed just before the failing one, oldest first. */
  get trail(): string[] {
    const out: string[] = [];
    for (let i = Math.max(1, this.processed - TRAIL + 1); i < this.processed; i++) {
      const pc = this.recent[i % TRAIL]!;
      out.push(`${pc}: ${disassemble(this.insns[pc]!, helperName)}`);
    }
    return out;
  }

  private readonly ctxBytes: number;
  private readonly ctxLoads = new Map<number, number>();
  /** Per memory instruction: whether it went through the context (one insn may not do both). */
  private readonly viaCtx = new Map<number, boolean>();
  private readonly pruneAt: boolean[];
  private readonly explored = new Map<number, Checkpoint[]>();
  private nextId = 1;

  constructor(private readonly insns: readonly Insn[], private readonly opts: VerifyOptions) {
    this.ctxBytes = opts.type === BPF_PROG_TYPE.TRACEPOINT ? (BPF_TRACEPOINTS[opts.hook as BpfTracepoint] ?? 0)
      : opts.type === BPF_PROG_TYPE.XDP ? XDP_MD_BYTES : opts.type === BPF_PROG_TYPE.STRUCT_OPS ? SCHED_CTX_BYTES : SK_BUFF_CTX_BYTES;
    this.pruneAt = new Array<boolean>(insns.length).fill(false);
  }

  // ---- pass 1: the control-flow graph ----------------------------------------------

  checkCfg(): void {
    const n = this.insns.length;
    if (n === 0) throw new Reject(-1, 'empty program');
    if (!this.opts.privileged && n > UNPRIVILEGED_MAX_INSNS) throw new Reject(-1, `BPF program is too large. Length ${n} > ${UNPRIVILEGED_MAX_INSNS} insns for unprivileged programs`);
    if (n > COMPLEXITY_LIMIT) throw new Reject(-1, `BPF program is too large. Length ${n} > ${COMPLEXITY_LIMIT} insns`);
    const middle = new Array<boolean>(n).fill(false);
    for (let pc = 0; pc < n; pc++) {
      this.checkOpcode(pc);
      if (this.insns[pc]!.code === LD_IMM64) { middle[pc + 1] = true; pc++; }
    }
    const succ = (pc: number): number[] => {
      const insn = this.insns[pc]!;
      const c = cls(insn.code);
      if (insn.code === LD_IMM64) return [pc + 2];
      if (c !== JMP && c !== JMP32) return [pc + 1];
      const o = op(insn.code);
      if (o === EXIT) return [];
      if (o === CALL) return [pc + 1];
      if (o === JA) return [pc + 1 + insn.off];
      return [pc + 1, pc + 1 + insn.off];
    };
    // Iterative DFS with colours: grey on the stack, black done (a grey target is a back-edge).
    const colour = new Uint8Array(n);
    const stack: [number, number][] = [[0, 0]];
    colour[0] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = succ(top[0]);
      if (top[1] >= edges.length) { colour[top[0]] = 2; stack.pop(); continue; }
      const to = edges[top[1]++]!;
      const from = top[0];
      if (to < 0 || to >= n) throw new Reject(from, to === n && edges.length === 1 && cls(this.insns[from]!.code) !== JMP ? 'last insn is not an exit or jmp' : `jump out of range from insn ${from} to ${to}`);
      if (middle[to]) throw new Reject(from, `jump into the middle of ldimm64 insn ${to - 1}`);
      if (edges.length > 1 || op(this.insns[from]!.code) === JA && cls(this.insns[from]!.code) === JMP) { this.pruneAt[to] = true; }
      if (colour[to] === 1) {
        if (!this.opts.privileged) throw new Reject(from, `back-edge from insn ${from} to ${to}`);
        this.pruneAt[to] = true;
        continue;
      }
      if (colour[to] === 0) { colour[to] = 1; stack.push([to, 0]); }
    }
    for (let pc = 0; pc < n; pc++) if (colour[pc] === 0 && !middle[pc]) throw new Reject(pc, `unreachable insn ${pc}`);
  }

  private checkOpcode(pc: number): void {
    const insn = this.insns[pc]!;
    const { code, dst, src, off, imm } = insn;
    const c = cls(code), o = op(code);
    const bad = (): never => { throw new Reject(pc, `unknown opcode ${code.toString(16).padStart(2, '0')}`); };
    if (dst > 10 || src > 10) throw new Reject(pc, `R${dst > 10 ? dst : src} is invalid`);
    if (c === ALU || c === ALU64) {
      if (o > END || (o === END && (c === ALU64 || ![16, 32, 64].includes(imm)))) bad();
      if (o === NEG && (code & X) !== 0) bad();
      if ((code & X) === 0 && (o === DIV || o === MOD) && imm === 0) throw new Reject(pc, 'div by zero');
      if ((code & X) === 0 && (o === LSH || o === RSH || o === ARSH) && (imm < 0 || imm >= (c === ALU64 ? 64 : 32))) throw new Reject(pc, `invalid shift ${imm}`);
      if (o !== END && ((code & X) !== 0 && imm !== 0 || (code & X) === 0 && src !== 0) || src !== 0 && o === END || off !== 0) throw new Reject(pc, `BPF_ALU uses reserved fields`);
    } else if (c === JMP || c === JMP32) {
      if (o === CALL || o === EXIT || o === JA) {
        if (c === JMP32 || (code & X) !== 0) bad();
        if (o === CALL && src !== 0) throw new Reject(pc, 'function calls to other bpf functions are not supported');
      } else if (o > JSLE) bad();
    } else if (code === LD_IMM64) {
      if (pc + 1 >= this.insns.length) throw new Reject(pc, 'invalid BPF_LD_IMM insn');
      const next = this.insns[pc + 1]!;
      if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0 || off !== 0) throw new Reject(pc, 'invalid BPF_LD_IMM insn');
      if (src !== 0 && src !== PSEUDO_MAP_FD) throw new Reject(pc, `unrecognized bpf_ld_imm64 insn (src ${src})`);
    } else if (c === LDX || c === ST || c === STX) {
      if (mode(code) === ATOMIC && c === STX) {
        if (size(code) !== W && size(code) !== DW) throw new Reject(pc, 'invalid atomic operand size');
        if (![ADD, OR, AND, XOR, ADD | ATOMIC_FETCH, OR | ATOMIC_FETCH, AND | ATOMIC_FETCH, XOR | ATOMIC_FETCH, ATOMIC_XCHG, ATOMIC_CMPXCHG].includes(imm)) throw new Reject(pc, `BPF_ATOMIC uses invalid atomic opcode ${imm.toString(16).padStart(2, '0')}`);
      } else if (mode(code) !== MEM) bad();
    } else bad();
  }

  // ---- pass 2: every path ----------------------------------------------------------

  /** Runs part of the verification; a rejection becomes the result. */
  run(part: () => void): VerifyResult {
    try {
      if (!this.cfgChecked) { this.cfgChecked = true; this.checkCfg(); }
      part();
      return { ok: true, log: `processed ${this.processed} insns`, processed: this.processed, ctxLoads: this.ctxLoads };
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      const lines = [...this.trail, e.pc >= 0 && e.pc < this.insns.length ? `${e.pc}: ${disassemble(this.insns[e.pc]!, helperName)}` : undefined, e.message, `processed ${this.processed} insns`]
        .filter((l): l is string => l !== undefined);
      return { ok: false, log: lines.join('\n'), processed: this.processed, insn: e.pc, message: e.message };
    }
  }

  private cfgChecked = false;

  /** doCheck, started only once the CFG passed. */
  *doCheckAfterCfg(): Generator<void, void, void> {
    yield;
    yield* this.doCheck();
  }

  *doCheck(): Generator<void, void, void> {
    const regs = new Array<Reg>(11).fill(NOT_INIT);
    regs[1] = pointer('ctx');
    regs[10] = pointer('stack', 0);
    const pending: { pc: number; state: State; parent: Checkpoint | undefined }[] = [
      { pc: 0, state: { regs, stack: new Uint8Array(STACK_BYTES), spills: new Array<Reg | undefined>(STACK_BYTES / 8).fill(undefined), shared: false, pktRange: 0 }, parent: undefined },
    ];
    while (pending.length > 0) {
      const path = pending.pop()!;
      let { pc, parent } = path;
      const s = path.state;
      for (;;) {
        if (++this.processed > COMPLEXITY_LIMIT) throw new Reject(pc, `BPF program is too large. Processed ${this.processed} insn`);
        if (this.processed % PAUSE_EVERY === 0) yield;
        if (this.pruneAt[pc]) {
          const seen = this.visit(pc, s, parent);
          if (seen === 'prune') { this.finish(parent); break; }
          parent = seen;
        }
        this.recent[this.processed % TRAIL] = pc;
        const next = this.step(pc, s);
        if (next.length === 0) { this.finish(parent); break; }
        if (next.length === 2) {
          const [fall, taken] = next as [[number, State], [number, State]];
          if (parent !== undefined) parent.branches++;
          pending.push({ pc: taken[0], state: taken[1], parent });
          pc = fall[0];
          adopt(s, fall[1]);
        } else {
          pc = next[0]![0];
          adopt(s, next[0]![1]);
        }
      }
    }
  }

  /** A path ended: its checkpoints lose a live branch; those with none left are fully explored. */
  private finish(cp: Checkpoint | undefined): void {
    while (cp !== undefined) {
      if (--cp.branches > 0) return;
      cp = cp.parent;
    }
  }

  private visit(pc: number, s: State, parent: Checkpoint | undefined): Checkpoint | undefined | 'prune' {
    const list = this.explored.get(pc) ?? [];
    for (const cp of list) {
      // NOTE: pending paths are a stack, so a checkpoint still in progress is an
      // ancestor of this path: meeting its exact state again is a loop without progress.
      if (cp.branches > 0) {
        if (subsumes(cp.state, s) && subsumes(s, cp.state)) throw new Reject(pc, `infinite loop detected at insn ${pc}`);
      } else if (subsumes(cp.state, s)) return 'prune';
    }
    // Bound the memory the remembered states take (Linux evicts unhelpful ones too):
    // past the bound a checkpoint only counts branches, and keeps no state.
    // past the bound the path goes on under its last checkpoint.
    if (list.length >= MAX_STATES_PER_INSN) return parent;
    const cp: Checkpoint = { pc, state: copy(s), parent, branches: 1 };
    list.push(cp);
    this.explored.set(pc, list);
    return cp;
  }

  private read(pc: number, s: State, r: number): Reg {
    const reg = s.regs[r]!;
    if (reg.type === 'not_init') throw new Reject(pc, `R${r} !read_ok`);
    return reg;
  }

  private write(pc: number, s: State, r: number, value: Reg): void {
    if (r === 10) throw new Reject(pc, 'frame pointer is read only');
    s.regs[r] = value;
  }

  /** Executes one instruction on `s`; returns the successor states (none at exit). */
  private step(pc: number, s: State): [number, State][] {
    const insn = this.insns[pc]!;
    const c = cls(insn.code);
    if (c === ALU || c === ALU64) { this.alu(pc, s, insn, c === ALU64); return [[pc + 1, s]]; }
    if (insn.code === LD_IMM64) {
      if (insn.src === PSEUDO_MAP_FD) {
        if (!this.opts.maps.has(insn.imm)) throw new Reject(pc, `map ${insn.imm} is not loaded`);
        this.write(pc, s, insn.dst, pointer('map_ptr', 0, insn.imm));
      } else this.write(pc, s, insn.dst, constant(insn.imm64 ?? 0n));
      return [[pc + 2, s]];
    }
    if (c === LDX) {
      const value = this.access(pc, s, insn.src, insn.off, bytesOf(insn.code), 'read', undefined);
      this.write(pc, s, insn.dst, value);
      return [[pc + 1, s]];
    }
    if (c === ST) { this.access(pc, s, insn.dst, insn.off, bytesOf(insn.code), 'write', constant(BigInt(insn.imm))); return [[pc + 1, s]]; }
    if (c === STX && mode(insn.code) === MEM) { this.access(pc, s, insn.dst, insn.off, bytesOf(insn.code), 'write', this.read(pc, s, insn.src)); return [[pc + 1, s]]; }
    if (c === STX) { this.atomic(pc, s, insn); return [[pc + 1, s]]; }
    // JMP / JMP32
    const o = op(insn.code);
    if (o === EXIT) {
      const r0 = this.read(pc, s, 0);
      if (r0.type !== 'scalar' && !this.opts.privileged) throw new Reject(pc, 'R0 leaks addr as return value');
      if (r0.type !== 'scalar' && (this.opts.type === BPF_PROG_TYPE.XDP || this.opts.type === BPF_PROG_TYPE.STRUCT_OPS)) throw new Reject(pc, `At program exit the register R0 is not a known value (${typeName(r0)})`);
      return [];
    }
    if (o === CALL) { this.call(pc, s, insn.imm); return [[pc + 1, s]]; }
    if (o === JA) return [[pc + 1 + insn.off, s]];
    return this.branch(pc, s, insn, c === JMP32);
  }

  private alu(pc: number, s: State, insn: Insn, wide: boolean): void {
    const o = op(insn.code);
    const dstReg = insn.dst;
    if (o === END) { this.write(pc, s, dstReg, this.read(pc, s, dstReg).type === 'scalar' ? bswapRange(this.read(pc, s, dstReg), insn.imm) : this.pointerAlu(pc, dstReg, 'bswap')); return; }
    const srcVal: Reg = (insn.code & X) !== 0 ? this.read(pc, s, insn.src) : constant(wide ? BigInt(insn.imm) : BigInt(insn.imm >>> 0));
    if (o === MOV) {
      if (!wide && isPointer(srcVal.type)) {
        if (!this.opts.privileged) throw new Reject(pc, `R${insn.src} partial copy of pointer`);
        this.write(pc, s, dstReg, scalar(0n, U32_MAX)!);
        return;
      }
      this.write(pc, s, dstReg, wide ? srcVal : truncate32(srcVal));
      return;
    }
    const dst = o === NEG ? this.read(pc, s, dstReg) : this.read(pc, s, dstReg);
    if (isPointer(dst.type) || isPointer(srcVal.type)) {
      if (!wide) throw new Reject(pc, `R${dstReg} 32-bit pointer arithmetic prohibited`);
      this.write(pc, s, dstReg, this.pointerArith(pc, insn, dst, srcVal));
      return;
    }
    const result = scalarAlu(o, dst, srcVal, wide);
    this.write(pc, s, dstReg, result);
  }

  private pointerAlu(pc: number, r: number, what: string): never {
    throw new Reject(pc, `R${r} ${what} on pointer prohibited`);
  }

  private pointerArith(pc: number, insn: Insn, dst: Reg, src: Reg): Reg {
    const o = op(insn.code);
    const names: Record<number, string> = { [MUL]: '*=', [DIV]: '/=', [OR]: '|=', [AND]: '&=', [LSH]: '<<=', [RSH]: '>>=', [MOD]: '%=', [XOR]: '^=', [ARSH]: 's>>=', [NEG]: 'neg' };
    if (isPointer(dst.type) && isPointer(src.type)) {
      if (o === SUB && dst.type === src.type && this.opts.privileged) return UNKNOWN;
      throw new Reject(pc, `R${insn.dst} pointer ${o === SUB ? '-=' : names[o] ?? '+='} pointer prohibited`);
    }
    if (o !== ADD && o !== SUB) throw new Reject(pc, `R${insn.dst} ${isPointer(dst.type) ? 'bitwise operator ' : ''}${names[o] ?? 'op'} on pointer prohibited`);
    const [ptr, offset] = isPointer(dst.type) ? [dst, src] : [src, dst];
    if (o === SUB && !isPointer(dst.type)) throw new Reject(pc, `R${insn.dst} tried to subtract pointer from scalar`);
    const ptrName = typeName(ptr);
    if (ptr.type === 'map_value_or_null') throw new Reject(pc, `R${insn.dst} pointer arithmetic on map_value_or_null prohibited, null-check it first`);
    if (ptr.type === 'map_ptr') throw new Reject(pc, `R${insn.dst} pointer arithmetic on map_ptr prohibited`);
    if (ptr.type === 'pkt_end') throw new Reject(pc, `R${insn.dst} pointer arithmetic on pkt_end prohibited`);
    // The scalar must be bounded in a sane window, as Linux's BPF_MAX_VAR_OFF (1 << 29).
    const LIMIT = 1n << 29n;
    if (offset.smin < -LIMIT || offset.smax > LIMIT) {
      if (ptr.type === 'map_value') throw new Reject(pc, `R${insn.dst} unbounded memory access, make sure to bounds check any such access`);
      throw new Reject(pc, `R${insn.dst} ${ptrName} pointer arithmetic with unbounded scalar prohibited`);
    }
    const lo = Number(o === ADD ? offset.smin : -offset.smax), hi = Number(o === ADD ? offset.smax : -offset.smin);
    if (lo !== hi && ptr.type !== 'map_value' && ptr.type !== 'pkt') throw new Reject(pc, `R${insn.dst} variable ${ptrName} access prohibited`);
    if (ptr.type === 'pkt' && (ptr.off + lo < -MAX_PACKET_OFF || ptr.offMax + hi > MAX_PACKET_OFF)) throw new Reject(pc, `R${insn.dst} pkt pointer offset ${ptr.offMax + hi} is not allowed`);
    return { ...ptr, off: ptr.off + lo, offMax: ptr.offMax + hi };
  }

  private atomic(pc: number, s: State, insn: Insn): void {
    const bytes = bytesOf(insn.code);
    const srcReg = this.read(pc, s, insn.src);
    if (srcReg.type !== 'scalar') throw new Reject(pc, `R${insn.src} leaks addr into mem`);
    const base = this.read(pc, s, insn.dst);
    if (base.type === 'ctx') throw new Reject(pc, `BPF_ATOMIC stores into R${insn.dst} ctx is not allowed`);
    this.access(pc, s, insn.dst, insn.off, bytes, 'read', undefined);
    this.access(pc, s, insn.dst, insn.off, bytes, 'write', UNKNOWN);
    const fetched = bytes === 4 ? scalar(0n, U32_MAX)! : UNKNOWN;
    if (insn.imm === ATOMIC_CMPXCHG) { this.read(pc, s, 0); this.write(pc, s, 0, fetched); } else if ((insn.imm & ATOMIC_FETCH) !== 0) this.write(pc, s, insn.src, fetched);
  }

  /** Checks a load or store of `bytes` at reg+off and returns what a load yields. */
  private access(pc: number, s: State, r: number, off: number, bytes: number, kind: 'read' | 'write', value: Reg | undefined): Reg {
    const base = this.read(pc, s, r);
    if (kind === 'write' && value !== undefined && isPointer(value.type) && !this.opts.privileged && base.type !== 'stack') {
      throw new Reject(pc, `R${r} leaks addr into ${base.type === 'map_value' ? 'map' : base.type === 'ctx' ? 'ctx' : 'mem'}`);
    }
    const before = this.viaCtx.get(pc);
    if (before !== undefined && before !== (base.type === 'ctx')) throw new Reject(pc, 'same insn cannot be used with different pointers');
    this.viaCtx.set(pc, base.type === 'ctx');
    switch (base.type) {
      case 'ctx': {
        if (base.off !== 0) throw new Reject(pc, `dereference of modified ctx ptr R${r} off=${base.off} disallowed`);
        if (kind === 'write' || off < 0 || off + bytes > this.ctxBytes || off % bytes !== 0) throw new Reject(pc, `invalid bpf_context access off=${off} size=${bytes}`);
        if ((this.opts.type === BPF_PROG_TYPE.SOCKET_FILTER || this.opts.type === BPF_PROG_TYPE.XDP) && bytes !== 4) throw new Reject(pc, `invalid bpf_context access off=${off} size=${bytes}`);
        if (this.opts.type === BPF_PROG_TYPE.XDP) {
          this.ctxLoads.set(pc, off);
          // struct xdp_md: data, data_end, data_meta (kernelkit puts no metadata before data: data_meta == data).
          if (off === 0 || off === 8) return pointer('pkt');
          if (off === 4) return pointer('pkt_end');
        }
        return bytes === 8 ? UNKNOWN : scalar(0n, (1n << BigInt(bytes * 8)) - 1n)!;
      }
      case 'pkt': {
        const lo = base.off + off, hi = base.offMax + off;
        if (lo < 0) throw new Reject(pc, `R${r} offset is outside of the packet`);
        if (hi + bytes > s.pktRange) throw new Reject(pc, `invalid access to packet, off=${off} size=${bytes}, R${r}(id=0,off=${base.off},r=${s.pktRange})\nR${r} offset is outside of the packet`);
        if (kind === 'write' && value !== undefined && isPointer(value.type)) throw new Reject(pc, `R${r} leaks addr into packet`);
        return kind === 'read' ? (bytes === 8 ? UNKNOWN : scalar(0n, (1n << BigInt(bytes * 8)) - 1n)!) : UNKNOWN;
      }
      case 'stack': return this.stackAccess(pc, s, r, base.off + off, bytes, kind, value);
      case 'map_value': {
        const params = this.opts.maps.get(base.map)!;
        const lo = base.off + off, hi = base.offMax + off;
        if (lo < 0) throw new Reject(pc, `R${r} min value is negative, either use unsigned index or do a if (index >=0) check.`);
        if (hi + bytes > params.valueSize) throw new Reject(pc, `invalid access to map value, value_size=${params.valueSize} off=${hi} size=${bytes}`);
        return kind === 'read' ? (bytes === 8 ? UNKNOWN : scalar(0n, (1n << BigInt(bytes * 8)) - 1n)!) : UNKNOWN;
      }
      case 'scalar': throw new Reject(pc, `R${r} invalid mem access 'scalar'`);
      default: throw new Reject(pc, `R${r} invalid mem access '${typeName(base)}'`);
    }
  }

  private stackAccess(pc: number, s: State, r: number, at: number, bytes: number, kind: 'read' | 'write', value: Reg | undefined): Reg {
    if (at < -STACK_BYTES || at + bytes > 0 || at % bytes !== 0) throw new Reject(pc, `invalid ${kind === 'read' ? 'read from' : 'write to'} stack R${r} off=${at} size=${bytes}`);
    const first = STACK_BYTES + at;
    const slot = first >> 3;
    if (kind === 'write') {
      own(s);
      // A spilled register: a full 8-byte aligned store keeps its type.
      const old = s.spills[slot];
      if (bytes === 8) {
        s.spills[slot] = value;
        s.stack.fill(SPILL, first, first + 8);
        return value!;
      }
      if (old !== undefined) {
        if (isPointer(old.type) && !this.opts.privileged) throw new Reject(pc, 'attempt to corrupt spilled pointer on stack');
        s.spills[slot] = undefined;
        s.stack.fill(MISC, slot * 8, slot * 8 + 8);
      }
      if (value !== undefined && isPointer(value.type)) {
        if (!this.opts.privileged) throw new Reject(pc, `R${r} leaks addr into stack (partial store)`);
      }
      s.stack.fill(MISC, first, first + bytes);
      return value!;
    }
    for (let i = first; i < first + bytes; i++) if (s.stack[i] === INVALID) throw new Reject(pc, `invalid read from stack off ${at}+${i - first} size ${bytes}`);
    const spill = s.spills[slot];
    if (spill !== undefined) {
      if (bytes === 8) return spill;
      if (isPointer(spill.type)) {
        if (!this.opts.privileged) throw new Reject(pc, `invalid size of register fill`);
        return UNKNOWN;
      }
      if (isConst(spill)) {
        // A narrow read of a spilled constant: little-endian bytes of it.
        const shift = BigInt((first - slot * 8) * 8);
        return constant((spill.umin >> shift) & ((1n << BigInt(bytes * 8)) - 1n));
      }
    }
    return bytes === 8 ? UNKNOWN : scalar(0n, (1n << BigInt(bytes * 8)) - 1n)!;
  }

  private call(pc: number, s: State, id: number): void {
    const proto = HELPERS.get(id);
    if (proto === undefined) throw new Reject(pc, `invalid func unknown#${id}`);
    if (!proto.types.includes(this.opts.type)) throw new Reject(pc, `unknown func ${proto.name}#${id}`);
    if (proto.gplOnly === true && !this.opts.gpl) throw new Reject(pc, 'cannot call GPL-restricted function from non-GPL compatible program');
    let map: MapParams | undefined;
    let mapId = 0;
    proto.args.forEach((kind: ArgKind, i) => {
      const r = i + 1;
      const reg = this.read(pc, s, r);
      const expect = (ok: boolean, expected: string): void => {
        if (!ok) throw new Reject(pc, `R${r} type=${typeName(reg)} expected=${expected}`);
      };
      switch (kind) {
        case 'map': {
          expect(reg.type === 'map_ptr', 'map_ptr');
          map = this.opts.maps.get(reg.map)!;
          mapId = reg.map;
          const allowed = proto.mapTypes ?? [BPF_MAP_TYPE.HASH, BPF_MAP_TYPE.ARRAY];
          if (!allowed.includes(map.type)) throw new Reject(pc, `cannot pass map_type ${map.type} into func ${proto.name}#${id}`);
          break;
        }
        case 'key': case 'value':
          expect(reg.type === 'stack' || reg.type === 'map_value', 'fp, map_value');
          this.memArg(pc, s, r, reg, kind === 'key' ? map!.keySize : map!.valueSize, true);
          break;
        case 'mem': case 'uninit_mem': {
          expect(reg.type === 'stack' || reg.type === 'map_value', 'fp, map_value');
          const sizeReg = this.read(pc, s, r + 1);
          if (sizeReg.type !== 'scalar') throw new Reject(pc, `R${r + 1} type=${typeName(sizeReg)} expected=scalar`);
          if (sizeReg.umin === 0n) throw new Reject(pc, `R${r + 1} invalid zero-sized read`);
          if (sizeReg.umax > BigInt(1 << 29)) throw new Reject(pc, `R${r + 1} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
          this.memArg(pc, s, r, reg, Number(sizeReg.umax), kind === 'mem');
          break;
        }
        case 'size': break; // checked with the pointer before it
        case 'anything':
          if (isPointer(reg.type) && !this.opts.privileged) throw new Reject(pc, `R${r} leaks addr into helper function`);
          break;
      }
    });
    for (let r = 1; r <= 5; r++) s.regs[r] = NOT_INIT;
    // A map value belongs to the map passed as the first argument.
    s.regs[0] = proto.ret === 'map_value_or_null' ? pointer('map_value_or_null', 0, mapId, this.nextId++) : UNKNOWN;
  }

  /** A helper will read (`initialized`) or fill `bytes` bytes at `reg`. */
  private memArg(pc: number, s: State, r: number, reg: Reg, bytes: number, initialized: boolean): void {
    if (reg.type === 'map_value') {
      const params = this.opts.maps.get(reg.map)!;
      if (reg.off < 0 || reg.offMax + bytes > params.valueSize) throw new Reject(pc, `invalid access to map value, value_size=${params.valueSize} off=${reg.offMax} size=${bytes}`);
      return;
    }
    const at = reg.off;
    if (at < -STACK_BYTES || at + bytes > 0) throw new Reject(pc, `invalid indirect access to stack R${r} off=${at} size=${bytes}`);
    const first = STACK_BYTES + at;
    for (let i = first; i < first + bytes; i++) {
      if (initialized && s.stack[i] === INVALID) throw new Reject(pc, `invalid indirect read from stack R${r} off ${at}+${i - first} size ${bytes}`);
      const spill = s.spills[i >> 3];
      if (initialized && spill !== undefined && isPointer(spill.type) && !this.opts.privileged) throw new Reject(pc, `leaking pointer from stack off ${(i & ~7) - STACK_BYTES}`);
    }
    if (!initialized) {
      own(s);
      for (let slot = first >> 3; slot <= (first + bytes - 1) >> 3; slot++) s.spills[slot] = undefined;
      s.stack.fill(MISC, first, first + bytes);
    }
  }

  private branch(pc: number, s: State, insn: Insn, is32: boolean): [number, State][] {
    const o = op(insn.code);
    const a = this.read(pc, s, insn.dst);
    const b: Reg = (insn.code & X) !== 0 ? this.read(pc, s, insn.src) : constant(BigInt(insn.imm));
    const target = pc + 1 + insn.off;
    // Null check of a map value: both edges are feasible, and each learns the answer.
    if (a.type === 'map_value_or_null' && isConst(b) && b.umin === 0n && (o === JEQ || o === JNE) && !is32) {
      const isNull = copy(s), notNull = s;
      markNull(isNull, a.id, true);
      markNull(notNull, a.id, false);
      return o === JEQ ? [[pc + 1, notNull], [target, isNull]] : [[pc + 1, isNull], [target, notNull]];
    }
    if (!is32 && (a.type === 'pkt' && b.type === 'pkt_end' || a.type === 'pkt_end' && b.type === 'pkt') && (insn.code & X) !== 0) return this.packetBranch(o, s, a, b, pc + 1, target);
    if (isPointer(a.type) || isPointer(b.type)) {
      if (!this.opts.privileged) throw new Reject(pc, `R${isPointer(a.type) ? insn.dst : insn.src} pointer comparison prohibited`);
      // A non-null pointer against 0 is decided; anything else about pointers is not.
      const nonNull = a.type !== 'map_value_or_null' && isPointer(a.type) && isConst(b) && b.umin === 0n;
      if (nonNull && (o === JEQ || o === JNE)) return o === JEQ ? [[pc + 1, s]] : [[target, s]];
      return [[pc + 1, s], [target, copy(s)]];
    }
    const taken = refine(o, a, b, is32, true);
    const fall = refine(o, a, b, is32, false);
    const out: [number, State][] = [];
    const apply = (st: State, r: [Reg, Reg]): State => {
      st.regs[insn.dst] = r[0];
      if ((insn.code & X) !== 0) st.regs[insn.src] = r[1];
      return st;
    };
    if (fall !== undefined && taken !== undefined) {
      const t = apply(copy(s), taken);
      out.push([pc + 1, apply(s, fall)], [target, t]);
    } else if (fall !== undefined) out.push([pc + 1, apply(s, fall)]);
    else if (taken !== undefined) out.push([target, apply(s, taken)]);
    else throw new Reject(pc, 'both branches infeasible (verifier bug)');
    return out;
  }

  /**
   * A packet pointer compared with pkt_end (Linux's find_good_pkt_pointers): on the edge
   * where `pkt <= pkt_end` (or `<`) holds, the bytes before the pointer's offset are
   * inside the packet. Both edges stay feasible.
   */
  private packetBranch(o: number, s: State, a: Reg, b: Reg, fall: number, target: number): [number, State][] {
    const pkt = a.type === 'pkt' ? a : b;
    // Which edge proves pkt <= pkt_end: for `pkt OP end`, and mirrored when pkt_end is the left operand.
    const pktLeft = a.type === 'pkt';
    let provenOnTaken: boolean | undefined;
    if (o === JGT || o === JGE) provenOnTaken = !pktLeft;
    else if (o === JLT || o === JLE) provenOnTaken = pktLeft;
    const taken = copy(s);
    if (provenOnTaken !== undefined) {
      const st = provenOnTaken ? taken : s;
      st.pktRange = Math.max(st.pktRange, pkt.off);
    }
    return [[fall, s], [target, taken]];
  }
}

function markNull(s: State, id: number, isNull: boolean): void {
  const fix = (r: Reg | undefined): Reg | undefined => (r !== undefined && r.type === 'map_value_or_null' && r.id === id ? (isNull ? constant(0n) : { ...r, type: 'map_value', id: 0 }) : r);
  s.regs = s.regs.map((r) => fix(r)!);
  own(s);
  s.spills = s.spills.map(fix);
}

function truncate32(r: Reg): Reg {
  if (r.type !== 'scalar') return r;
  if (r.umax <= U32_MAX) return r;
  if (isConst(r)) return constant(r.umin & U32_MAX);
  return scalar(0n, U32_MAX)!;
}

function bswapRange(r: Reg, bits: number): Reg {
  if (isConst(r)) {
    // le on a little-endian machine truncates; be swaps. The verifier only needs the value.
    return constant(r.umin & ((1n << BigInt(bits)) - 1n));
  }
  return bits === 64 ? UNKNOWN : scalar(0n, (1n << BigInt(bits)) - 1n)!;
}

/** The range of a scalar operation (the run-time semantics are interp.ts's). */
function scalarAlu(o: number, a: Reg, b: Reg, wide: boolean): Reg {
  const bits = wide ? 64n : 32n;
  const mask = (1n << bits) - 1n;
  const result = (r: Reg | undefined): Reg => {
    const v = r ?? (wide ? UNKNOWN : scalar(0n, U32_MAX)!);
    return wide ? v : truncate32(v);
  };
  const av = wide ? a : truncate32(a), bv = wide ? b : truncate32(b);
  if (isConst(av) && isConst(bv) || o === NEG && isConst(av)) return constant(evalAlu(o, av.umin, bv.umin, wide));
  switch (o) {
    case ADD: if (av.umax + bv.umax <= mask) return result(scalar(av.umin + bv.umin, av.umax + bv.umax)); return result(undefined);
    case SUB: if (av.umin >= bv.umax) return result(scalar(av.umin - bv.umax, av.umax - bv.umin)); return result(undefined);
    case MUL: if (av.umax * bv.umax <= mask) return result(scalar(av.umin * bv.umin, av.umax * bv.umax)); return result(undefined);
    case DIV: if (isConst(bv) && bv.umin > 0n) return result(scalar(av.umin / bv.umin, av.umax / bv.umin)); return result(scalar(0n, av.umax));
    case MOD: if (isConst(bv) && bv.umin > 0n) return result(scalar(0n, bv.umin - 1n < av.umax ? bv.umin - 1n : av.umax)); return result(scalar(0n, av.umax > bv.umax ? av.umax : bv.umax));
    case AND: { const hi = av.umax < bv.umax ? av.umax : bv.umax; return result(scalar(0n, hi)); }
    case OR: case XOR: { const hi = av.umax > bv.umax ? av.umax : bv.umax; let p = 1n; while (p <= hi) p <<= 1n; return result(scalar(o === OR ? (av.umin > bv.umin ? av.umin : bv.umin) : 0n, p - 1n)); }
    case LSH: if (isConst(bv) && bv.umin < bits && (av.umax << bv.umin) <= mask) return result(scalar(av.umin << bv.umin, av.umax << bv.umin)); return result(undefined);
    case RSH: if (isConst(bv) && bv.umin < bits) return result(scalar(av.umin >> bv.umin, av.umax >> bv.umin)); return result(scalar(0n, av.umax));
    case ARSH: if (isConst(bv) && bv.umin < bits && wide) return result(scalar(0n, U64_MAX, a.smin >> bv.umin, a.smax >> bv.umin)); return result(undefined);
    default: return result(undefined);
  }
}

/** The run-time value of a scalar ALU operation (Linux semantics: division by 0 gives 0, modulo by 0 keeps dst). */
export function evalAlu(o: number, a: bigint, b: bigint, wide: boolean): bigint {
  const bits = wide ? 64 : 32;
  const m = (v: bigint): bigint => BigInt.asUintN(bits, v);
  a = m(a); b = m(b);
  switch (o) {
    case ADD: return m(a + b);
    case SUB: return m(a - b);
    case MUL: return m(a * b);
    case DIV: return b === 0n ? 0n : a / b;
    case MOD: return b === 0n ? a : a % b;
    case OR: return a | b;
    case AND: return a & b;
    case XOR: return a ^ b;
    case LSH: return m(a << (b & BigInt(bits - 1)));
    case RSH: return a >> (b & BigInt(bits - 1));
    case ARSH: return m(BigInt.asIntN(bits, a) >> (b & BigInt(bits - 1)));
    case NEG: return m(-a);
    case MOV: return b;
    default: throw new Error(`evalAlu: op ${o}`);
  }
}

/** Ranges of (a, b) on one edge of a conditional jump, or undefined if that edge cannot happen. */
function refine(o: number, a: Reg, b: Reg, is32: boolean, taken: boolean): [Reg, Reg] | undefined {
  if (is32) {
    const fits = a.umax <= 0x7fffffffn && b.umax <= 0x7fffffffn;
    if (fits) return refine(o, a, b, false, taken);
    if (isConst(a) && isConst(b)) return evalJmp(o, a.umin, b.umin, true) === taken ? [a, b] : undefined;
    return [a, b];
  }
  if (o === JSET) {
    if (isConst(a) && isConst(b)) return ((a.umin & b.umin) !== 0n) === taken ? [a, b] : undefined;
    if (a.umax === 0n || b.umax === 0n) return taken ? undefined : [a, b];
    return [a, b];
  }
  let eq = o === JEQ, ne = o === JNE;
  if (!taken) { [eq, ne] = [ne, eq]; }
  if (eq) {
    const umin = a.umin > b.umin ? a.umin : b.umin, umax = a.umax < b.umax ? a.umax : b.umax;
    const smin = a.smin > b.smin ? a.smin : b.smin, smax = a.smax < b.smax ? a.smax : b.smax;
    const both = scalar(umin, umax, smin, smax);
    return both === undefined ? undefined : [both, both];
  }
  if (ne) {
    if (isConst(a) && isConst(b) && a.umin === b.umin) return undefined;
    // Excluding a constant at an end of the other's range narrows it.
    const trim = (x: Reg, k: Reg): Reg | undefined => (!isConst(k) ? x : x.umin === k.umin ? scalar(x.umin + 1n, x.umax, x.smin, x.smax) : x.umax === k.umin ? scalar(x.umin, x.umax - 1n, x.smin, x.smax) : x);
    const na = trim(a, b), nb = trim(b, a);
    return na === undefined || nb === undefined ? undefined : [na, nb];
  }
  // Orders: express as x < y or x <= y, signed or not.
  const signedOp = o === JSGT || o === JSGE || o === JSLT || o === JSLE;
  let lt: [Reg, Reg, boolean, boolean]; // [x, y, strict, swapped]
  switch (o) {
    case JGT: case JSGT: lt = [b, a, true, true]; break;
    case JGE: case JSGE: lt = [b, a, false, true]; break;
    case JLT: case JSLT: lt = [a, b, true, false]; break;
    case JLE: case JSLE: lt = [a, b, false, false]; break;
    default: return [a, b];
  }
  let [x, y, strict, swapped] = lt;
  if (!taken) { [x, y] = [y, x]; strict = !strict; swapped = !swapped; }
  const d = strict ? 1n : 0n;
  let nx: Reg | undefined, ny: Reg | undefined;
  if (signedOp) {
    nx = scalar(x.umin, x.umax, x.smin, x.smax < y.smax - d ? x.smax : y.smax - d);
    ny = scalar(y.umin, y.umax, y.smin > x.smin + d ? y.smin : x.smin + d, y.smax);
  } else {
    if (y.umax - d < 0n || x.umin + d > U64_MAX) return undefined;
    nx = scalar(x.umin, x.umax < y.umax - d ? x.umax : y.umax - d, x.smin, x.smax);
    ny = scalar(y.umin > x.umin + d ? y.umin : x.umin + d, y.umax, y.smin, y.smax);
  }
  if (nx === undefined || ny === undefined) return undefined;
  return swapped ? [ny, nx] : [nx, ny];
}

/** Whether a conditional jump is taken (run-time semantics, shared with the interpreter). */
export function evalJmp(o: number, a: bigint, b: bigint, is32: boolean): boolean {
  const bits = is32 ? 32 : 64;
  const ua = BigInt.asUintN(bits, a), ub = BigInt.asUintN(bits, b);
  const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  switch (o) {
    case JEQ: return ua === ub;
    case JNE: return ua !== ub;
    case JGT: return ua > ub;
    case JGE: return ua >= ub;
    case JLT: return ua < ub;
    case JLE: return ua <= ub;
    case JSGT: return sa > sb;
    case JSGE: return sa >= sb;
    case JSLT: return sa < sb;
    case JSLE: return sa <= sb;
    case JSET: return (ua & ub) !== 0n;
    default: throw new Error(`evalJmp: op ${o}`);
  }
}

/** Whether every concrete state `cur` describes is described by `old` (so old's success covers cur). */
function subsumes(old: State, cur: State): boolean {
  if (old.pktRange > cur.pktRange) return false;
  // Cheap test first: scalar registers out of range (a loop counter) fail most checks.
  for (let r = 0; r < 11; r++) {
    const o = old.regs[r]!, c = cur.regs[r]!;
    if (o.type === 'scalar' && (c.type !== 'scalar' || o.umin > c.umin || o.umax < c.umax)) return false;
  }
  let ids: Map<number, number> | undefined;
  const reg = (o: Reg | undefined, c: Reg | undefined): boolean => {
    if (o === undefined || o.type === 'not_init') return true;
    if (c === undefined || o.type !== c.type) return false;
    if (o.type === 'scalar') return o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax;
    if (o.map !== c.map || o.off > c.off || o.offMax < c.offMax) return false;
    if (o.type === 'map_value_or_null') {
      ids ??= new Map<number, number>();
      const seen = ids.get(o.id);
      if (seen !== undefined && seen !== c.id) return false;
      ids.set(o.id, c.id);
    }
    return true;
  };
  for (let r = 0; r < 11; r++) if (!reg(old.regs[r], cur.regs[r])) return false;
  for (let i = 0; i < STACK_BYTES; i++) {
    if (old.stack[i] === INVALID) continue;
    if (cur.stack[i] === INVALID) return false;
    if (old.stack[i] === SPILL && cur.stack[i] !== SPILL) return false;
  }
  for (let slot = 0; slot < old.spills.length; slot++) {
    const o = old.spills[slot];
    if (o !== undefined && old.stack[slot * 8] === SPILL && !reg(o, cur.spills[slot])) return false;
  }
  return true;
}

/** Exposed for tests of the range logic. */
export const internals = { scalar, refine, scalarAlu, constant };

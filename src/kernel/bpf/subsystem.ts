// The eBPF subsystem: the kernel's table of maps and programs (by id), loading
// (object files through object.ts, raw instructions through loadProgram), the hooks
// programs attach to, and running them. The syscall side is kernel/syscall/bpf.ts;
// the hooks are called from the syscall dispatcher (kernel.ts), the component call
// tracer (kernel/trace.ts), the kernel call the NIC driver makes for XDP (runXdp) and
// the kernel's choice of the next trapped process (kernel/proc/sched.ts), each behind
// one test of `hooks.<name>.length`.
//
// Who may do what (Linux with unprivileged_bpf_disabled = 0 as the model): tracing
// programs need root; anyone may create maps and load socket-filter programs (verified
// as unprivileged: no loops, no pointer leaks, 4,096 instructions) and test-run them;
// a non-root user reaches only the maps and programs it created.

import { BPF_PROG_TYPE, BPF_TRACEPOINTS, SCHED_HOOK, XDP_ACTION, XDP_HOOK, XDP_IFINDEX, progTypeName, type BpfListing, type BpfTracepoint } from '../../abi/bpf.js';
import { DW, LD_IMM64, LDX, MEM, PSEUDO_MAP_FD, W, type Insn } from '../../abi/bpf-insn.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { ElfError } from './elf.js';
import type { RunEnv } from './helpers.js';
import { interpret } from './interp.js';
import { jit, type JitProgram } from './jit.js';
import { createMap, mapBytes, type BpfMap, type MapParams } from './maps.js';
import { PKT_REGION, Regions, pointerTo } from './memory.js';
import { parseObject } from './object.js';
import { verify, verifyPreemptible, type VerifyResult } from './verifier.js';

export interface BpfProgram {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  /** The tracepoint it was verified for ('' for socket filters). */
  readonly hook: string;
  readonly insns: readonly Insn[];
  /** What runs: `insns` with XDP's context loads rewritten to the real pointers (Linux's xlated program). */
  readonly xlated: readonly Insn[];
  readonly uid: number;
  readonly maps: readonly number[];
  readonly verified: VerifyResult;
  readonly compiled: JitProgram;
  attached: boolean;
  runs: number;
}

/** Who is running when a hook fires. */
export interface BpfCaller { pid: number; uid: number; gid: number; comm: string }

export interface BpfLimits {
  /** Bytes all maps may take together. */
  readonly mapBytes: number;
  /** Programs loaded at once. */
  readonly programs: number;
  /** Run programs with the JIT (1) or the interpreter (0). */
  readonly jit: number;
}

export class BpfSubsystem {
  readonly regions = new Regions();
  readonly maps = new Map<number, BpfMap>();
  readonly programs = new Map<number, BpfProgram>();
  /** Attached programs per hook. A hook with none costs its caller one length test. */
  readonly hooks: { readonly [K in BpfHook]: BpfProgram[] } = { 'raw_syscalls/sys_enter': [], 'raw_syscalls/sys_exit': [], 'kernelkit/component_call': [], [XDP_HOOK]: [], [SCHED_HOOK]: [] };
  /** Programs attached to any hook: the syscall dispatcher's one test. */
  attached = 0;
  /**
   * Told when the syscall tracepoints gain their first program or lose their last: every
   * syscall must then reach the kernel's dispatcher (the kernel turns the direct path
   * off, as Linux moves a traced task's syscalls to its slow path).
   */
  onSyscallHooks: ((hooked: boolean) => void) | undefined;
  /** Told when eth0 gains or loses its XDP program (the kernel tells the NIC driver). */
  onXdp: ((attached: boolean) => void) | undefined;
  /** What XDP did to the frames it saw, by action (bpftool net). */
  readonly xdpStats = { aborted: 0, drop: 0, pass: 0, tx: 0 };
  private nextMapId = 1;
  private nextProgramId = 1;
  private bytes = 0;
  private readonly env: RunEnv;

  /**
   * `pause` lets the kernel's loop run while a long verification goes on (see
   * verifyPreemptible); without it verification runs to the end at once.
   */
  constructor(private readonly limits: BpfLimits, nowNs: () => bigint, private readonly log: (line: string) => void, private readonly pause?: () => Promise<void>) {
    this.env = { regions: this.regions, maps: this.maps, pid: 0, uid: 0, gid: 0, comm: '', nowNs, printk: (line) => log(`bpf_trace_printk: ${line}`) };
  }

  createMap(name: string, params: MapParams, uid: number): BpfMap {
    const cost = mapBytes(params);
    if (this.bytes + cost > this.limits.mapBytes) throw new KernelError(Errno.ENOMEM, `map ${name}: ${cost} bytes would pass the ${this.limits.mapBytes}-byte budget for maps`);
    const map = createMap(this.nextMapId, name.slice(0, 15), params, uid, this.regions);
    this.nextMapId++;
    this.bytes += cost;
    this.maps.set(map.id, map);
    return map;
  }

  freeMap(map: BpfMap): void {
    if (map.users > 0) throw new KernelError(Errno.EBUSY, `map ${map.id} is used by ${map.users} program(s)`);
    map.destroy();
    this.regions.settle();
    this.bytes -= mapBytes(map.params);
    this.maps.delete(map.id);
  }

  /** Verifies and loads a program whose ld_imm64 already carry map ids. Throws KernelError(EACCES) with the verifier log on rejection. */
  async loadProgram(spec: { name: string; type: number; hook: string; insns: readonly Insn[]; license: string }, uid: number, privileged: boolean): Promise<BpfProgram> {
    if (spec.type === BPF_PROG_TYPE.TRACEPOINT) {
      if (!privileged) throw new KernelError(Errno.EPERM, 'loading a tracing program needs root');
      if (!(spec.hook in BPF_TRACEPOINTS)) throw new KernelError(Errno.EINVAL, `no tracepoint ${spec.hook}`);
    } else if (spec.type === BPF_PROG_TYPE.XDP || spec.type === BPF_PROG_TYPE.STRUCT_OPS) {
      const [what, hook] = spec.type === BPF_PROG_TYPE.XDP ? ['an XDP program', XDP_HOOK] : ['a scheduler', SCHED_HOOK];
      if (!privileged) throw new KernelError(Errno.EPERM, `loading ${what} needs root`);
      if (spec.hook !== hook) throw new KernelError(Errno.EINVAL, `${progTypeName(spec.type)} programs attach to ${hook}, not '${spec.hook}'`);
    } else if (spec.type === BPF_PROG_TYPE.SOCKET_FILTER) {
      if (spec.hook !== '') throw new KernelError(Errno.EINVAL, 'socket filters attach to no tracepoint');
    } else throw new KernelError(Errno.EINVAL, `unsupported program type ${spec.type}`);
    if (this.programs.size >= this.limits.programs) throw new KernelError(Errno.ENOSPC, `${this.limits.programs} programs are loaded already`);
    const used = new Set<number>();
    const params = new Map<number, MapParams>();
    for (const insn of spec.insns) {
      if (insn.code !== LD_IMM64 || insn.src !== PSEUDO_MAP_FD) continue;
      const map = this.maps.get(insn.imm);
      if (map === undefined) throw new KernelError(Errno.EBADF, `program ${spec.name}: map ${insn.imm} does not exist`);
      if (map.uid !== uid && !privileged) throw new KernelError(Errno.EACCES, `program ${spec.name}: map ${insn.imm} is not yours`);
      used.add(map.id);
      params.set(map.id, map.params);
    }
    const options = { type: spec.type, hook: spec.hook, privileged, maps: params, gpl: /^(GPL|GPL v2|GPL and additional rights|Dual BSD\/GPL|Dual MIT\/GPL|Dual MPL\/GPL)$/.test(spec.license) };
    // The maps stay while the verifier pauses (an await: other syscalls run meanwhile).
    for (const id of used) this.maps.get(id)!.users++;
    let verified: VerifyResult;
    try {
      verified = this.pause === undefined ? verify(spec.insns, options) : await verifyPreemptible(spec.insns, options, this.pause);
    } finally {
      for (const id of used) this.maps.get(id)!.users--;
    }
    if (!verified.ok) throw new VerifierError(spec.name, verified);
    if (this.programs.size >= this.limits.programs) throw new KernelError(Errno.ENOSPC, `${this.limits.programs} programs are loaded already`);
    const xlated = convertCtxAccess(spec.insns, verified.ctxLoads);
    const program: BpfProgram = {
      id: this.nextProgramId++, name: spec.name.slice(0, 15), type: spec.type, hook: spec.hook, insns: spec.insns, xlated, uid, maps: [...used],
      verified, compiled: jit(xlated), attached: false, runs: 0,
    };
    for (const id of used) this.maps.get(id)!.users++;
    this.programs.set(program.id, program);
    return program;
  }

  /** Loads an object file: creates its maps, relocates, verifies and loads every program, attaches the tracepoint ones. All or nothing. */
  async loadObject(bytes: Uint8Array, uid: number, privileged: boolean): Promise<{ programs: BpfProgram[]; maps: BpfMap[] }> {
    let spec;
    try {
      spec = parseObject(bytes);
    } catch (e) {
      if (e instanceof ElfError) throw new KernelError(Errno.EINVAL, `bad eBPF object: ${e.message}`);
      throw e;
    }
    const maps: BpfMap[] = [];
    const programs: BpfProgram[] = [];
    try {
      const byName = new Map<string, BpfMap>();
      for (const m of spec.maps) {
        const map = this.createMap(m.name, { type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags }, uid);
        map.owned = true;
        // Held until the load ends, so nothing frees it while a program is verified.
        map.users++;
        maps.push(map);
        byName.set(m.name, map);
      }
      for (const p of spec.programs) {
        const insns = p.insns.map((insn, i) => {
          const target = p.mapRefs.get(i);
          return target === undefined ? insn : { ...insn, src: PSEUDO_MAP_FD, imm: byName.get(target)!.id };
        });
        programs.push(await this.loadProgram({ name: p.name, type: p.type, hook: p.hook, insns, license: spec.license }, uid, privileged));
      }
    } catch (e) {
      for (const m of maps) m.users--;
      for (const p of programs) this.unload(p);
      for (const m of maps) if (this.maps.has(m.id)) this.freeMap(m);
      throw e;
    }
    for (const m of maps) m.users--;
    try {
      for (const p of programs) if (p.hook !== '') this.attach(p, p.hook);
    } catch (e) {
      // A hook that takes one program is taken: nothing of the object stays.
      for (const p of programs) this.unload(p);
      for (const m of maps) if (this.maps.has(m.id)) this.freeMap(m);
      throw e;
    }
    return { programs, maps };
  }

  attach(program: BpfProgram, hook: string): void {
    if (program.type === BPF_PROG_TYPE.SOCKET_FILTER) throw new KernelError(Errno.EINVAL, `${progTypeName(program.type)} programs do not attach to tracepoints`);
    if (hook !== program.hook) throw new KernelError(Errno.EINVAL, `program ${program.id} was verified for ${program.hook}, not ${hook}`);
    if (program.attached) throw new KernelError(Errno.EBUSY, `program ${program.id} is attached already`);
    const list = this.hooks[hook as BpfHook];
    // One XDP program per device and one scheduler at a time, as in Linux.
    if ((hook === XDP_HOOK || hook === SCHED_HOOK) && list.length > 0) throw new KernelError(Errno.EBUSY, `${hook} has program ${list[0]!.id} attached already`);
    const before = this.syscallHooked();
    list.push(program);
    program.attached = true;
    this.attached++;
    if (this.syscallHooked() !== before) this.onSyscallHooks?.(true);
    if (hook === XDP_HOOK) this.onXdp?.(true);
  }

  /** Programs are attached to raw_syscalls/sys_enter or sys_exit, or schedule: every syscall must reach the dispatcher. */
  syscallHooked(): boolean {
    return this.hooks['raw_syscalls/sys_enter'].length + this.hooks['raw_syscalls/sys_exit'].length + this.hooks[SCHED_HOOK].length > 0;
  }

  detach(program: BpfProgram): void {
    if (!program.attached) throw new KernelError(Errno.ENOENT, `program ${program.id} is not attached`);
    const list = this.hooks[program.hook as BpfHook];
    const before = this.syscallHooked();
    list.splice(list.indexOf(program), 1);
    program.attached = false;
    this.attached--;
    if (this.syscallHooked() !== before) this.onSyscallHooks?.(false);
    if (program.hook === XDP_HOOK) this.onXdp?.(false);
  }

  /** Detaches and frees a program, and the maps its object created once no program uses them. */
  unload(program: BpfProgram): void {
    if (program.attached) this.detach(program);
    this.programs.delete(program.id);
    for (const id of program.maps) this.maps.get(id)!.users--;
    // Maps an object made belong to its programs together: freed when none is left.
    for (const id of program.maps) {
      const map = this.maps.get(id)!;
      if (map.owned && map.users === 0) this.freeMap(map);
    }
  }

  /** Runs one program on a context; a run that faults detaches the program (the kernel goes on). */
  run(program: BpfProgram, ctx: Uint8Array, caller: BpfCaller | undefined): bigint {
    const env = this.env;
    env.pid = caller?.pid ?? 0; env.uid = caller?.uid ?? 0; env.gid = caller?.gid ?? 0; env.comm = caller?.comm ?? '';
    program.runs++;
    try {
      return this.limits.jit !== 0 ? program.compiled(env, ctx) : interpret(program.xlated, env, ctx);
    } catch (e) {
      this.log(`bpf: program ${program.id} (${program.name}) faulted and was detached: ${e instanceof Error ? e.message : String(e)}`);
      if (program.attached) this.detach(program);
      return 0n;
    } finally {
      this.regions.setPacket(undefined);
      this.regions.settle();
    }
  }

  /**
   * Runs eth0's XDP program on one received frame (the caller tests `hooks['xdp/eth0']`
   * first). The program may rewrite the frame in place. A program that faults is
   * detached and the frame counts as XDP_ABORTED (dropped), as an unknown action does.
   */
  runXdp(frame: Uint8Array): number {
    const program = this.hooks[XDP_HOOK][0];
    if (program === undefined) return XDP_ACTION.PASS;
    // The context the program runs on: Linux's xdp_md with its u32 fields widened to the
    // real pointers (the loads were rewritten: convertCtxAccess), then the ifindex words.
    const ctx = new Uint8Array(XDP_RUN_CTX_BYTES);
    const view = new DataView(ctx.buffer);
    view.setBigUint64(0, pointerTo(PKT_REGION, 0), true);
    view.setBigUint64(8, pointerTo(PKT_REGION, frame.byteLength), true);
    view.setBigUint64(16, pointerTo(PKT_REGION, 0), true);
    view.setUint32(24, XDP_IFINDEX, true);
    this.regions.setPacket(frame);
    const r0 = Number(BigInt.asUintN(32, this.run(program, ctx, undefined)));
    const action = r0 === XDP_ACTION.DROP || r0 === XDP_ACTION.PASS || r0 === XDP_ACTION.TX ? r0 : XDP_ACTION.ABORTED;
    if (action === XDP_ACTION.ABORTED) this.xdpStats.aborted++;
    else if (action === XDP_ACTION.DROP) this.xdpStats.drop++;
    else if (action === XDP_ACTION.PASS) this.xdpStats.pass++;
    else this.xdpStats.tx++;
    return action;
  }

  /** Runs every program attached to `hook` (caller must have tested the list is non-empty: that is the cheap path). */
  fire(hook: BpfHook, ctx: Uint8Array, caller: BpfCaller | undefined): void {
    for (const p of [...this.hooks[hook]]) this.run(p, ctx, caller);
  }

  list(uid: number, privileged: boolean): BpfListing {
    const mine = (owner: number): boolean => privileged || owner === uid;
    return {
      programs: [...this.programs.values()].filter((p) => mine(p.uid)).map((p) => ({ id: p.id, name: p.name, type: progTypeName(p.type), hook: p.attached ? p.hook : '', insns: p.insns.length, runs: p.runs, uid: p.uid, maps: [...p.maps] })),
      maps: [...this.maps.values()].filter((m) => mine(m.uid)).map((m) => ({ id: m.id, name: m.name, type: m.typeName, keySize: m.params.keySize, valueSize: m.params.valueSize, maxEntries: m.params.maxEntries, entries: m.entries, uid: m.uid })),
    };
  }
}

/** Every hook: the tracepoints, eth0's XDP hook and the scheduler's pick_next. */
export type BpfHook = BpfTracepoint | typeof XDP_HOOK | typeof SCHED_HOOK;

/** The context an XDP program runs on: u64 data, data_end, data_meta, then u32 ingress_ifindex, rx_queue_index, egress_ifindex. */
const XDP_RUN_CTX_BYTES = 40;
/** Where each u32 field of struct xdp_md lives in the run context, and how wide it is there. */
const XDP_FIELDS: ReadonlyMap<number, [number, number]> = new Map([[0, [0, DW]], [4, [8, DW]], [8, [16, DW]], [12, [24, W]], [16, [28, W]], [20, [32, W]]]);

/**
 * The program that runs (Linux's convert_ctx_access): each verified context load of an
 * XDP program reads the field's real value, a 64-bit pointer for data, data_end and
 * data_meta. Other program types run as loaded.
 */
function convertCtxAccess(insns: readonly Insn[], loads: ReadonlyMap<number, number> | undefined): readonly Insn[] {
  if (loads === undefined || loads.size === 0) return insns;
  return insns.map((insn, pc) => {
    const field = loads.get(pc);
    if (field === undefined) return insn;
    const [off, size] = XDP_FIELDS.get(field)!;
    return { ...insn, code: LDX | MEM | size, off };
  });
}

/** A program the verifier refused; the message is its log. */
export class VerifierError extends KernelError {
  constructor(name: string, readonly result: VerifyResult) {
    super(Errno.EACCES, `program ${name} rejected by the verifier:\n${result.log}`);
  }
}

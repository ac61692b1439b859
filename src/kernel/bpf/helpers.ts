// The helpers an eBPF program may call: their prototypes (what the verifier checks
// each argument against, and what it knows of the result), which program types may
// call each (the allow-list), and what each does at run time (the interpreter and the
// JIT call the same functions). Linux's ids and argument rules; include/uapi/linux/bpf.h
// is the model.

import { BPF_FUNC, BPF_MAP_TYPE, BPF_PROG_TYPE } from '../../abi/bpf.js';
import { Errno, isKernelError } from '../../abi/errno.js';
import type { BpfMap, RingbufMap } from './maps.js';
import { pointerTo, type Regions } from './memory.js';

/**
 * Argument kinds. `map`: a map pointer (ld_imm64). `key`/`value`: pointer to
 * initialized memory of the map's key/value size. `mem` + `size`: pointer to
 * initialized memory and its constant-bounded, non-zero size in the next argument;
 * `uninit_mem` + `size`: memory the helper fills. `anything`: any initialized value.
 */
export type ArgKind = 'map' | 'key' | 'value' | 'mem' | 'uninit_mem' | 'size' | 'anything';
export type RetKind = 'integer' | 'map_value_or_null';

export interface HelperProto {
  readonly id: number;
  readonly name: string;
  readonly args: readonly ArgKind[];
  readonly ret: RetKind;
  /** Program types allowed to call it. */
  readonly types: readonly number[];
  /** Map types allowed as its `map` argument (undefined: any but a ring buffer). */
  readonly mapTypes?: readonly number[];
  /** Only GPL-compatible programs may call it (Linux's gpl_only). */
  readonly gplOnly?: boolean;
}

const ALL = [BPF_PROG_TYPE.SOCKET_FILTER, BPF_PROG_TYPE.TRACEPOINT, BPF_PROG_TYPE.XDP, BPF_PROG_TYPE.STRUCT_OPS];
const TRACING = [BPF_PROG_TYPE.TRACEPOINT];
/** Programs that print to the kernel log (root's programs; no current process needed). */
const PRINTING = [BPF_PROG_TYPE.TRACEPOINT, BPF_PROG_TYPE.XDP, BPF_PROG_TYPE.STRUCT_OPS];
const DATA_MAPS = [BPF_MAP_TYPE.HASH, BPF_MAP_TYPE.ARRAY];

export const HELPERS: ReadonlyMap<number, HelperProto> = new Map([
  { id: BPF_FUNC.map_lookup_elem, name: 'bpf_map_lookup_elem', args: ['map', 'key'], ret: 'map_value_or_null', types: ALL, mapTypes: DATA_MAPS },
  { id: BPF_FUNC.map_update_elem, name: 'bpf_map_update_elem', args: ['map', 'key', 'value', 'anything'], ret: 'integer', types: ALL, mapTypes: DATA_MAPS },
  { id: BPF_FUNC.map_delete_elem, name: 'bpf_map_delete_elem', args: ['map', 'key'], ret: 'integer', types: ALL, mapTypes: DATA_MAPS },
  { id: BPF_FUNC.ktime_get_ns, name: 'bpf_ktime_get_ns', args: [], ret: 'integer', types: ALL },
  { id: BPF_FUNC.trace_printk, name: 'bpf_trace_printk', args: ['mem', 'size'], ret: 'integer', types: PRINTING, gplOnly: true },
  { id: BPF_FUNC.get_current_pid_tgid, name: 'bpf_get_current_pid_tgid', args: [], ret: 'integer', types: TRACING },
  { id: BPF_FUNC.get_current_uid_gid, name: 'bpf_get_current_uid_gid', args: [], ret: 'integer', types: TRACING },
  { id: BPF_FUNC.get_current_comm, name: 'bpf_get_current_comm', args: ['uninit_mem', 'size'], ret: 'integer', types: TRACING },
  { id: BPF_FUNC.ringbuf_output, name: 'bpf_ringbuf_output', args: ['map', 'mem', 'size', 'anything'], ret: 'integer', types: ALL, mapTypes: [BPF_MAP_TYPE.RINGBUF] },
].map((h) => [h.id, h as HelperProto]));

/** What helpers see of the world while a program runs. */
export interface RunEnv {
  readonly regions: Regions;
  readonly maps: ReadonlyMap<number, BpfMap>;
  /** The current process (pid = tgid: a kernelkit process has one thread), or 0 outside any. */
  pid: number;
  uid: number;
  gid: number;
  comm: string;
  nowNs(): bigint;
  printk(line: string): void;
}

/** A helper at run time: registers r1..r5 in, r0 out. */
export type HelperFn = (env: RunEnv, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

const u64 = (n: number): bigint => BigInt.asUintN(64, BigInt(n));
const errno = (e: unknown): bigint => u64(isKernelError(e) ? -e.errno : -Errno.EINVAL);

function map(env: RunEnv, r: bigint): BpfMap {
  const m = env.maps.get(Number(r));
  // The verifier proved r is a map pointer; a miss is a kernel bug, not a program's.
  if (m === undefined) throw new Error(`bpf: helper got map ${r}, which is not loaded`);
  return m;
}

function bytes(env: RunEnv, pointer: bigint, length: number): Uint8Array {
  const b = env.regions.slice(pointer, length);
  if (b === undefined) throw new Error(`bpf: helper memory argument ${pointer.toString(16)}+${length} is outside its region`);
  return b;
}

const decoder = new TextDecoder();

/** printk formats as Linux's trace_printk: %d %i %u %x %ld %lu %lld %llu %llx %s is not supported, %% literal. */
function format(fmt: string, args: bigint[]): string {
  let next = 0;
  return fmt.replace(/%(l{0,2})([diuxp%])/g, (all, _l: string, conv: string) => {
    if (conv === '%') return '%';
    const v = args[next++] ?? 0n;
    if (conv === 'd' || conv === 'i') return (_l === '' ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v)).toString();
    if (conv === 'u') return (_l === '' ? BigInt.asUintN(32, v) : v).toString();
    return (_l === '' && conv === 'x' ? BigInt.asUintN(32, v) : v).toString(16);
  });
}

export const HELPER_FNS: ReadonlyMap<number, HelperFn> = new Map<number, HelperFn>([
  [BPF_FUNC.map_lookup_elem, (env, r1, r2) => {
    const m = map(env, r1);
    const e = m.lookup(bytes(env, r2, m.params.keySize));
    return e === undefined ? 0n : pointerTo(e.region, 0);
  }],
  [BPF_FUNC.map_update_elem, (env, r1, r2, r3, r4) => {
    const m = map(env, r1);
    try { m.update(bytes(env, r2, m.params.keySize), bytes(env, r3, m.params.valueSize), Number(r4 & 3n)); return 0n; } catch (e) { return errno(e); }
  }],
  [BPF_FUNC.map_delete_elem, (env, r1, r2) => {
    const m = map(env, r1);
    try { m.delete(bytes(env, r2, m.params.keySize)); return 0n; } catch (e) { return errno(e); }
  }],
  [BPF_FUNC.ktime_get_ns, (env) => env.nowNs()],
  [BPF_FUNC.trace_printk, (env, r1, r2, r3, r4, r5) => {
    const raw = bytes(env, r1, Number(r2));
    const end = raw.indexOf(0);
    const line = format(decoder.decode(end < 0 ? raw : raw.subarray(0, end)), [r3, r4, r5]);
    env.printk(line.replace(/\n$/, ''));
    return u64(line.length);
  }],
  [BPF_FUNC.get_current_pid_tgid, (env) => (BigInt(env.pid) << 32n) | BigInt(env.pid)],
  [BPF_FUNC.get_current_uid_gid, (env) => (BigInt(env.gid) << 32n) | BigInt(env.uid)],
  [BPF_FUNC.get_current_comm, (env, r1, r2) => {
    const out = bytes(env, r1, Number(r2));
    out.fill(0);
    const name = new TextEncoder().encode(env.comm).subarray(0, Math.max(0, out.byteLength - 1));
    out.set(name);
    return 0n;
  }],
  [BPF_FUNC.ringbuf_output, (env, r1, r2, r3) => {
    const ok = (map(env, r1) as RingbufMap).output(bytes(env, r2, Number(r3)));
    return ok ? 0n : u64(-Errno.EAGAIN);
  }],
]);

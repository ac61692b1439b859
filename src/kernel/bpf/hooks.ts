// The tracepoints eBPF programs attach to, and the contexts they see. The syscall
// ones have Linux's layouts (include/trace/events/syscalls.h via raw_syscalls), so a
// program written for Linux reads them unchanged:
//   sys_enter: u16 common_type, u8 flags, u8 preempt_count, i32 common_pid; i64 id; u64 args[6]
//   sys_exit:  the same header; i64 id; i64 ret
// The component-call event is kernelkit's own (layout in abi/bpf.ts). Callers test
// `hooks[name].length` first, so a hook with nothing attached costs one field test.
// Also here: the kernel call `xdp` the NIC driver makes for eth0's XDP hook (the
// program runs in subsystem.ts runXdp); the scheduler hook is kernel/proc/sched.ts.

import type { BpfSubsystem, BpfCaller } from './subsystem.js';
import { emitEvent, type TraceSink } from '../trace.js';
import type { Process } from '../proc/process.js';
import { Errno } from '../../abi/errno.js';
import { XDP_ACTION, XDP_HOOK } from '../../abi/bpf.js';

/** Linux's common_type numbers are per-boot; these are kernelkit's, fixed. */
const TYPE_SYS_ENTER = 1, TYPE_SYS_EXIT = 2, TYPE_COMPONENT_CALL = 3;

const u64 = (v: number): bigint => (Number.isInteger(v) ? BigInt.asUintN(64, BigInt(v)) : 0n);

function header(view: DataView, type: number, pid: number): void {
  view.setUint16(0, type, true);
  view.setInt32(4, pid, true);
}

export function syscallEnter(bpf: BpfSubsystem, caller: BpfCaller, nr: number, args: readonly number[]): void {
  const ctx = new Uint8Array(64);
  const view = new DataView(ctx.buffer);
  header(view, TYPE_SYS_ENTER, caller.pid);
  view.setBigInt64(8, BigInt(nr), true);
  for (let i = 0; i < 6; i++) view.setBigUint64(16 + i * 8, u64(args[i] ?? 0), true);
  bpf.fire('raw_syscalls/sys_enter', ctx, caller);
}

export function syscallExit(bpf: BpfSubsystem, caller: BpfCaller, nr: number, ret: number): void {
  const ctx = new Uint8Array(24);
  const view = new DataView(ctx.buffer);
  header(view, TYPE_SYS_EXIT, caller.pid);
  view.setBigInt64(8, BigInt(nr), true);
  view.setBigUint64(16, u64(ret), true);
  bpf.fire('raw_syscalls/sys_exit', ctx, caller);
}

const encoder = new TextEncoder();

/**
 * The kernel call `xdp` (the NIC driver's, for a batch of received frames): each frame
 * through eth0's program, sorted by its verdict. With no program attached (the driver
 * saw the device's XDP word set just before a detach) every frame passes.
 */
export function runXdp(bpf: BpfSubsystem, frames: Uint8Array[]): { pass: Uint8Array[]; tx: Uint8Array[] } {
  const pass: Uint8Array[] = [], tx: Uint8Array[] = [];
  for (const frame of frames) {
    if (!(frame instanceof Uint8Array)) continue;
    const action = bpf.hooks[XDP_HOOK].length === 0 ? XDP_ACTION.PASS : bpf.runXdp(frame);
    if (action === XDP_ACTION.PASS) pass.push(frame);
    else if (action === XDP_ACTION.TX) tx.push(frame);
  }
  return { pass, tx };
}

/** One call between components (or from the kernel into one): the same event `--trace` prints as a hop. */
export function componentCall(bpf: BpfSubsystem, caller: BpfCaller | undefined, call: { callee: string; method: string; durationNs: number; errno: number; calleeId: number; methodId: number; callerId: number }): void {
  const ctx = new Uint8Array(80);
  const view = new DataView(ctx.buffer);
  header(view, TYPE_COMPONENT_CALL, caller?.pid ?? 0);
  view.setBigUint64(8, u64(Math.round(call.durationNs)), true);
  view.setUint32(16, call.callerId, true);
  view.setUint32(20, call.calleeId, true);
  view.setUint32(24, call.methodId, true);
  view.setUint32(28, call.errno, true);
  ctx.set(encoder.encode(call.callee).subarray(0, 15), 32);
  ctx.set(encoder.encode(call.method).subarray(0, 31), 48);
  bpf.fire('kernelkit/component_call', ctx, caller);
}

/** Small stable numbers for component and method names (the context carries the names too). */
const ids = new Map<string, number>();
const idOf = (name: string): number => {
  let id = ids.get(name);
  if (id === undefined) { id = ids.size + 1; ids.set(name, id); }
  return id;
};

/**
 * The tracer's sink for the component-call hook: a syscall made while a program is
 * attached there runs traced (kernel/trace.ts), and each hop it records fires the
 * hook, then goes on to the process's own tracer, if it has one.
 */
export function componentCallSink(bpf: BpfSubsystem, procs: ReadonlyMap<number, Process>, inner: TraceSink | undefined): TraceSink {
  return {
    uid: 0, privileged: true, json: false, holders: 0,
    emit: () => {}, flushed: () => Promise.resolve(), close: () => Promise.resolve(),
    event: (e) => {
      if (inner !== undefined) emitEvent(inner, e);
      if (e.type !== 'hop' || bpf.hooks['kernelkit/component_call'].length === 0) return;
      const p = procs.get(e.pid);
      componentCall(bpf, p === undefined ? undefined : { pid: p.pid, uid: p.cred.uid, gid: p.cred.gid, comm: p.name }, {
        callee: e.to, method: e.method, durationNs: (e.us ?? 0) * 1000, errno: e.errno === undefined ? 0 : (Errno[e.errno as keyof typeof Errno] ?? 255),
        calleeId: idOf(e.to), methodId: idOf(`${e.to}.${e.method}`), callerId: idOf(e.from),
      });
    },
  };
}
